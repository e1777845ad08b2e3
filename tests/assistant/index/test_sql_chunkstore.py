"""Tests for assistant.index.sql_chunkstore: the chunk ledger in the application's database.

On SQLite and, when ``GOVASSIST_TEST_POSTGRES_URL`` is set, on a fresh PostgreSQL schema.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from assistant.index.sql_chunkstore import SqlChunkStore, index_engine
from tests.assistant.index.test_chunkstore import birth_file, license_file, make_doc
from tests.handoff_db import BACKENDS, fresh_postgres_schema

EngineFactory = Callable[[], AbstractContextManager[Engine]]


@pytest.fixture(params=BACKENDS)
def engines(request: pytest.FixtureRequest, tmp_path: Path) -> EngineFactory:
    """Opens an engine on one shared database (SQLite file or PostgreSQL schema) per call."""
    if request.param == "sqlite":

        @contextmanager
        def sqlite() -> Iterator[Engine]:
            engine = index_engine(f"sqlite:///{tmp_path / 'app.db'}")
            yield engine
            engine.dispose()

        return sqlite
    schema = request.getfixturevalue("postgres_engine")

    @contextmanager
    def postgres() -> Iterator[Engine]:
        yield schema

    return postgres


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    with fresh_postgres_schema() as engine:
        yield engine


@pytest.fixture
def store(engines: EngineFactory) -> Iterator[SqlChunkStore]:
    with engines() as engine:
        yield SqlChunkStore(engine, generation_max_age_s=0)


def test_replace_remove_and_counts(store: SqlChunkStore) -> None:
    assert store.counts() == {"files": 0, "documents": 0, "chunks": 0}
    assert store.generation() == 0
    store.replace_file("guides/birth.txt", "fp-1", birth_file())
    store.replace_file("guides/license.txt", "fp-a", license_file("v1"))
    chunks = store.chunks()
    assert [c.chunk_id for c in chunks] == [
        "birth:0000:v1",
        "birth:0001:v1",
        "birth-faq:0000:v1",
        "license:0000:v1",
    ]
    assert chunks[0] == birth_file()[0][1][0]  # every field round-trips, Chinese metadata included
    assert store.fingerprint("guides/birth.txt") == "fp-1"
    assert store.doc_owner("birth-faq") == "guides/birth.txt"
    assert [f.path for f in store.files()] == ["guides/birth.txt", "guides/license.txt"]

    store.replace_file("guides/license.txt", "fp-b", license_file("v2"))
    assert store.chunk_ids_of_file("guides/license.txt") == ["license:0000:v2"]
    store.remove_file("guides/birth.txt")  # cascades to documents and chunks
    assert store.counts() == {"files": 1, "documents": 1, "chunks": 1}
    assert store.doc_owner("birth") is None
    assert store.generation() == 4


def test_failed_write_rolls_back_and_keeps_the_generation(store: SqlChunkStore) -> None:
    store.replace_file("guides/birth.txt", "fp-1", birth_file())
    before = store.snapshot()
    doc, chunks = make_doc("birth", "新生儿出生登记办事指南（新版）", ["第一段。", "第二段。"], tag="v2")
    duplicate = [chunks[0], dataclasses.replace(chunks[1], chunk_id=chunks[0].chunk_id)]
    with pytest.raises(IntegrityError):
        store.replace_file("guides/birth.txt", "fp-2", [(doc, duplicate)])
    with pytest.raises(IntegrityError):  # a document id owned by another file
        store.replace_file("guides/copy.txt", "fp-x", birth_file()[:1])
    assert store.snapshot() == before
    assert store.fingerprint("guides/birth.txt") == "fp-1"


def test_another_process_sees_writes_after_its_sync_interval(engines: EngineFactory) -> None:
    with engines() as engine_a, engines() as engine_b:
        writer = SqlChunkStore(engine_a, generation_max_age_s=0)
        reader = SqlChunkStore(engine_b, generation_max_age_s=3600)  # re-reads only once an hour
        assert reader.store_id() == writer.store_id() != ""
        assert reader.generation() == 0
        writer.replace_file("guides/birth.txt", "fp-1", birth_file())
        assert writer.generation() == 1  # the writer's own writes show at once
        assert reader.generation() == 0  # the reader is within its interval: no round trip, old value
        generation, chunks = reader.snapshot()  # a snapshot always reads the database
        assert generation == 1 and len(chunks) == 3
        reader.generation_max_age_s = 0
        assert reader.generation() == 1


def test_store_id_survives_reopening_and_differs_between_databases(tmp_path: Path) -> None:
    first = SqlChunkStore.from_url(f"sqlite:///{tmp_path / 'a.db'}")
    first_id = first.store_id()
    first.close()
    again = SqlChunkStore.from_url(f"sqlite:///{tmp_path / 'a.db'}")
    other = SqlChunkStore.from_url(f"sqlite:///{tmp_path / 'b.db'}")
    try:
        assert again.store_id() == first_id
        assert other.store_id() not in ("", first_id)
    finally:
        again.close()
        other.close()


def test_two_writers_replacing_the_same_file_at_once_both_succeed(engines: EngineFactory) -> None:
    """Two machines starting up bring the same bundled file up to date at the same moment."""
    with engines() as engine_a, engines() as engine_b:
        stores = [
            SqlChunkStore(engine_a, generation_max_age_s=0),
            SqlChunkStore(engine_b, generation_max_age_s=0),
        ]
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def write(store: SqlChunkStore) -> None:
            start.wait()
            try:
                for round_ in range(5):
                    store.replace_file("guides/birth.txt", f"fp-{round_}", birth_file())
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=write, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert stores[0].counts() == {"files": 1, "documents": 2, "chunks": 3}
        assert stores[1].generation() == 10
