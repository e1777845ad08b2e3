"""The ``ncppolicies`` suite: reading comprehension on the NCPPolicies items that carry their documents.

The 599 policy documents are indexed (cached, ``corpus_index``); each of the 658 questions is asked
of the retriever and of the configuration's answerer. Scores: the answering document at 1 / at 5 and
its reciprocal rank (document recall); the gold answer span inside the top chunk / the top five
chunks (span containment); and the answer: whether it was given and whether it contains the span.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from assistant.settings import PROJECT_ROOT, Settings
from evals.metrics import MRR_DEPTH, first_source_rank
from evals.workbench.corpus_index import answerer_for, corpus_index
from evals.workbench.jsonl import Item, Loaded
from evals.workbench.overlap import contains_span
from evals.workbench.suite import RunItem, Suite, SuiteUnavailable

CONVERTED = PROJECT_ROOT / "reports" / "eval-ncppolicies-data"
K = 5


class NcpPoliciesSuite(Suite):
    name = "ncppolicies"
    description = (
        "NCPPolicies reading comprehension (658 items with contexts, 599 documents): document recall, "
        "answer-span containment in the evidence and in the answer"
    )
    metrics: ClassVar[dict[str, str]] = {
        "doc_at_1": "higher",
        f"doc_at_{K}": "higher",
        "reciprocal_rank": "higher",
        "span_at_1": "higher",
        f"span_at_{K}": "higher",
        "answered": "higher",
        "answer_has_span": "higher",
    }

    def __init__(self, source_dir: Path | None = None, out_dir: Path = CONVERTED) -> None:
        self.source_dir = source_dir
        self.out_dir = out_dir
        self.corpus: Path | None = None

    def load(self) -> Loaded:
        from evals.ncppolicies import DEFAULT_SOURCE, load_items, write_corpus

        try:
            loaded = load_items(self.source_dir or DEFAULT_SOURCE)
        except FileNotFoundError as error:
            raise SuiteUnavailable(str(error)) from error
        self.corpus = write_corpus(loaded.items, self.out_dir)
        return loaded

    def corpora(self) -> list[tuple[str, Path]]:
        return [("ncppolicies", self.corpus)] if self.corpus is not None else []

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        from evals.ncppolicies import ReadingItem

        if self.corpus is None:
            raise SuiteUnavailable("load() first")
        with corpus_index(settings, "ncppolicies", self.corpus, pool=self.pool) as corpus:
            answerer = answerer_for(corpus)

            def run(item: Item) -> dict[str, Any]:
                reading: ReadingItem = item.data
                started = time.perf_counter()
                ranked = [hit.chunk for hit in corpus.retriever.search(reading.question, k=max(K, MRR_DEPTH))]
                retrieval_ms = (time.perf_counter() - started) * 1000
                answer = answerer.answer(reading.question)
                latency = (time.perf_counter() - started) * 1000
                rank = first_source_rank(ranked, [reading.doc_id])
                answered = answer.outcome == "answered"
                return {
                    "question": reading.question,
                    "scores": {
                        "doc_at_1": float(rank == 1),
                        f"doc_at_{K}": float(rank is not None and rank <= K),
                        "reciprocal_rank": 1.0 / rank if rank else 0.0,
                        "span_at_1": float(bool(ranked) and contains_span(ranked[0].text, reading.answer)),
                        f"span_at_{K}": float(any(contains_span(c.text, reading.answer) for c in ranked[:K])),
                        "answered": float(answered),
                        "answer_has_span": float(answered and contains_span(answer.text, reading.answer)),
                    },
                    "latency_ms": round(latency, 2),
                    "detail": {
                        "doc_id": reading.doc_id,
                        "rank": rank,
                        "gold_answer": reading.answer,
                        "answer": answer.text[:500],
                        "generator": answer.generator,
                        "retrieval_ms": round(retrieval_ms, 2),
                    },
                    "evidence": [
                        {"doc_id": c.doc_id, "title": c.title, "snippet": c.text[:300]} for c in ranked[:3]
                    ],
                }

            yield run
