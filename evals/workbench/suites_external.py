"""External benchmarks read from ``../shared/external-data`` when present (skipped with a message when not).

``msgabench``: MSGABench Q&A as a retrieval benchmark through ``evals/msgabench.py`` — its 2,080
non-empty answers are indexed (cached in ``reports/eval-cache``, shared with ``msgabench_answers``)
and the questions of the held-out ``test`` half are the queries; the gold source of a question is its
own row.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from assistant.settings import PROJECT_ROOT, Settings
from evals.datasets import EvalItem
from evals.metrics import MRR_DEPTH, first_source_rank
from evals.workbench.corpus_index import corpus_index
from evals.workbench.jsonl import Item, Loaded
from evals.workbench.suite import RunItem, Suite, SuiteUnavailable
from evals.workbench.suites_chat import load_questions

CONVERTED = PROJECT_ROOT / "reports" / "eval-msgabench-data"
K = 5


class MsgabenchSuite(Suite):
    name = "msgabench"
    description = (
        "MSGABench Q&A retrieval: its answers as the corpus, the held-out test-half questions as queries"
    )
    metrics: ClassVar[dict[str, str]] = {
        "source_at_1": "higher",
        f"source_at_{K}": "higher",
        "reciprocal_rank": "higher",
    }
    smoke_size = 0

    def __init__(self, out_dir: Path = CONVERTED) -> None:
        self.out_dir = out_dir
        self.corpus: Path | None = None

    def load(self) -> Loaded:
        from evals.msgabench import DEFAULT_SOURCE, convert

        try:
            self.corpus, dataset = convert(DEFAULT_SOURCE, self.out_dir, "test")
        except FileNotFoundError as error:
            raise SuiteUnavailable(str(error)) from error
        return load_questions([dataset])

    def corpora(self) -> list[tuple[str, Path]]:
        return [("msgabench", self.corpus)] if self.corpus is not None else []

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        if self.corpus is None:
            raise SuiteUnavailable("load() first")
        with corpus_index(settings, "msgabench", self.corpus, pool=self.pool) as corpus:
            retriever = corpus.retriever

            def run(item: Item) -> dict[str, Any]:
                question: EvalItem = item.data
                started = time.perf_counter()
                ranked = [hit.chunk for hit in retriever.search(question.question, k=MRR_DEPTH)]
                latency = (time.perf_counter() - started) * 1000
                rank = first_source_rank(ranked, question.expected_sources)
                return {
                    "question": question.question,
                    "scores": {
                        "source_at_1": float(rank == 1),
                        f"source_at_{K}": float(rank is not None and rank <= K),
                        "reciprocal_rank": 1.0 / rank if rank else 0.0,
                    },
                    "latency_ms": round(latency, 2),
                    "detail": {"rank": rank},
                    "evidence": [
                        {"doc_id": c.doc_id, "title": c.title, "snippet": c.text[:300]} for c in ranked[:3]
                    ],
                }

            yield run
