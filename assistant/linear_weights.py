"""The weights of a binary linear text model (the safety and the scope classifier): read from
``model.npz`` without pickles, checked to fit together, and turned into one text's probability."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from assistant.handoff.routing_features import Features, vectorize

Weights = tuple[np.ndarray, np.ndarray, np.ndarray, float]
"""Sorted int64 feature keys, float32 idf and coefficients (one per key), and the intercept."""


def read_weights(path: Path) -> Weights:
    """The arrays of ``path``; raises OSError, ValueError, KeyError or IndexError when it cannot be read."""
    with np.load(path, allow_pickle=False) as arrays:
        return (
            arrays["keys"].astype(np.int64),
            arrays["idf"].astype(np.float32),
            arrays["coef"].astype(np.float32),
            float(arrays["intercept"].reshape(-1)[0]),
        )


def weights_problem(keys: np.ndarray, idf: np.ndarray, coef: np.ndarray) -> str | None:
    """Why the arrays cannot serve a model (``arrays do not fit together``, ``keys are not sorted``);
    None when they can."""
    if keys.ndim != 1 or idf.shape != keys.shape or coef.shape != keys.shape:
        return "arrays do not fit together"
    if keys.size > 1 and not bool(np.all(keys[1:] > keys[:-1])):
        return "keys are not sorted"
    return None


def linear_probability(
    features: Features, keys: np.ndarray, idf: np.ndarray, coef: np.ndarray, intercept: float
) -> float:
    """The logistic probability of a text's features under the weights (unknown features count for
    nothing)."""
    cols, values = vectorize(features, keys, idf)
    score = float(values @ coef[cols]) + intercept if cols.size else intercept
    return 1.0 / (1.0 + math.exp(-score))
