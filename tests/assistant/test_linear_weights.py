"""Weights of the binary linear text models: read back, checked, and scored."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from assistant.handoff.routing_features import FeatureSpec, feature_counts, gram_key
from assistant.linear_weights import linear_probability, read_weights, weights_problem

KEYS = np.array([gram_key("保"), gram_key("社")], dtype=np.int64)  # sorted: 保 < 社
IDF = np.array([2.0, 1.0], dtype=np.float32)
COEF = np.array([-1.0, 3.0], dtype=np.float32)


def test_weights_read_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    np.savez_compressed(path, allow_pickle=False, keys=KEYS, idf=IDF, coef=COEF, intercept=np.array([0.5]))
    keys, idf, coef, intercept = read_weights(path)
    assert keys.dtype == np.int64 and idf.dtype == coef.dtype == np.float32
    assert keys.tolist() == KEYS.tolist() and coef.tolist() == [-1.0, 3.0] and intercept == 0.5
    assert weights_problem(keys, idf, coef) is None


def test_arrays_that_cannot_serve_are_named() -> None:
    assert weights_problem(KEYS, IDF[:1], COEF) == "arrays do not fit together"
    assert (
        weights_problem(KEYS.reshape(1, 2), IDF.reshape(1, 2), COEF.reshape(1, 2))
        == "arrays do not fit together"
    )
    assert weights_problem(KEYS[::-1].copy(), IDF, COEF) == "keys are not sorted"


def test_the_probability_is_the_logistic_of_the_known_features() -> None:
    spec = FeatureSpec(min_n=1, max_n=1)
    unknown = feature_counts("天气", spec)
    assert math.isclose(linear_probability(unknown, KEYS, IDF, COEF, 0.5), 1 / (1 + math.exp(-0.5)))
    one = feature_counts("社", spec)  # a single known feature: its L2-normalised TF-IDF value is 1
    assert math.isclose(linear_probability(one, KEYS, IDF, COEF, 0.5), 1 / (1 + math.exp(-3.5)), rel_tol=1e-6)
