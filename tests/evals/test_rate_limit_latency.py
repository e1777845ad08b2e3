"""The rate-limiter benchmark runs end to end on a SQLite file and writes its figures (no timing asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from evals.rate_limit_latency import main


def test_the_benchmark_writes_every_figure(tmp_path: Path) -> None:
    metrics = main(["--rounds", "30", "--report", str(tmp_path)])
    written = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(metrics))
    for key in ("middleware_none", "middleware_memory"):
        assert set(written[key]) == {"p50_ms", "p95_ms", "p99_ms", "mean_ms"}
    assert set(written["sqlite"]) == {"take", "middleware_database"}
    assert "postgresql" not in written  # only with --database-url
    assert "sqlite: counter upsert alone" in (tmp_path / "report.md").read_text(encoding="utf-8")
