"""Learned second line of the topic-scope decision: a linear classifier of off-topic messages.

The hand-written scope guard (:func:`assistant.router.out_of_scope`) refuses the topic words it was
written for; this classifier scores the messages that would otherwise reach retrieval (a team-building
outing, a sketch for the annual party, an Excel formula). Logistic regression over sublinear TF-IDF of
character 1–3-grams of the router's screening form (NFKC, 繁→简, lower case, separators between
characters removed) and, when the model says so, of its Latin words and pairs of words
(:func:`assistant.safety_classifier.word_features`). Trained by ``evals/scope_train.py`` on the blind
training set scope2, the behaviour suite's off-topic items and the questions the product must answer.
The weights ship as ``knowledge/scope/model.npz`` (plain arrays, read with ``allow_pickle=False``) and
``model.json`` (threshold, feature settings, provenance). Run time needs only numpy; nothing loads at
import.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.handoff.routing_features import Features, FeatureSpec, feature_counts, with_extra
from assistant.linear_weights import linear_probability, read_weights, weights_problem
from assistant.safety_classifier import judged_by, word_features
from assistant.settings import PROJECT_ROOT

FORMAT_VERSION = 1
MODEL_DIR = PROJECT_ROOT / "knowledge" / "scope"
WEIGHTS_FILE = "model.npz"
META_FILE = "model.json"


def scope_features(screening_text: str, spec: FeatureSpec, words: bool = False) -> Features:
    """Features of a screening form as the model reads them: its character n-grams, and with ``words`` its
    Latin words and pairs of words first (negative keys; trainer and runtime both call this)."""
    grams = feature_counts(screening_text, spec)
    extra: Counter[int] = word_features(screening_text) if words else Counter()
    return with_extra(grams, extra)


class ScopeModelError(RuntimeError):
    """The model files are missing, malformed or of an unknown format."""


@dataclass(frozen=True)
class ScopeClassifier:
    """Vocabulary, idf, weights and the refusal threshold of the shipped scope model."""

    spec: FeatureSpec
    keys: np.ndarray  # sorted int64 feature keys
    idf: np.ndarray  # float32, one per key
    coef: np.ndarray  # float32, one per key
    intercept: float
    threshold: float
    min_cjk: int
    min_latin: int
    """Messages with fewer Chinese characters but this many Latin letters are judged too (0: never)."""
    words: bool
    meta: dict[str, Any]
    guard_release_bar: float = 0.0
    """A message the hand-written guard refuses is let through when judged and scored below this bar (0:
    never); chosen by the trainer's release rule."""

    @classmethod
    def load(cls, model_dir: Path = MODEL_DIR) -> ScopeClassifier:
        """Read ``model.json`` and ``model.npz`` (no pickles) and check that they fit together."""
        try:
            meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
            keys, idf, coef, intercept = read_weights(model_dir / WEIGHTS_FILE)
            if not isinstance(meta, dict):
                raise ValueError("model.json is not an object")
            spec = FeatureSpec.from_dict(meta["features"])
            threshold = float(meta["threshold"])
            min_cjk, min_latin = int(meta["min_cjk"]), int(meta.get("min_latin", 0))
            release_bar = float(meta.get("guard_release_bar", 0.0))
        except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise ScopeModelError(f"cannot read the scope model in {model_dir}: {exc}") from exc
        if meta.get("format") != FORMAT_VERSION:
            raise ScopeModelError(f"unknown scope model format {meta.get('format')!r}")
        problem = weights_problem(keys, idf, coef)
        if problem:
            raise ScopeModelError(f"scope model {problem}")
        if not 0.0 < threshold < 1.0:
            raise ScopeModelError(f"scope model threshold {threshold!r} out of range")
        if not 0.0 <= release_bar < threshold:
            raise ScopeModelError(f"scope model guard release bar {release_bar!r} out of range")
        return cls(
            spec=spec,
            keys=keys,
            idf=idf,
            coef=coef,
            intercept=intercept,
            threshold=threshold,
            min_cjk=min_cjk,
            min_latin=min_latin,
            words=bool(meta.get("words", False)),
            meta=meta,
            guard_release_bar=release_bar,
        )

    def probability(self, screening_text: str) -> float:
        """Probability that the text is off-topic for a government-service assistant (0–1)."""
        features = scope_features(screening_text, self.spec, self.words)
        return linear_probability(features, self.keys, self.idf, self.coef, self.intercept)

    def judges(self, screening_text: str) -> bool:
        """Whether the text has enough Chinese characters (or, when the model says so, Latin letters)."""
        return bool(judged_by(screening_text, self.min_cjk, self.min_latin))

    def flags(self, screening_text: str) -> bool:
        """Whether to refuse as off-topic: judged, and the probability at or above the threshold."""
        return self.judges(screening_text) and self.probability(screening_text) >= self.threshold

    def clears(self, screening_text: str) -> bool:
        """Whether a message the hand-written guard refuses is in scope all the same: judged, and scored
        below the guard release bar (体育彩票怎么兑奖, 雾霾天气为什么要减少外出活动)."""
        return (
            self.guard_release_bar > 0.0
            and self.judges(screening_text)
            and self.probability(screening_text) < self.guard_release_bar
        )


@functools.cache
def default_scope_classifier() -> ScopeClassifier:
    """The shipped model, loaded once on first use."""
    return ScopeClassifier.load(MODEL_DIR)


def flags_off_topic(screening_text: str) -> bool:
    """Whether the shipped scope model refuses this screening form of a message as off-topic."""
    return default_scope_classifier().flags(screening_text)


def clears_guard(screening_text: str) -> bool:
    """Whether the shipped scope model lets through a message the hand-written guard refuses."""
    return default_scope_classifier().clears(screening_text)
