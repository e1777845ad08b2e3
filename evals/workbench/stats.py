"""Paired differences between two configurations, with seeded bootstrap confidence intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

SEED = 20261122
RESAMPLES = 2000


def paired_bootstrap(
    a: Sequence[float],
    b: Sequence[float],
    *,
    seed: int = SEED,
    resamples: int = RESAMPLES,
    level: float = 0.95,
) -> dict[str, Any]:
    """Mean of ``b - a`` over paired items and its percentile bootstrap interval (deterministic)."""
    if len(a) != len(b):
        raise ValueError("paired samples differ in length")
    if not a:
        return {"n": 0, "mean_a": None, "mean_b": None, "diff": None, "ci_low": None, "ci_high": None}
    diffs = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    rng = np.random.default_rng(seed)
    means = diffs[rng.integers(0, len(diffs), size=(resamples, len(diffs)))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return {
        "n": len(diffs),
        "mean_a": float(np.mean(a)),
        "mean_b": float(np.mean(b)),
        "diff": float(diffs.mean()),
        "ci_low": float(low),
        "ci_high": float(high),
    }


def verdict(diff: dict[str, Any], direction: str) -> str:
    """``better`` / ``worse`` when the interval excludes 0, else ``no clear difference``."""
    if diff["n"] == 0 or diff["ci_low"] is None:
        return "no data"
    if diff["ci_low"] > 0 or diff["ci_high"] < 0:
        up = diff["ci_low"] > 0
        return "better" if up == (direction == "higher") else "worse"
    return "no clear difference"
