"""Dense-search latency: embedded Chroma against a Chroma server (client/server mode), and the cost of the
generation check a worker makes with the ledger in PostgreSQL.

Indexes the bundled policies twice (embedded, and on the server at ``--chroma-url``), then times
``KnowledgeIndex.dense_search`` (query embedding included) and the bare Chroma query for the same
questions. Writes ``metrics.json`` and ``report.md`` to ``--report``.

    flock /tmp/govassist-bench.lock .venv/bin/python -m evals.vectorstore_latency \\
        --chroma-url http://127.0.0.1:8001 [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from assistant.components.vectorstore import open_chroma_client
from assistant.index.knowledge_index import KnowledgeIndex
from assistant.settings import PROJECT_ROOT, Settings
from evals.metrics_file import write_metrics
from ingest.pipeline import ingest_paths

QUESTIONS = [
    "How do I apply for a residence permit?",
    "electronic certificates accepted nationwide",
    "cross-province services for migrant workers",
    "one-stop online government service platform",
    "business license application time limit",
    "social security card replacement",
    "How long does approval take?",
    "which documents must be submitted in person",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(call: Callable[[], Any], rounds: int) -> dict[str, float]:
    """p50 / p95 / mean in milliseconds over ``rounds`` calls (after 5 warm-up calls)."""
    for _ in range(5):
        call()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(percentile(samples, 0.5), 3),
        "p95_ms": round(percentile(samples, 0.95), 3),
        "mean_ms": round(statistics.fmean(samples), 3),
        "n": rounds,
    }


def cycle(index: KnowledgeIndex, bare: bool) -> Callable[[], Any]:
    """Each call a question not asked before (a numbered variant), so no query-vector cache answers it."""
    vectors = [index.embedder.embed_query(q) for q in QUESTIONS]
    position = [0]

    def one() -> Any:
        position[0] += 1
        i = position[0] % len(QUESTIONS)
        if bare:
            return index.collection.query(query_embeddings=[vectors[i]], n_results=50, include=["distances"])
        return index.dense_search(f"{QUESTIONS[i]} ({position[0]})", 50)

    return one


def measure(settings: Settings, rounds: int) -> dict[str, Any]:
    index = KnowledgeIndex(settings)
    try:
        started = time.perf_counter()
        report = ingest_paths(index, [settings.knowledge_dir / "policies"], project_root=PROJECT_ROOT)
        ingest_s = time.perf_counter() - started
        return {
            "embedder": index.embedder.name,
            "chunks": report.chunks_total,
            "ingest_s": round(ingest_s, 2),
            "dense_search": timed(cycle(index, bare=False), rounds),
            "chroma_query_only": timed(cycle(index, bare=True), rounds),
        }
    finally:
        index.close()
        if settings.vectorstore_mode == "chroma-http":  # drop the benchmark's collection
            open_chroma_client(settings, settings.index_dir).delete_collection(settings.collection_name)


def generation_check(database_url: str, rounds: int) -> dict[str, Any]:
    from assistant.index.sql_chunkstore import SqlChunkStore

    store = SqlChunkStore.from_url(database_url, generation_max_age_s=0)
    cached = SqlChunkStore(store.engine, generation_max_age_s=1.0)
    try:
        return {
            "every_call_reads_postgresql": timed(store.generation, rounds),
            "re_read_every_1s": timed(cached.generation, rounds),
        }
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--chroma-url", required=True, help="A running `chroma run`, e.g. http://127.0.0.1:8001"
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL for the generation-check timing.")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--report", type=Path, default=Path("reports/vectorstore"))
    args = parser.parse_args()
    url = httpx.URL(args.chroma_url)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        embedded = measure(Settings(data_dir=Path(tmp) / "embedded", index_guides=False), args.rounds)
        server = measure(
            Settings(
                data_dir=Path(tmp) / "client",
                index_guides=False,
                vectorstore_mode="chroma-http",
                chroma_host=url.host,
                chroma_port=url.port or 8000,
                collection_name=f"bench-{uuid.uuid4().hex[:8]}",
            ),
            args.rounds,
        )
    metrics: dict[str, Any] = {
        "embedding_mode": Settings().embedding_mode,
        "embedded": embedded,
        "chroma_server": server,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    if args.database_url:
        metrics["generation_check"] = generation_check(args.database_url, args.rounds * 3)
    write_metrics(args.report, metrics)
    lines = [
        "# Dense search: embedded Chroma vs a Chroma server",
        "",
        f"Bundled policies ({embedded['chunks']} chunks), {args.rounds} queries, top 50, embedder "
        f"{embedded['embedder']}; dense_search includes embedding the (never repeated) question; ms.",
        "",
        "| | dense_search p50 | p95 | Chroma query only p50 | p95 |",
        "|---|---|---|---|---|",
    ]
    for name, part in (("embedded", embedded), ("chroma server (HTTP, loopback)", server)):
        dense, bare = part["dense_search"], part["chroma_query_only"]
        lines.append(
            f"| {name} | {dense['p50_ms']} | {dense['p95_ms']} | {bare['p50_ms']} | {bare['p95_ms']} |"
        )
    lines.append(
        f"\nLoad average before/after: {metrics['load_average_before']} / {metrics['load_average_after']}"
    )
    (args.report / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
