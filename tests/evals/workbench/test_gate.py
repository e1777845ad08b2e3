"""The regression gate against evals/baseline.json."""

from __future__ import annotations

import json
from pathlib import Path

from evals.workbench.gate import check, load_profile
from evals.workbench.registry import SUITES

PROFILE = {
    "metrics": {
        "qa.keywords_ok": {"value": 0.80, "tolerance": 0.05},
        "qa.has_unsupported": {"value": 0.0, "tolerance": 0.0, "direction": "lower"},
        "routing.department_correct": {"value": 0.9, "tolerance": 0.02},
    }
}


def test_drops_beyond_tolerance_fail_and_unavailable_suites_do_not() -> None:
    ok = check({"qa.keywords_ok": 0.76, "qa.has_unsupported": 0.0}, PROFILE, {"routing"})
    assert [c.status for c in ok] == ["ok", "ok", "not run"]
    bad = check(
        {"qa.keywords_ok": 0.74, "qa.has_unsupported": 0.01, "routing.department_correct": 0.5}, PROFILE
    )
    assert [c.status for c in bad] == ["FAIL", "FAIL", "FAIL"]
    missing = check({}, PROFILE)
    assert missing[0].status == "FAIL" and "baseline 0.8000" in missing[0].line()


def test_the_shipped_baseline_names_known_suites_and_metrics() -> None:
    path = Path(__file__).resolve().parents[3] / "evals" / "baseline.json"
    for name in ("smoke", "full"):
        profile = load_profile(path, name)
        assert set(profile["suites"]) <= set(SUITES)
        for metric, spec in profile["metrics"].items():
            suite, key = metric.split(".", 1)
            assert suite in profile["suites"]
            assert key in SUITES[suite]().metrics or key in {"unsupported_statement_rate"}, metric
            assert spec["tolerance"] >= 0 and spec.get("direction", "higher") in ("higher", "lower")
    assert json.loads(path.read_text(encoding="utf-8"))["profiles"]
