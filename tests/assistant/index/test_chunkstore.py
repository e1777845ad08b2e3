"""Tests for assistant.index.chunkstore: files → documents → chunks in SQLite, transactions, generation."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.index.chunkstore import ChunkStore
from ingest.models import Chunk, SourceDocument

Documents = list[tuple[SourceDocument, list[Chunk]]]


def make_doc(
    doc_id: str, title: str, texts: list[str], *, tag: str = "v1"
) -> tuple[SourceDocument, list[Chunk]]:
    metadata = {"文号": f"某政办〔2027〕{len(doc_id)}号", "kind": "guide"}
    doc = SourceDocument(
        doc_id=doc_id, title=title, text="\n".join(texts), source=f"{doc_id}.txt", metadata=metadata
    )
    chunks = [
        Chunk(
            chunk_id=f"{doc_id}:{i:04d}:{tag}",
            doc_id=doc_id,
            ordinal=i,
            title=title,
            section=f"一、办理条件 > （{i + 1}）",
            text=text,
            metadata=metadata,
        )
        for i, text in enumerate(texts)
    ]
    return doc, chunks


def birth_file() -> Documents:
    return [
        make_doc(
            "birth", "新生儿出生登记办事指南", ["新生儿出生后一个月内申报出生登记。", "需提交出生医学证明。"]
        ),
        make_doc("birth-faq", "出生登记常见问题", ["可以由监护人代为申报。"]),
    ]


def license_file(tag: str = "v1") -> Documents:
    return [make_doc("license", "营业执照补领指南", ["营业执照遗失可在网上申请补领。"], tag=tag)]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ChunkStore]:
    chunk_store = ChunkStore(tmp_path / "db" / "chunks.sqlite3")
    yield chunk_store
    chunk_store.close()


def test_new_store_is_empty(store: ChunkStore) -> None:
    assert store.path.exists()
    assert store.counts() == {"files": 0, "documents": 0, "chunks": 0}
    assert store.chunks() == []
    assert store.files() == []
    assert store.generation() == 0
    assert store.fingerprint("birth.txt") is None


def test_replace_file_then_chunks_and_counts(store: ChunkStore) -> None:
    store.replace_file("guides/birth.txt", "fp-1", birth_file())
    assert store.counts() == {"files": 1, "documents": 2, "chunks": 3}
    chunks = store.chunks()
    assert [c.chunk_id for c in chunks] == ["birth:0000:v1", "birth:0001:v1", "birth-faq:0000:v1"]
    first = chunks[0]
    assert first == birth_file()[0][1][0]  # every field round-trips, Chinese metadata included
    assert chunks[2].title == "出生登记常见问题"
    assert store.fingerprint("guides/birth.txt") == "fp-1"
    [stored] = store.files()
    assert (stored.path, stored.fingerprint) == ("guides/birth.txt", "fp-1")
    assert stored.ingested_at.startswith("20")
    assert sorted(store.chunk_ids_of_file("guides/birth.txt")) == sorted(c.chunk_id for c in chunks)


def test_replacing_a_file_replaces_its_documents_and_chunks(store: ChunkStore) -> None:
    store.replace_file("guides/birth.txt", "fp-1", birth_file())
    store.replace_file("guides/license.txt", "fp-a", license_file("v1"))

    store.replace_file("guides/license.txt", "fp-b", license_file("v2"))
    ids = {c.chunk_id for c in store.chunks()}
    assert "license:0000:v2" in ids
    assert "license:0000:v1" not in ids
    assert store.counts() == {"files": 2, "documents": 3, "chunks": 4}
    assert store.fingerprint("guides/license.txt") == "fp-b"

    # A new version with fewer documents drops the old ones.
    store.replace_file("guides/birth.txt", "fp-2", birth_file()[:1])
    assert store.doc_owner("birth-faq") is None
    assert store.chunk_ids_of_file("guides/birth.txt") == ["birth:0000:v1", "birth:0001:v1"]
    assert store.counts() == {"files": 2, "documents": 2, "chunks": 3}


def test_replace_file_with_no_documents_keeps_the_file_record(store: ChunkStore) -> None:
    store.replace_file("guides/birth.txt", "fp-1", birth_file())
    store.replace_file("guides/birth.txt", "fp-empty", [])
    assert store.counts() == {"files": 1, "documents": 0, "chunks": 0}
    assert store.fingerprint("guides/birth.txt") == "fp-empty"


def test_remove_file_cascades(store: ChunkStore) -> None:
    store.replace_file("guides/birth.txt", "fp-1", birth_file())
    store.replace_file("guides/license.txt", "fp-a", license_file())
    store.remove_file("guides/birth.txt")
    assert store.counts() == {"files": 1, "documents": 1, "chunks": 1}
    assert [c.chunk_id for c in store.chunks()] == ["license:0000:v1"]
    assert store.chunk_ids_of_file("guides/birth.txt") == []
    assert store.doc_owner("birth") is None
    assert store.fingerprint("guides/birth.txt") is None
    assert [f.path for f in store.files()] == ["guides/license.txt"]


def test_generation_increments_on_every_write(store: ChunkStore) -> None:
    assert store.generation() == 0
    store.replace_file("guides/birth.txt", "fp-1", birth_file())
    assert store.generation() == 1
    store.replace_file("guides/birth.txt", "fp-1", birth_file())  # same content: still a write
    assert store.generation() == 2
    store.replace_file("guides/license.txt", "fp-a", license_file())
    assert store.generation() == 3
    store.remove_file("guides/license.txt")
    assert store.generation() == 4
    assert store.counts()["files"] == 1


def test_doc_owner(store: ChunkStore) -> None:
    store.replace_file("guides/birth.txt", "fp-1", birth_file())
    store.replace_file("guides/license.txt", "fp-a", license_file())
    assert store.doc_owner("birth") == "guides/birth.txt"
    assert store.doc_owner("birth-faq") == "guides/birth.txt"
    assert store.doc_owner("license") == "guides/license.txt"
    assert store.doc_owner("unknown") is None


def test_meta_round_trip(store: ChunkStore) -> None:
    assert store.get_meta("embedding_model") is None
    store.set_meta("embedding_model", "hash-384")
    store.set_meta("embedding_model", "minilm")
    assert store.get_meta("embedding_model") == "minilm"


def test_failure_inside_replace_file_rolls_back(store: ChunkStore) -> None:
    store.replace_file("guides/birth.txt", "fp-1", birth_file())
    before_chunks = store.chunks()
    before_generation = store.generation()

    doc, chunks = make_doc("birth", "新生儿出生登记办事指南（新版）", ["第一段。", "第二段。"], tag="v2")
    duplicate = [chunks[0], dataclasses.replace(chunks[1], chunk_id=chunks[0].chunk_id)]
    with pytest.raises(sqlite3.IntegrityError):
        store.replace_file("guides/birth.txt", "fp-2", [(doc, duplicate)])

    assert store.chunks() == before_chunks
    assert store.counts() == {"files": 1, "documents": 2, "chunks": 3}
    assert store.fingerprint("guides/birth.txt") == "fp-1"
    assert store.generation() == before_generation

    # No transaction is left open: the store still accepts writes.
    store.replace_file("guides/birth.txt", "fp-3", [(doc, chunks)])
    assert store.generation() == before_generation + 1
    assert store.chunk_ids_of_file("guides/birth.txt") == ["birth:0000:v2", "birth:0001:v2"]


def test_document_owned_by_another_file_is_rejected_atomically(store: ChunkStore) -> None:
    store.replace_file("guides/birth.txt", "fp-1", birth_file())
    with pytest.raises(sqlite3.IntegrityError):
        store.replace_file("guides/copy.txt", "fp-x", birth_file()[:1])  # doc id "birth" is taken
    assert store.fingerprint("guides/copy.txt") is None
    assert store.doc_owner("birth") == "guides/birth.txt"
    assert store.counts() == {"files": 1, "documents": 2, "chunks": 3}
    assert store.generation() == 1


def test_data_survives_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "chunks.sqlite3"
    first = ChunkStore(path)
    first.replace_file("guides/birth.txt", "fp-1", birth_file())
    first.replace_file("guides/license.txt", "fp-a", license_file())
    first.set_meta("tokenizer", "jieba")
    expected = first.chunks()
    first.close()

    reopened = ChunkStore(path)
    try:
        assert reopened.chunks() == expected
        assert reopened.counts() == {"files": 2, "documents": 3, "chunks": 4}
        assert reopened.generation() == 2
        assert reopened.get_meta("tokenizer") == "jieba"
        assert reopened.doc_owner("license") == "guides/license.txt"
        reopened.remove_file("guides/birth.txt")  # cascades still work after reopening
        assert reopened.counts() == {"files": 1, "documents": 1, "chunks": 1}
    finally:
        reopened.close()
