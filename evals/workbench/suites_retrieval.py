"""The ``retrieval`` suite: the product's hybrid retriever on the policy questions (DESIGN.md §4 metrics).

The four-system comparison (hybrid, sparse, plain BM25, plain dense) stays in
``govassist eval --dataset``; here configurations are what is compared.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from assistant.settings import Settings
from evals.datasets import EvalItem
from evals.metrics import MRR_DEPTH, evidence_hit, first_source_rank
from evals.workbench.jsonl import Item, Loaded
from evals.workbench.suite import RunItem, Suite
from evals.workbench.suites_chat import POLICY_DATASETS, load_questions

K = 5


class RetrievalSuite(Suite):
    name = "retrieval"
    description = f"hybrid retrieval on policy_qa + held-out: source and evidence recall at 1 and {K}, MRR"
    metrics: ClassVar[dict[str, str]] = {
        "source_at_1": "higher",
        f"source_at_{K}": "higher",
        "evidence_at_1": "higher",
        f"evidence_at_{K}": "higher",
        "reciprocal_rank": "higher",
    }
    smoke_size = 30

    def load(self) -> Loaded:
        return load_questions(POLICY_DATASETS)

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        from assistant.index.knowledge_index import KnowledgeIndex
        from assistant.retrieval import HybridRetriever
        from ingest.pipeline import ingest_bundled

        index = KnowledgeIndex(settings)
        try:
            ingest_bundled(index)
            retriever = HybridRetriever.from_settings(settings, index)
            retriever.search("预热", k=K)  # load models and index files before timing

            def run(item: Item) -> dict[str, Any]:
                question: EvalItem = item.data
                started = time.perf_counter()
                ranked = [hit.chunk for hit in retriever.search(question.question, k=max(K, MRR_DEPTH))]
                latency = (time.perf_counter() - started) * 1000
                scores: dict[str, float] = {}
                if question.expected_sources:
                    rank = first_source_rank(ranked, question.expected_sources)
                    scores["source_at_1"] = float(rank == 1)
                    scores[f"source_at_{K}"] = float(rank is not None and rank <= K)
                    scores["reciprocal_rank"] = 1.0 / rank if rank else 0.0
                if question.expected_keywords:
                    scores["evidence_at_1"] = float(evidence_hit(ranked[:1], question.expected_keywords))
                    scores[f"evidence_at_{K}"] = float(evidence_hit(ranked[:K], question.expected_keywords))
                return {
                    "question": question.question,
                    "scores": scores,
                    "latency_ms": round(latency, 2),
                    "detail": {
                        "expected_sources": question.expected_sources,
                        "top": [c.chunk_id for c in ranked[:K]],
                    },
                    "evidence": [
                        {"doc_id": c.doc_id, "title": c.title, "snippet": c.text[:300]} for c in ranked[:K]
                    ],
                }

            yield run
        finally:
            index.close()
