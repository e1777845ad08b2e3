"""Retrieval benchmark: the hybrid retriever, its sparse half, and two baselines, scored in one run."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.index.knowledge_index import KnowledgeIndex
from assistant.retrieval import HybridRetriever
from assistant.settings import PROJECT_ROOT, Settings
from evals.baselines import PlainBM25, PlainDense
from evals.datasets import EvalItem, load_dataset
from evals.metrics import MRR_DEPTH, evidence_hit, first_source_rank, mean_or_none, percentile
from evals.metrics_file import write_metrics
from evals.report import write_report
from ingest.models import Chunk
from ingest.pipeline import ingest_bundled, ingest_paths

Search = Callable[[str, int], list[Chunk]]
WARMUP_QUERIES = 5


@dataclass(frozen=True)
class System:
    name: str
    description: str
    search: Search


@contextmanager
def _index_for(settings: Settings, corpus: Path | None) -> Iterator[KnowledgeIndex]:
    """The bundled index (brought up to date), or a temporary one holding only ``corpus``."""
    if corpus is None:
        index = KnowledgeIndex(settings)
        ingest_bundled(index)
        try:
            yield index
        finally:
            index.close()
        return
    tmp = Path(tempfile.mkdtemp(prefix="govassist-eval-"))
    index = KnowledgeIndex(settings.model_copy(update={"data_dir": tmp}))
    try:
        report = ingest_paths(index, [corpus], project_root=PROJECT_ROOT)
        if report.failed:
            raise ValueError("; ".join(report.failed.values()))
        yield index
    finally:
        index.close()
        shutil.rmtree(tmp, ignore_errors=True)


def build_systems(settings: Settings, index: KnowledgeIndex) -> list[System]:
    """The systems compared: hybrid (the product), its sparse half (ablation), dense-only, BM25-only."""
    hybrid = HybridRetriever.from_settings(settings, index)
    sparse = HybridRetriever.from_settings(settings, index, mode="sparse")
    plain_bm25 = PlainBM25(list(index.chunks().values()))
    plain_dense = PlainDense(index)

    fusion = (
        f"score fusion (BM25 share {settings.fusion_sparse_share})"
        if settings.fusion == "score"
        else "weighted RRF"
    )

    def run(retriever: HybridRetriever) -> Search:
        return lambda q, k: [hit.chunk for hit in retriever.search(q, k=k)]

    return [
        System(
            "hybrid",
            f"BM25 (lexicon, synonyms, word+bigram fields) + {index.embedder.name}, {fusion}",
            run(hybrid),
        ),
        System("sparse", "the hybrid's BM25 half alone (ablation)", run(sparse)),
        System("bm25", "baseline: plain BM25 over jieba words + bigrams", plain_bm25.search),
        System("dense", "baseline: plain LangChain + Chroma dense retrieval", plain_dense.search),
    ]


def _score_item(item: EvalItem, system: System, k: int) -> dict[str, Any]:
    started = time.perf_counter()
    ranked = system.search(item.question, max(k, MRR_DEPTH))
    latency_ms = (time.perf_counter() - started) * 1000
    result: dict[str, Any] = {"latency_ms": round(latency_ms, 2), "top": [c.chunk_id for c in ranked[:k]]}
    if item.expected_sources:
        rank = first_source_rank(ranked, item.expected_sources)
        result.update(source_rank=rank, source_at_1=rank == 1, source_at_k=rank is not None and rank <= k)
    if item.expected_keywords:
        result.update(
            evidence_at_1=evidence_hit(ranked[:1], item.expected_keywords),
            evidence_at_k=evidence_hit(ranked[:k], item.expected_keywords),
        )
    return result


def summarize(per_item: list[dict[str, Any]], k: int) -> dict[str, Any]:
    """Aggregate one system's per-item results into the DESIGN.md metrics."""
    with_sources = [r for r in per_item if "source_rank" in r]
    with_keywords = [r for r in per_item if "evidence_at_1" in r]
    latencies = [r["latency_ms"] for r in per_item]
    ranks = [r["source_rank"] for r in with_sources]
    return {
        "n": len(per_item),
        "source_recall@1": mean_or_none([float(r["source_at_1"]) for r in with_sources]),
        f"source_recall@{k}": mean_or_none([float(r["source_at_k"]) for r in with_sources]),
        "evidence_recall@1": mean_or_none([float(r["evidence_at_1"]) for r in with_keywords]),
        f"evidence_recall@{k}": mean_or_none([float(r["evidence_at_k"]) for r in with_keywords]),
        "mrr": mean_or_none([1.0 / rank if rank else 0.0 for rank in ranks]),
        "latency_ms.p50": percentile(latencies, 50),
        "latency_ms.p95": percentile(latencies, 95),
    }


def run_retrieval_eval(
    settings: Settings,
    dataset: Path,
    *,
    corpus: Path | None = None,
    report_dir: Path,
    k: int = 5,
    progress: bool = True,
) -> dict[str, Any]:
    """Run every system on every item; write ``metrics.json`` and ``report.md`` to ``report_dir``."""
    from tqdm import tqdm

    items = load_dataset(dataset)
    started = time.perf_counter()
    with _index_for(settings, corpus) as index:
        ingest_seconds = time.perf_counter() - started
        stats = index.stats()
        systems = build_systems(settings, index)
        for system in systems:  # warm-up: load models, caches and index files before timing
            for item in items[:WARMUP_QUERIES]:
                system.search(item.question, k)
        per_system: dict[str, list[dict[str, Any]]] = {s.name: [] for s in systems}
        for item in tqdm(items, desc="eval", unit="q", disable=not progress):
            for system in systems:
                per_system[system.name].append(_score_item(item, system, k))

    summaries = {s.name: {"description": s.description, **summarize(per_system[s.name], k)} for s in systems}
    metrics: dict[str, Any] = {
        "dataset": str(dataset),
        "corpus": str(corpus) if corpus else "bundled knowledge",
        "k": k,
        "mrr_depth": MRR_DEPTH,
        **summaries["hybrid"],
        "outcome_accuracy": None,  # answers are scored once the answering service exists
        "keyword_accuracy": None,
        "systems": summaries,
        "index": {**stats, "ingest_seconds": round(ingest_seconds, 2)},
        "items": [
            {"id": item.id, "question": item.question, **{s.name: per_system[s.name][i] for s in systems}}
            for i, item in enumerate(items)
        ],
    }
    write_metrics(report_dir, metrics)
    write_report(metrics, report_dir / "report.md")
    return metrics
