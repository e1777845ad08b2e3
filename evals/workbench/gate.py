"""The regression gate: compare a run's reference configuration with ``evals/baseline.json``.

Baseline format::

    {"profiles": {"smoke": {"suites": ["qa", ...],
                            "metrics": {"qa.keywords_ok": {"value": 0.83, "tolerance": 0.05}, ...}},
                  "full": {...}}}

A metric fails when it is worse than ``value`` by more than ``tolerance`` in its direction
(``higher`` unless ``"direction": "lower"``), or when its suite ran and the metric is missing.
A metric of a suite that was unavailable on this machine (no ../shared) is reported, not failed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class GateCheck:
    metric: str
    baseline: float
    tolerance: float
    direction: str
    value: float | None
    status: str  # "ok" | "FAIL" | "not run"

    def line(self) -> str:
        got = "—" if self.value is None else f"{self.value:.4f}"
        sign = "≥" if self.direction == "higher" else "≤"
        bound = (
            self.baseline - self.tolerance if self.direction == "higher" else self.baseline + self.tolerance
        )
        return (
            f"{self.status:7} {self.metric}: {got} (baseline {self.baseline:.4f}, needs {sign} {bound:.4f})"
        )


def load_profile(path: Path, profile: str) -> dict[str, Any]:
    """The ``profile`` section of a baseline file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    try:
        section: dict[str, Any] = data["profiles"][profile]
    except (KeyError, TypeError) as error:
        raise ValueError(f"{path} has no profile {profile!r}") from error
    return section


def check(
    values: dict[str, float | None],
    profile: dict[str, Any],
    unavailable: set[str] | frozenset[str] = frozenset(),
) -> list[GateCheck]:
    """One check per baseline metric."""
    checks: list[GateCheck] = []
    for metric, spec in profile.get("metrics", {}).items():
        direction = spec.get("direction", "higher")
        base, tolerance = float(spec["value"]), float(spec.get("tolerance", 0.0))
        value = values.get(metric)
        if metric.split(".", 1)[0] in unavailable:
            status = "not run"
        elif value is None:
            status = "FAIL"
        else:
            worse = base - value if direction == "higher" else value - base
            status = "FAIL" if worse > tolerance + 1e-12 else "ok"
        checks.append(GateCheck(metric, base, tolerance, direction, value, status))
    return checks


def baseline_from(values: dict[str, float | None], metrics: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Baseline entries for ``metrics`` (name → {tolerance, direction}) from a run's values."""
    return {
        name: {**spec, "value": round(float(value), 4)}
        for name, spec in metrics.items()
        if (value := values.get(name)) is not None
    }
