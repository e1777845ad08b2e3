"""智能预审 benchmark on generated materials of made-up people (see evals/datasets/PREREVIEW.md).

``govassist eval-prereview --cases DIR [--n 220] --report reports/prereview``: generates the set into
DIR when it holds no ``cases.jsonl`` yet, runs every case through the real pipeline (real OCR), and
scores material-type accuracy, planted-defect recall, false alarms on clean cases, missing-material
detection, verdict accuracy and per-stage times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.container import build_prereview
from assistant.guide.service import GuideService
from assistant.lexicon import load_lexicon
from assistant.prereview.models import PrereviewReport
from assistant.settings import Settings
from assistant.tokenization import ChineseTokenizer
from evals.metrics import percentile
from evals.metrics_file import write_metrics


def ensure_cases(folder: Path, n: int, seed: int, today: str) -> Path:
    """The case file, generated first when absent."""
    cases = folder / "cases.jsonl"
    if not cases.exists():
        command = [sys.executable, "-m", "evals.prereview_samples", "--out", str(folder), "--n", str(n)]
        subprocess.run([*command, "--seed", str(seed), "--today", today], check=True)
    return cases


def score_case(case: dict[str, Any], report: PrereviewReport) -> dict[str, Any]:
    """Compare one report with what the case expects."""
    expected = case["expected"]
    by_name = {f.display_name: f for f in report.files}
    typed = [
        (f["material_type"], by_name[Path(f["path"]).name].classification.material_type)
        for f in case["files"]
        if Path(f["path"]).name in by_name
    ]
    reported = {p.code for m in report.materials for p in m.problems} | {p.code for p in report.cross_checks}
    statuses = {m.material_id: m.status for m in report.materials}
    found = []
    for defect in expected["defects"]:
        hit = bool(set(defect["accepted"]) & reported)
        if defect["code"] == "missing_material":
            hit = hit or statuses.get(defect["material_id"]) == "missing"
        if defect["code"] == "unreadable":
            hit = hit or statuses.get(defect["material_id"]) == "unreadable"
        found.append({"code": defect["code"], "found": hit})
    clean = not expected["defects"]
    tolerated = set(expected["tolerated"]["problems"])
    false_alarm = clean and (report.verdict != "ready" or bool(reported - tolerated - {"unreadable_file"}))
    return {
        "id": case["id"],
        "service_id": case["service_id"],
        "files": len(case["files"]),
        "types": typed,
        "defects": found,
        "clean": clean,
        "false_alarm": false_alarm,
        "verdict_ok": report.verdict == expected["verdict"],
        "reported": sorted(reported),
        "timings_ms": dict(report.timings_ms),
    }


def run_prereview_eval(settings: Settings, cases_dir: Path, report_dir: Path, n: int = 220) -> dict[str, Any]:
    """Run and score the set; write ``metrics.json``; return the metrics."""
    cases_file = ensure_cases(cases_dir, n, 7, "2026-11-22")
    cases = [json.loads(line) for line in cases_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    guides = GuideService(settings.guides_dir, ChineseTokenizer(load_lexicon(settings.lexicon_dir)))
    service = build_prereview(settings, guides)
    results = []
    load_before = os.getloadavg()
    started = time.perf_counter()
    for case in tqdm(cases, desc="pre-review", unit="case"):
        service.today = _fixed_day(date.fromisoformat(case["today"]))
        files = [(Path(f["path"]).name, (cases_dir / f["path"]).read_bytes()) for f in case["files"]]
        outcome = service.review(case["service_id"], case["answers"], files)
        results.append(score_case(case, outcome.report))
        service.delete(outcome.report.review_id)
    types = [pair for r in results for pair in r["types"]]
    defects = [d for r in results for d in r["defects"]]
    missing = [d for d in defects if d["code"] == "missing_material"]
    clean = [r for r in results if r["clean"]]
    five_cases = [r for r in results if 4 <= r["files"] <= 6]
    five = [r["timings_ms"]["total_ms"] for r in five_cases]
    stages = sorted({k for r in results for k in r["timings_ms"]})
    metrics = {
        "cases": len(results),
        "files": len(types),
        "material_type_accuracy": _share(sum(t == p for t, p in types), len(types)),
        "defect_recall": _share(sum(d["found"] for d in defects), len(defects)),
        "defects": len(defects),
        "false_alarm_rate_clean": _share(sum(r["false_alarm"] for r in clean), len(clean)),
        "clean_cases": len(clean),
        "missing_material_recall": _share(sum(d["found"] for d in missing), len(missing)),
        "verdict_accuracy": _share(sum(r["verdict_ok"] for r in results), len(results)),
        "recall_by_defect": {
            code: _share(
                sum(d["found"] for d in defects if d["code"] == code), sum(d["code"] == code for d in defects)
            )
            for code in sorted({d["code"] for d in defects})
        },
        "case_ms_4_to_6_files": {"p50": percentile(five, 50), "p95": percentile(five, 95), "n": len(five)},
        "stage_ms_p50": {s: percentile([r["timings_ms"].get(s, 0.0) for r in results], 50) for s in stages},
        "stage_ms_4_to_6_files": stage_summary(five_cases, stages),
        "seconds": round(time.perf_counter() - started, 1),
        "machine": {"cpus": os.cpu_count(), "load_before": load_before, "load_after": os.getloadavg()},
        "items": results,
    }
    write_metrics(report_dir, metrics)
    return metrics


def stage_summary(results: list[dict[str, Any]], stages: list[str]) -> dict[str, dict[str, float | None]]:
    """Per stage of a pre-review (decode, detect, orient, recognise, classify, …): p50, p95 and mean ms
    per case, and the stage's share of the summed total time."""
    total = sum(r["timings_ms"].get("total_ms", 0.0) for r in results) or 1.0
    summary: dict[str, dict[str, float | None]] = {}
    for stage in stages:
        values = [r["timings_ms"].get(stage, 0.0) for r in results]
        summary[stage] = {
            "p50": percentile(values, 50),
            "p95": percentile(values, 95),
            "mean": round(sum(values) / len(values), 1) if values else None,
            "share": round(sum(values) / total, 3),
        }
    return summary


def _fixed_day(day: date) -> Callable[[], date]:
    return lambda: day


def _share(count: float, total: int) -> float | None:
    return round(count / total, 4) if total else None
