"""How to spread E5 passage embedding over the cores: one OpenMP team of N, or N threads of one each.

``python -m evals.workbench.pool_bench --texts 120 --report reports/pool_bench`` embeds the first
distinct NCPPolicies chunks (as the ``ncppolicies`` suite indexes them) three ways — one thread; one
team of every core; every core a thread with a team of one, as ``PassagePool`` does — and writes wall
and CPU seconds, the load average and whether the vectors agree to ``metrics.json``. Run it under
``flock /tmp/govassist-bench.lock``; it needs ``../shared/external-data``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.metrics_file import write_metrics


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ncppolicies_texts(count: int) -> list[str]:
    """The first ``count`` distinct dense texts of the NCPPolicies corpus, chunked as the suite's index."""
    from assistant.index.knowledge_index import dense_text
    from assistant.settings import Settings
    from evals.workbench.suites_reading import NcpPoliciesSuite
    from ingest.chunker import ChunkingOptions
    from ingest.loaders import load_path
    from ingest.pipeline import prepare_document

    suite = NcpPoliciesSuite()
    suite.load()
    assert suite.corpus is not None
    settings = Settings()
    options = ChunkingOptions(
        settings.chunk_max_chars, settings.chunk_overlap_chars, settings.chunk_min_chars
    )
    texts = [
        dense_text(chunk)
        for doc in load_path(suite.corpus, root=suite.corpus.parent)
        for chunk in prepare_document(doc, options)[1]
    ]
    return list(dict.fromkeys(texts))[:count]


def split_threads(
    embed: Callable[[list[str], int], list[list[float]]], texts: list[str], threads: int
) -> list[list[float]]:
    """``texts`` embedded by ``threads`` threads, each on its own share with a team of one."""
    shares = [texts[n::threads] for n in range(threads)]
    rows: list[list[list[float]]] = [[] for _ in shares]

    def work(n: int) -> None:
        rows[n] = embed(shares[n], 1)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out: list[list[float]] = [[] for _ in texts]
    for n, share_rows in enumerate(rows):
        out[n::threads] = share_rows
    return out


def measure(texts: list[str], cores: int) -> dict[str, Any]:
    """Wall and CPU seconds of each way, with the load average before and after."""
    from assistant.components.e5_embeddings import E5Embedder

    embedder = E5Embedder(threads=1)
    embedder.embed_passages(texts[:2], 1)  # load the model outside the timings
    ways: dict[str, Callable[[], list[list[float]]]] = {
        "one thread": lambda: embedder.embed_passages(texts, 1),
        f"one team of {cores}": lambda: embedder.embed_passages(texts, cores),
        f"{cores} threads of one": lambda: split_threads(embedder.embed_passages, texts, cores),
    }
    result: dict[str, Any] = {"texts": len(texts), "cores": cores, "load_before": os.getloadavg()[0]}
    vectors = []
    for name, run in ways.items():
        wall, cpu = time.perf_counter(), _cpu()
        vectors.append(run())
        result[name] = {"wall_s": round(time.perf_counter() - wall, 1), "cpu_s": round(_cpu() - cpu, 1)}
    result["load_after"] = os.getloadavg()[0]
    result["same_vectors"] = all(v == vectors[0] for v in vectors)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--texts", type=int, default=120)
    parser.add_argument("--report", type=Path, default=Path("reports/pool_bench"))
    args = parser.parse_args(argv)
    result = measure(ncppolicies_texts(args.texts), os.cpu_count() or 1)
    write_metrics(args.report, result)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
