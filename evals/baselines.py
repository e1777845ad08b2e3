"""Baseline rankers the hybrid retriever is compared with, built over the same chunks."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.index.knowledge_index import KnowledgeIndex
from assistant.index.sparse import indexed_text
from assistant.textnorm import normalize
from assistant.tokenization import cjk_bigrams
from ingest.models import Chunk


class PlainBM25:
    """The textbook setup: one BM25 over default-jieba words plus character bigrams — no lexicon,
    no stop words, no synonym expansion, no separate fields."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        import bm25s
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba: Any = jieba.Tokenizer()
        self.chunks = list(chunks)
        self.model = bm25s.BM25()
        self.model.index([self._tokens(indexed_text(c)) or [""] for c in self.chunks], show_progress=False)

    def _tokens(self, text: str) -> list[str]:
        text = normalize(text).lower()
        words = [w.strip() for w in self._jieba.lcut_for_search(text) if w.strip()]
        return words + cjk_bigrams(text)

    def search(self, query: str, k: int) -> list[Chunk]:
        scores = np.asarray(self.model.get_scores(self._tokens(query)))
        order = np.argsort(-scores, kind="stable")[:k]
        return [self.chunks[i] for i in order if scores[i] > 0]


class PlainDense:
    """The tutorial LangChain + Chroma setup: embed the raw question, take the nearest chunks."""

    def __init__(self, index: KnowledgeIndex) -> None:
        self.index = index

    def search(self, query: str, k: int) -> list[Chunk]:
        chunks = self.index.chunks()
        return [chunks[h.chunk_id] for h in self.index.dense_search(query, k) if h.chunk_id in chunks]
