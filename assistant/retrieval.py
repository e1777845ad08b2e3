"""Hybrid retrieval: normalised, synonym-expanded query → BM25 + dense → weighted reciprocal-rank fusion.

The dense ranker's weight is scaled by how much of the query the embedding model can read
(``TextEmbedder.coverage``): the English-only offline MiniLM sees most Chinese characters as
``[UNK]``, so for Chinese questions fusion leans on BM25, while English text (and any Chinese
embedding model) gets the full dense weight — no configuration needed.

A question BM25 decides on its own (its best hit far ahead of the second, ``dense_skip_ratio``) skips
the dense side: the ranking would not change on the calibration sets, and the query embedding is the
costliest step of a chat turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from assistant.index.knowledge_index import KnowledgeIndex
from assistant.settings import Settings
from assistant.textnorm import normalize
from ingest.models import Chunk

Mode = Literal["hybrid", "sparse", "dense"]
Fusion = Literal["rrf", "score"]
_COVERAGE_FLOOR = 0.5


@dataclass(frozen=True)
class PreparedQuery:
    """A query as the rankers see it."""

    original: str
    normalized: str
    expansions: list[str] = field(default_factory=list)

    @property
    def sparse_text(self) -> str:
        return " ".join([self.normalized, *self.expansions])


@dataclass
class ScoredChunk:
    """A retrieved chunk with its fused score and each ranker's rank and score (1-based ranks)."""

    chunk: Chunk
    score: float
    sparse_rank: int | None = None
    sparse_score: float | None = None
    dense_rank: int | None = None
    dense_similarity: float | None = None

    def to_document(self) -> Document:
        c = self.chunk
        return Document(
            page_content=c.text,
            id=c.chunk_id,
            metadata={
                **c.metadata,
                "chunk_id": c.chunk_id,
                "doc_id": c.doc_id,
                "title": c.title,
                "section": c.section,
                "score": self.score,
                "sparse_rank": self.sparse_rank,
                "sparse_score": self.sparse_score,
                "dense_rank": self.dense_rank,
                "dense_similarity": self.dense_similarity,
            },
        )


def dense_weight_for(coverage: float, base_weight: float) -> float:
    """Dense weight after coverage: 0 when at most half the query is readable, rising linearly to full."""
    return base_weight * max(0.0, (coverage - _COVERAGE_FLOOR) / (1.0 - _COVERAGE_FLOOR))


def fuse_scores(items: list[ScoredChunk], sparse_share: float, dense_share: float = 1.0) -> None:
    """Score fusion instead of RRF: each ranker's scores min-max normalised over its candidates, then
    ``sparse_share`` of BM25 plus the rest of the dense similarity (scaled by ``dense_share``, the
    model's coverage of the query). A candidate one ranker did not return counts 0 there.

    Useful where the embedding model reads the language and the knowledge is question-and-answer
    pairs (a hotline's FAQ): the size of a similarity gap counts, not only the order."""

    def normalised(values: dict[int, float]) -> dict[int, float]:
        if not values:
            return {}
        low, high = min(values.values()), max(values.values())
        return {key: (value - low) / (high - low) if high > low else 1.0 for key, value in values.items()}

    sparse = normalised({i: it.sparse_score for i, it in enumerate(items) if it.sparse_score is not None})
    dense = normalised(
        {i: it.dense_similarity for i, it in enumerate(items) if it.dense_similarity is not None}
    )
    dense_part = (1.0 - sparse_share) * dense_share
    for i, item in enumerate(items):
        item.score = sparse_share * sparse.get(i, 0.0) + dense_part * dense.get(i, 0.0)


def lexically_decided(sparse_scores: list[float], ratio: float) -> bool:
    """Whether BM25 alone decides the ranking: its best score is at least ``ratio`` times its second.

    Then the dense side is skipped. On the calibration sets (policy_qa, MSGABench dev) the hybrid
    never found a better evidence chunk for such questions, and embedding the question with E5 is most
    of a chat turn's CPU. ``ratio`` 0 (or fewer than two hits) never skips."""
    if ratio <= 0 or len(sparse_scores) < 2:
        return False
    first, second = sorted(sparse_scores, reverse=True)[:2]
    return second > 0 and first >= ratio * second


def _matches(chunk: Chunk, filters: dict[str, str]) -> bool:
    for key, value in filters.items():
        actual = chunk.doc_id if key == "doc_id" else chunk.metadata.get(key)
        if actual != value:
            return False
    return True


class HybridRetriever(BaseRetriever):
    """LangChain retriever over a ``KnowledgeIndex``; ``mode`` picks hybrid, sparse-only or dense-only."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: KnowledgeIndex
    k: int = 5
    candidates: int = 50
    rrf_k: int = 60
    sparse_weight: float = 1.0
    dense_weight: float = 1.0
    synonym_expansion: bool = True
    synonym_weight: float = 0.5
    mode: Mode = "hybrid"
    fusion: Fusion = "rrf"
    fusion_sparse_share: float = 0.3
    dense_skip_ratio: float = 0.0
    filters: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, index: KnowledgeIndex, **overrides: Any) -> HybridRetriever:
        values: dict[str, Any] = {
            "k": settings.retrieval_k,
            "candidates": settings.retrieval_candidates,
            "rrf_k": settings.rrf_k,
            "sparse_weight": settings.sparse_weight,
            "dense_weight": settings.dense_weight,
            "synonym_expansion": settings.synonym_expansion,
            "synonym_weight": settings.synonym_weight,
            "fusion": settings.fusion,
            "fusion_sparse_share": settings.fusion_sparse_share,
            "dense_skip_ratio": settings.dense_skip_ratio,
        }
        return cls(index=index, **{**values, **overrides})

    def prepare(self, query: str) -> PreparedQuery:
        normalized = normalize(query)
        lexicon = self.index.tokenizer.lexicon
        expansions = lexicon.expand(normalized) if self.synonym_expansion else []
        return PreparedQuery(query, normalized, expansions)

    def search(
        self, query: str, k: int | None = None, filters: dict[str, str] | None = None
    ) -> list[ScoredChunk]:
        """The ``k`` best chunks for ``query``, best first, with their scores."""
        k = k or self.k
        filters = {**self.filters, **(filters or {})}
        prepared = self.prepare(query)
        chunks = self.index.chunks()
        results: dict[str, ScoredChunk] = {}

        def entry(chunk_id: str) -> ScoredChunk:
            if chunk_id not in results:
                results[chunk_id] = ScoredChunk(chunks[chunk_id], 0.0)
            return results[chunk_id]

        if self.mode in ("hybrid", "sparse") and prepared.normalized:
            tokenizer = self.index.tokenizer
            tokens = tokenizer.tokenize(prepared.normalized)
            expansion = tokenizer.tokenize(" ".join(prepared.expansions)) if prepared.expansions else None
            hits = self.index.sparse().search(
                tokens,
                self.candidates if not filters else len(chunks),
                expansion=expansion,
                expansion_weight=self.synonym_weight,
            )
            hits = [h for h in hits if h.chunk_id in chunks and _matches(chunks[h.chunk_id], filters)]
            for rank, hit in enumerate(hits[: self.candidates], start=1):
                item = entry(hit.chunk_id)
                item.sparse_rank, item.sparse_score = rank, hit.score
                item.score += self.sparse_weight / (self.rrf_k + rank)

        dense_share = 1.0
        lexical = self.mode == "hybrid" and lexically_decided(
            [item.sparse_score or 0.0 for item in results.values()], self.dense_skip_ratio
        )
        if lexical:
            dense_share = 0.0
        elif self.mode in ("hybrid", "dense") and prepared.normalized:
            weight = self.dense_weight
            if self.mode == "hybrid":
                dense_share = dense_weight_for(self.index.embedder.coverage(prepared.normalized), 1.0)
                weight *= dense_share
            if weight > 0:
                where = {key: value for key, value in filters.items()} or None
                dense_hits = [
                    h
                    for h in self.index.dense_search(prepared.normalized, self.candidates, where)
                    if h.chunk_id in chunks
                ]
                for rank, dense_hit in enumerate(dense_hits, start=1):
                    item = entry(dense_hit.chunk_id)
                    item.dense_rank, item.dense_similarity = rank, dense_hit.similarity
                    item.score += weight / (self.rrf_k + rank)

        if self.fusion == "score" and self.mode == "hybrid":
            share = 1.0 if lexical else self.fusion_sparse_share  # decided by BM25: its scores alone
            fuse_scores(list(results.values()), share, dense_share)
        # RRF ties (e.g. first in one ranker, second in the other) go to the stronger lexical match.
        ranked = sorted(
            results.values(),
            key=lambda r: (
                -round(r.score, 12),
                -(r.sparse_score or 0.0),
                -(r.dense_similarity or 0.0),
                r.chunk.chunk_id,
            ),
        )
        return ranked[:k]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [hit.to_document() for hit in self.search(query)]
