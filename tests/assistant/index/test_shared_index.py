"""Two workers on two machines sharing only the database: after an ingest through one, the other answers
from the same BM25 index and chunks, rebuilt from the shared ledger (it has no local index files).

On SQLite and, when ``GOVASSIST_TEST_POSTGRES_URL`` is set, on a fresh PostgreSQL schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.index.knowledge_index import KnowledgeIndex
from assistant.index.sql_chunkstore import SqlChunkStore
from assistant.settings import Settings
from tests.assistant.index.test_chunkstore import birth_file, license_file, make_doc
from tests.handoff_db import BACKENDS, fresh_postgres_schema


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    with fresh_postgres_schema() as engine:
        yield engine.url.render_as_string(hide_password=False)


def worker(machine: Path, database_url: str) -> KnowledgeIndex:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=machine,
        embedding_mode="hash",
        database_url=database_url,
        index_store="database",
        index_sync_interval_s=0,
    )
    return KnowledgeIndex(settings)


def top_ids(index: KnowledgeIndex, query: str) -> list[str]:
    return [h.chunk_id for h in index.sparse().search(index.tokenizer.tokenize(query), 3)]


def test_a_worker_elsewhere_follows_every_ingest(database_url: str, tmp_path: Path) -> None:
    writer, reader = (
        worker(tmp_path / "machine-a", database_url),
        worker(tmp_path / "machine-b", database_url),
    )
    try:
        assert isinstance(reader.store, SqlChunkStore)
        assert reader.sparse().chunk_ids == []
        writer.replace_file("guides/birth.txt", "fp-1", birth_file())
        writer.rebuild_sparse()

        assert top_ids(reader, "出生医学证明")[0] == "birth:0001:v1"
        assert set(reader.chunks()) == set(writer.chunks())
        assert reader.sparse().stamp == writer.sparse().stamp
        assert not (tmp_path / "machine-b" / "index" / "chroma").exists()  # only the BM25 files it built
        assert (tmp_path / "machine-b" / "index" / "bm25" / "manifest.json").exists()

        writer.replace_file("guides/license.txt", "fp-a", license_file())
        writer.replace_file(
            "guides/birth.txt", "fp-2", [make_doc("birth", "出生登记", ["出生证明遗失补办。"])]
        )
        assert top_ids(reader, "营业执照补领")[0] == "license:0000:v1"
        assert "birth:0001:v1" not in reader.chunks()
        assert reader.stats()["sparse_generation"] == writer.store.generation() == 3
    finally:
        writer.close()
        reader.close()


def test_bm25_files_of_another_ledger_are_not_loaded(database_url: str, tmp_path: Path) -> None:
    """Same folder, same generation number, different database: the stamp tells them apart."""
    machine = tmp_path / "machine"
    first = worker(machine, f"sqlite:///{tmp_path / 'other.db'}")
    first.replace_file("guides/license.txt", "fp-a", license_file())
    first.rebuild_sparse()
    first.close()
    second = worker(machine, database_url)
    try:
        second.replace_file("guides/birth.txt", "fp-1", birth_file())  # generation 1 too
        assert "license:0000:v1" not in top_ids(second, "营业执照补领")
        assert top_ids(second, "出生医学证明")[0] == "birth:0001:v1"
    finally:
        second.close()
