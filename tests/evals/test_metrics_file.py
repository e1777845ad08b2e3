"""Benchmarks' figures written to ``metrics.json``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from evals.metrics_file import write_metrics


def test_figures_are_written_readable_into_a_new_folder(tmp_path: Path) -> None:
    path = write_metrics(tmp_path / "reports" / "demo", {"问题": "居住证", "recall": 0.95})
    assert path == tmp_path / "reports" / "demo" / "metrics.json"
    text = path.read_text(encoding="utf-8")
    assert "居住证" in text and text.endswith("}\n")
    assert json.loads(text) == {"问题": "居住证", "recall": 0.95}


def test_a_second_run_replaces_the_first_and_default_converts_unknown_values(tmp_path: Path) -> None:
    write_metrics(tmp_path, {"run": 1, "stale": True})
    write_metrics(tmp_path, {"run": 2, "day": date(2026, 11, 24)}, default=str)
    assert json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8")) == {
        "run": 2,
        "day": "2026-11-24",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]
