"""Hybrid retrieval over a small index (hash fake embeddings, real Chroma and BM25 on a temp dir)."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.retrievers import BaseRetriever

from assistant.index.knowledge_index import KnowledgeIndex
from assistant.retrieval import HybridRetriever, dense_weight_for
from ingest.pipeline import ingest_paths

DOCS = {
    "gjj.txt": "一、住房公积金提取\n职工购买自住住房的，可以申请提取住房公积金，需提供本人身份证和购房合同。\n",
    "sb.txt": "一、社会保险登记\n用人单位应当自成立之日起三十日内申请办理社会保险登记。\n",
    "hk.txt": "一、出生登记\n婴儿出生后一个月以内，由户主、亲属向婴儿常住地户口登记机关申报出生登记。\n",
    "en.txt": "English text\nThe platform provides one-stop online government services for enterprises and citizens.\n",
}


@pytest.fixture
def retriever(index: KnowledgeIndex, tmp_path: Path) -> HybridRetriever:
    folder = tmp_path / "kb"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    report = ingest_paths(index, [folder], project_root=tmp_path)
    assert not report.failed
    return HybridRetriever.from_settings(index.settings, index)


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("公积金怎么取出来", "gjj"),  # colloquial: 公积金 → 住房公积金 by the synonym table
        ("社保登记要多久内办", "sb"),
        ("孩子出生了怎么上户口", "hk"),
        ("孩子出生了怎么上戶口", "hk"),  # Traditional character in the question
        ("ｏｎｅ－ｓｔｏｐ online services", "en"),  # full-width Latin
    ],
)
def test_finds_the_right_document(retriever: HybridRetriever, question: str, doc_id: str) -> None:
    hits = retriever.search(question, k=2)
    assert hits and hits[0].chunk.doc_id == doc_id


def test_synonym_expansion_adds_official_terms(retriever: HybridRetriever) -> None:
    prepared = retriever.prepare("社保卡丢了咋办")
    assert "社会保险" in " ".join(prepared.expansions)
    plain = retriever.model_copy(update={"synonym_expansion": False}).prepare("社保卡丢了咋办")
    assert plain.expansions == []


def test_scores_and_ranks_are_exposed(retriever: HybridRetriever) -> None:
    docs = retriever.invoke("住房公积金提取")
    assert isinstance(retriever, BaseRetriever)
    top = docs[0].metadata
    assert top["doc_id"] == "gjj" and top["section"] == "一、住房公积金提取"
    assert top["score"] > 0 and top["sparse_rank"] == 1 and top["sparse_score"] > 0
    assert [d.metadata["score"] for d in docs] == sorted((d.metadata["score"] for d in docs), reverse=True)


def test_filters_restrict_to_a_document(retriever: HybridRetriever) -> None:
    hits = retriever.search("登记", k=5, filters={"doc_id": "sb"})
    assert hits and {h.chunk.doc_id for h in hits} == {"sb"}


def test_dense_and_sparse_modes(retriever: HybridRetriever) -> None:
    dense = retriever.model_copy(update={"mode": "dense"}).search("住房公积金提取", k=3)
    sparse = retriever.model_copy(update={"mode": "sparse"}).search("住房公积金提取", k=3)
    assert dense and all(h.sparse_rank is None and h.dense_rank for h in dense)
    assert sparse and all(h.dense_rank is None and h.sparse_rank for h in sparse)


def test_empty_and_unmatched_queries(retriever: HybridRetriever) -> None:
    assert retriever.search("   ") == []
    assert retriever.model_copy(update={"mode": "sparse"}).search("量子色动力学") == []


def test_empty_index_returns_nothing(index: KnowledgeIndex) -> None:
    assert HybridRetriever.from_settings(index.settings, index).search("公积金") == []


@pytest.mark.parametrize(("coverage", "expected"), [(0.0, 0.0), (0.5, 0.0), (0.75, 0.5), (1.0, 1.0)])
def test_dense_weight_follows_coverage(coverage: float, expected: float) -> None:
    assert dense_weight_for(coverage, 1.0) == pytest.approx(expected)


def test_synonym_weight_comes_from_settings_and_scales_expansions(retriever: HybridRetriever) -> None:
    assert retriever.synonym_weight == retriever.index.settings.synonym_weight == 0.5
    sparse = retriever.model_copy(update={"mode": "sparse"})
    question = "社保卡丢了咋办"  # 社保 → 社会保险: only the expansion matches the sb document
    assert sparse.prepare(question).expansions

    def sb_score(**update: object) -> float:
        hits = sparse.model_copy(update=update).search(question, k=4)
        return next((h.sparse_score or 0.0 for h in hits if h.chunk.doc_id == "sb"), 0.0)

    assert sb_score(synonym_weight=0.0) == sb_score(synonym_expansion=False)
    assert sb_score(synonym_weight=0.0) < sb_score(synonym_weight=0.5) <= sb_score(synonym_weight=1.0)


def test_score_fusion_normalises_each_ranker_and_weighs_them() -> None:
    from assistant.retrieval import ScoredChunk, fuse_scores
    from ingest.models import Chunk

    def chunk(name: str) -> Chunk:
        return Chunk(chunk_id=name, doc_id=name, title=name, section="", text=name, ordinal=0)

    both = ScoredChunk(chunk("both"), 0.0, sparse_score=8.0, dense_similarity=0.82)
    lexical = ScoredChunk(chunk("lexical"), 0.0, sparse_score=10.0, dense_similarity=0.80)
    semantic = ScoredChunk(chunk("semantic"), 0.0, sparse_score=None, dense_similarity=0.90)
    items = [both, lexical, semantic]
    fuse_scores(items, sparse_share=0.3)
    assert lexical.score == pytest.approx(0.3)  # top BM25, lowest similarity
    assert semantic.score == pytest.approx(0.7)  # not found by BM25: 0 there
    assert both.score == pytest.approx(0.7 * 0.2)  # lowest BM25 of the two it found; similarity 0.2 up
    fuse_scores(items, sparse_share=0.3, dense_share=0.0)  # the model cannot read the query
    assert [round(i.score, 6) for i in items] == [0.0, 0.3, 0.0]


def test_score_fusion_is_chosen_by_settings(index: KnowledgeIndex, retriever: HybridRetriever) -> None:
    settings = index.settings.model_copy(update={"fusion": "score", "fusion_sparse_share": 0.5})
    scored = HybridRetriever.from_settings(settings, index)
    assert (scored.fusion, scored.fusion_sparse_share) == ("score", 0.5)
    hits = scored.search("公积金怎么取出来", k=2)
    assert hits[0].chunk.doc_id == "gjj"
    assert 0.0 < hits[0].score <= 1.0 and hits[0].score >= hits[1].score


@pytest.mark.parametrize(
    ("scores", "ratio", "decided"),
    [
        ([10.0, 5.0, 1.0], 1.5, True),
        ([5.0, 10.0], 1.5, True),  # order does not matter
        ([10.0, 8.0], 1.5, False),
        ([10.0, 5.0], 0.0, False),  # 0: never skip
        ([10.0], 1.5, False),  # one hit: nothing to compare
        ([10.0, 0.0], 1.5, False),
    ],
)
def test_lexically_decided(scores: list[float], ratio: float, decided: bool) -> None:
    from assistant.retrieval import lexically_decided

    assert lexically_decided(scores, ratio) is decided


def test_a_question_bm25_decides_skips_the_dense_side(
    index: KnowledgeIndex, retriever: HybridRetriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = index.dense_search

    def counted(query: str, *args: object, **kwargs: object) -> object:
        calls.append(query)
        return real(query, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(index, "dense_search", counted)
    question = "住房公积金提取需要购房合同吗"
    sparse = HybridRetriever.from_settings(index.settings, index, mode="sparse").search(question, k=3)
    first, second = sparse[0].sparse_score or 0.0, sparse[1].sparse_score or 0.0
    assert first > 2 * second > 0  # the fixture makes this a lexical question

    always = retriever.model_copy(update={"dense_skip_ratio": 0.0, "fusion": "score"})
    hits = always.search(question, k=3)
    assert len(calls) == 1 and any(h.dense_rank is not None for h in hits)

    skipping = retriever.model_copy(update={"dense_skip_ratio": 2.0, "fusion": "score"})
    hits = skipping.search(question, k=3)
    assert len(calls) == 1  # not embedded again
    assert [h.chunk.chunk_id for h in hits] == [h.chunk.chunk_id for h in sparse]
    assert all(h.dense_rank is None for h in hits) and hits[0].score == pytest.approx(1.0)

    close = retriever.model_copy(update={"dense_skip_ratio": first / second + 0.01, "fusion": "score"})
    close.search(question, k=3)
    assert len(calls) == 2  # not decisive enough: the dense side runs
