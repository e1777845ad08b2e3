"""The ingest run: idempotent, incremental, tolerant of bad files, and recoverable after a crash."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import pytest

from assistant.components.embeddings import HashEmbedder
from assistant.index.knowledge_index import KnowledgeIndex, dense_text
from assistant.settings import Settings
from ingest.models import Chunk
from ingest.pipeline import ingest_paths

POLICY_A = "一、总体要求\n（一）指导思想。推进政务服务标准化、规范化、便利化，实现一网通办。\n二、保障措施\n（一）加强组织领导。各地区要落实责任。\n"
POLICY_B = "一、工作目标\n到2027年，基本形成高效政务服务体系，企业和群众办事更加便利。\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _vector_ids(index: KnowledgeIndex) -> set[str]:
    return set(index.collection.get(include=[])["ids"])


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    _write(folder, "a.txt", POLICY_A)
    _write(folder, "b.md", "# 目标\n" + POLICY_B)
    return folder


def test_ingest_twice_adds_nothing(index: KnowledgeIndex, docs: Path, tmp_path: Path) -> None:
    first = ingest_paths(index, [docs], project_root=tmp_path)
    counts = index.store.counts()
    second = ingest_paths(index, [docs], project_root=tmp_path)

    assert sorted(first.added) == ["docs/a.txt", "docs/b.md"]
    assert second.unchanged == first.added and not second.changed
    assert index.store.counts() == counts
    assert _vector_ids(index) == set(index.chunks())
    assert index.sparse().chunk_ids and set(index.sparse().chunk_ids) == set(index.chunks())


def test_modified_file_replaces_its_chunks(index: KnowledgeIndex, docs: Path, tmp_path: Path) -> None:
    ingest_paths(index, [docs], project_root=tmp_path)
    old_b = {cid for cid, c in index.chunks().items() if c.doc_id == "b"}
    _write(docs, "b.md", "# 目标\n一、新目标\n到2030年，全面实现政务服务免申即享。\n")

    report = ingest_paths(index, [docs], project_root=tmp_path)

    new_b = {cid for cid, c in index.chunks().items() if c.doc_id == "b"}
    text_b = "".join(index.chunks()[cid].text for cid in new_b)
    assert report.updated == ["docs/b.md"] and report.unchanged == ["docs/a.txt"]
    assert old_b - new_b and new_b - old_b  # the changed chunk was replaced, under a new id
    assert "免申即享" in text_b and "2027" not in text_b
    assert _vector_ids(index) == set(index.chunks())


def test_removed_file_chunks_go(index: KnowledgeIndex, docs: Path, tmp_path: Path) -> None:
    ingest_paths(index, [docs], project_root=tmp_path)
    (docs / "a.txt").unlink()

    report = ingest_paths(index, [docs], project_root=tmp_path)

    assert report.removed == ["docs/a.txt"]
    assert {c.doc_id for c in index.chunks().values()} == {"b"}
    assert _vector_ids(index) == set(index.chunks())
    assert all(cid in index.chunks() for cid in index.sparse().chunk_ids)


def test_corrupt_files_are_reported_and_the_rest_ingested(
    index: KnowledgeIndex, docs: Path, tmp_path: Path
) -> None:
    (docs / "broken.docx").write_bytes(b"PK\x03\x04 this is not a real docx")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (docs / "binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe")
    (docs / "corpus.jsonl").write_text('{"id": "x"\nnot json\n', encoding="utf-8")

    report = ingest_paths(index, [docs], project_root=tmp_path)

    assert set(report.failed) == {
        "docs/broken.docx",
        "docs/broken.pdf",
        "docs/binary.txt",
        "docs/corpus.jsonl",
    }
    assert all(reason.startswith("docs/") or ":" in reason for reason in report.failed.values())
    assert sorted(report.added) == ["docs/a.txt", "docs/b.md"]
    assert {c.doc_id for c in index.chunks().values()} == {"a", "b"}


def test_jsonl_corpus_documents_and_duplicate_ids(index: KnowledgeIndex, tmp_path: Path) -> None:
    corpus = tmp_path / "c" / "corpus.jsonl"
    records = [
        {"id": "q1", "title": "公积金", "text": "住房公积金提取需要本人身份证和申请表。"},
        {"id": "q2", "title": "社保", "text": "社会保险登记在参保地经办机构办理。"},
    ]
    corpus.parent.mkdir()
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    _write(tmp_path / "c", "q1.txt", "另一个文件使用了相同的文档编号。")

    report = ingest_paths(index, [corpus.parent], project_root=tmp_path)

    assert {c.doc_id for c in index.chunks().values()} == {"q1", "q2"}
    assert any("already used" in reason for reason in report.failed.values())


def test_crash_between_vector_write_and_commit_is_repaired(
    index: KnowledgeIndex, docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_paths(index, [docs], project_root=tmp_path)
    before = set(index.chunks())
    _write(docs, "c.txt", "一、新增文件\n政务服务中心实行综合窗口受理。\n")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(index.store, "replace_file", crash)
    with pytest.raises(RuntimeError):
        ingest_paths(index, [docs], project_root=tmp_path)
    monkeypatch.undo()
    assert set(index.chunks()) == before  # SQLite untouched
    assert _vector_ids(index) - before  # the orphan vectors of c.txt are in Chroma

    report = ingest_paths(index, [docs], project_root=tmp_path)

    assert report.added == ["docs/c.txt"]
    assert _vector_ids(index) == set(index.chunks())


def test_stale_bm25_index_is_rebuilt_on_load(index: KnowledgeIndex, docs: Path, tmp_path: Path) -> None:
    ingest_paths(index, [docs], project_root=tmp_path)
    settings = index.settings
    (settings.index_dir / "bm25" / "manifest.json").write_text("{corrupt", encoding="utf-8")

    reopened = KnowledgeIndex(settings)
    try:
        assert set(reopened.sparse().chunk_ids) == set(index.chunks())
    finally:
        reopened.close()


def test_missing_path_is_reported(index: KnowledgeIndex, docs: Path, tmp_path: Path) -> None:
    report = ingest_paths(index, [docs, tmp_path / "nope"], project_root=tmp_path)
    assert any("nope" in reason for reason in report.failed.values())
    assert sorted(report.added) == ["docs/a.txt", "docs/b.md"]


def test_changed_sidecar_metadata_reingests_the_file(
    index: KnowledgeIndex, docs: Path, tmp_path: Path
) -> None:
    _write(docs, "a.txt.meta.yaml", "title: 第一版标题\n")
    ingest_paths(index, [docs], project_root=tmp_path)
    _write(docs, "a.txt.meta.yaml", "title: 第二版标题\n")

    report = ingest_paths(index, [docs], project_root=tmp_path)

    assert report.updated == ["docs/a.txt"]
    assert {c.title for c in index.chunks().values() if c.doc_id == "a"} == {"第二版标题"}


class _OtherModel(HashEmbedder):
    """Another embedding model: its vectors live in a different space from HashEmbedder's."""

    name = "other-model"

    def _vector(self, text: str) -> list[float]:
        return list(reversed(super()._vector(text)))


def test_switching_the_embedding_model_re_embeds_every_chunk(
    settings: Settings, docs: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = KnowledgeIndex(settings, HashEmbedder())
    ingest_paths(first, [docs], project_root=tmp_path)
    assert first.dense_search("一网通办", 3)
    first.close()

    switched = KnowledgeIndex(settings, _OtherModel())
    with caplog.at_level(logging.WARNING):
        assert switched.dense_search("一网通办", 3) == []  # never compare vectors of two models
    assert "were made by 'hash; reads section+text'" in caplog.text

    ingest_paths(switched, [docs], project_root=tmp_path)

    assert switched.collection.metadata["embedder"] == "other-model; reads section+text"
    assert _vector_ids(switched) == set(switched.chunks())
    best = switched.dense_search("一网通办", 1)[0]
    assert best.similarity == pytest.approx(1.0 - _cosine_distance(switched, "一网通办", best.chunk_id))


def _cosine_distance(index: KnowledgeIndex, query: str, chunk_id: str) -> float:
    stored = index.collection.get(ids=[chunk_id], include=["embeddings"])["embeddings"][0]
    expected = index.embedder.embed_documents([dense_text(index.chunks()[chunk_id])])[0]
    assert list(stored) == pytest.approx(expected)  # re-embedded by the new model
    query_vector = index.embedder.embed_query(query)
    dot = sum(a * b for a, b in zip(stored, query_vector, strict=True))
    norms = math.sqrt(sum(a * a for a in stored)) * math.sqrt(sum(b * b for b in query_vector))
    return float(1.0 - dot / norms)


def test_the_embedding_model_reads_section_and_text_not_the_title() -> None:
    chunk = Chunk(
        chunk_id="d:0000:x",
        doc_id="d",
        title="国务院关于某事的意见",
        section="一、总体要求",
        text="推进一网通办。",
        ordinal=0,
    )
    assert dense_text(chunk) == "一、总体要求\n推进一网通办。"
