"""Generate a pre-review sample set: ``cases.jsonl`` plus the rendered files, in parallel."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from evals.prereview_samples.cases import CATALOGUE, build_case, write_case


@dataclass(frozen=True)
class Job:
    index: int
    seed: int
    today: date
    out: Path
    catalogue: Path


def _run(job: Job) -> dict[str, Any]:
    return write_case(build_case(job.index, job.seed, job.today, job.catalogue), job.out)


def generate(
    out: Path,
    n: int = 220,
    seed: int = 7,
    today: date | None = None,
    *,
    workers: int | None = None,
    catalogue: Path = CATALOGUE,
) -> list[dict[str, Any]]:
    """Write ``n`` cases under ``out`` (``cases.jsonl`` and ``files/``); returns the records in order."""
    today = today or date.today()
    out.mkdir(parents=True, exist_ok=True)
    jobs = [Job(i, seed, today, out, catalogue) for i in range(n)]
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    if workers <= 1 or n < 4:
        records = [_run(job) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            records = list(pool.map(_run, jobs, chunksize=2))
    with (out / "cases.jsonl").open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return records


def summary(records: list[dict[str, Any]], seconds: float | None = None) -> str:
    """A few lines on what was generated: services, clean share, defects, files."""
    services = Counter(r["service_id"] for r in records)
    clean = sum(1 for r in records if not r["expected"]["problems"])
    defects = Counter(code for r in records for code in r["expected"]["problems"])
    files = [f for r in records for f in r["files"]]
    types = Counter(f["material_type"] for f in files)
    lines = [
        f"{len(records)} cases ({clean} clean, {len(records) - clean} with defects), {len(files)} files"
        + (f", {seconds:.1f} s" if seconds is not None else ""),
        "services: " + ", ".join(f"{k} {v}" for k, v in sorted(services.items())),
        "defects: " + ", ".join(f"{k} {v}" for k, v in sorted(defects.items())),
        "material types: " + ", ".join(f"{k} {v}" for k, v in sorted(types.items())),
        f"degraded files: {sum(f['degraded'] for f in files)}; stray files: "
        f"{sum(len(r['expected']['unmatched_files']) for r in records)}",
    ]
    return "\n".join(lines)


def timed_generate(
    out: Path, n: int, seed: int, today: date, workers: int | None = None
) -> tuple[list[dict[str, Any]], float]:
    start = time.perf_counter()
    records = generate(out, n, seed, today, workers=workers)
    return records, time.perf_counter() - start
