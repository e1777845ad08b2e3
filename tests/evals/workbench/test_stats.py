"""Paired bootstrap: deterministic, centred on the mean difference, and a verdict only outside noise."""

from __future__ import annotations

import pytest

from evals.workbench.stats import paired_bootstrap, verdict


def test_bootstrap_is_seeded_and_brackets_the_mean_difference() -> None:
    a = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0] * 5
    b = [1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0] * 5
    first, second = paired_bootstrap(a, b), paired_bootstrap(a, b)
    assert first == second
    assert first["diff"] == pytest.approx(0.25)
    assert first["ci_low"] <= first["diff"] <= first["ci_high"]
    assert verdict(first, "higher") == "better" and verdict(first, "lower") == "worse"
    assert first["ci_low"] < first["ci_high"]


def test_identical_and_empty_samples() -> None:
    same = paired_bootstrap([0.5, 1.0], [0.5, 1.0])
    assert same["diff"] == 0 and verdict(same, "higher") == "no clear difference"
    assert verdict(paired_bootstrap([], []), "higher") == "no data"
    with pytest.raises(ValueError):
        paired_bootstrap([1.0], [])
