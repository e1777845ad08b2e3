"""Routing (派单) and triage: suggest the handling department and the message category.

Two linear classifiers over character n-grams (see :mod:`assistant.handoff.routing_features`),
trained on real Beijing 12345 / 首都之窗 data by ``evals/routing_train.py``. The weights ship as
``knowledge/routing/model.npz`` (plain arrays, read with ``allow_pickle=False``) and ``model.json``
(class names, feature settings, provenance). Run time needs only numpy; nothing loads at import.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.handoff.routing_features import FeatureSpec, feature_counts, vectorize
from assistant.settings import PROJECT_ROOT
from assistant.tokenization import cjk_chars

FORMAT_VERSION = 1
MODEL_DIR = PROJECT_ROOT / "knowledge" / "routing"
WEIGHTS_FILE = "model.npz"
META_FILE = "model.json"
TASKS = ("department", "category")
TOP_K = 3

TICKET_CATEGORIES: dict[str, tuple[str, ...]] = {
    "咨询": ("咨询",),
    "建言": ("建议",),
    "投诉/求助": ("投诉", "求助"),
}
"""Ticket categories (咨询 / 求助 / 投诉 / 建议) each data label may stand for (投诉/求助 is one label)."""


class RoutingModelError(RuntimeError):
    """The model files are missing, malformed or of an unknown format."""


@dataclass(frozen=True)
class Candidate:
    """One suggested label and the model's confidence in it (0–1)."""

    label: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "confidence": round(self.confidence, 4)}


@dataclass(frozen=True)
class RoutingSuggestion:
    """Suggested department and category, with the top alternatives of each (best first).

    A task's label is ``None`` (and its alternatives empty) when the text gives it nothing to go on.
    """

    department: str | None
    department_confidence: float
    category: str | None
    category_confidence: float
    departments: tuple[Candidate, ...] = ()
    categories: tuple[Candidate, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the API and the agent console)."""
        return {
            "department": self.department,
            "department_confidence": round(self.department_confidence, 4),
            "category": self.category,
            "category_confidence": round(self.category_confidence, 4),
            "departments": [c.to_dict() for c in self.departments],
            "categories": [c.to_dict() for c in self.categories],
        }


@dataclass(frozen=True)
class LinearHead:
    """One task's classifier: vocabulary keys, idf, weights and a softmax temperature."""

    classes: tuple[str, ...]
    keys: np.ndarray  # sorted int64 n-gram keys
    idf: np.ndarray  # float32, one per key
    coef: np.ndarray  # float32, keys × classes
    intercept: np.ndarray  # float32, one per class
    temperature: float

    def probabilities(self, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Softmax of the linear scores of a vectorised text."""
        scores = values @ self.coef[cols] + self.intercept
        z = scores / self.temperature
        z = np.exp(z - z.max())
        return np.asarray(z / z.sum())

    def top(self, probs: np.ndarray, k: int = TOP_K) -> tuple[Candidate, ...]:
        order = np.argsort(-probs, kind="stable")[:k]
        return tuple(Candidate(self.classes[i], float(probs[i])) for i in order)


class RoutingModel:
    """The department and category classifiers, loaded from a model folder."""

    def __init__(self, spec: FeatureSpec, heads: dict[str, LinearHead], meta: dict[str, Any]) -> None:
        self.spec = spec
        self.heads = heads
        self.meta = meta

    @classmethod
    def load(cls, model_dir: Path = MODEL_DIR) -> RoutingModel:
        """Read ``model.json`` and ``model.npz`` (no pickles) and check that they fit together."""
        meta_path, weights_path = model_dir / META_FILE, model_dir / WEIGHTS_FILE
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            with np.load(weights_path, allow_pickle=False) as arrays:
                data = {name: arrays[name] for name in arrays.files}
        except (OSError, ValueError) as exc:
            raise RoutingModelError(f"cannot read the routing model in {model_dir}: {exc}") from exc
        if meta.get("format") != FORMAT_VERSION:
            raise RoutingModelError(f"unknown routing model format {meta.get('format')!r}")
        heads = {task: _head(task, meta, data) for task in TASKS}
        return cls(FeatureSpec.from_dict(meta["features"]), heads, meta)

    def predict(self, text: str) -> RoutingSuggestion:
        """Suggest a department and a category for a citizen's message.

        A text without Chinese characters, or with no n-gram the model knows, gets no suggestion.
        """
        text = (text or "")[: self.spec.max_chars * 2]
        if not cjk_chars(text):  # the models know Chinese messages only
            return RoutingSuggestion(None, 0.0, None, 0.0)
        features = feature_counts(text, self.spec)
        tops: dict[str, tuple[Candidate, ...]] = {}
        for task, head in self.heads.items():
            cols, values = vectorize(features, head.keys, head.idf)
            tops[task] = head.top(head.probabilities(cols, values)) if cols.size else ()
        dept, cat = tops["department"], tops["category"]
        return RoutingSuggestion(
            department=dept[0].label if dept else None,
            department_confidence=dept[0].confidence if dept else 0.0,
            category=cat[0].label if cat else None,
            category_confidence=cat[0].confidence if cat else 0.0,
            departments=dept,
            categories=cat,
        )


def _head(task: str, meta: dict[str, Any], data: dict[str, np.ndarray]) -> LinearHead:
    try:
        info = meta["tasks"][task]
        head = LinearHead(
            classes=tuple(info["classes"]),
            keys=data[f"{task}__keys"].astype(np.int64),
            idf=data[f"{task}__idf"].astype(np.float32),
            coef=data[f"{task}__coef"].astype(np.float32),
            intercept=data[f"{task}__intercept"].astype(np.float32),
            temperature=float(info["temperature"]),
        )
    except KeyError as exc:
        raise RoutingModelError(f"routing model lacks {exc} for {task!r}") from exc
    n_keys, n_classes = head.keys.shape[0], len(head.classes)
    if head.idf.shape != (n_keys,) or head.coef.shape != (n_keys, n_classes):
        raise RoutingModelError(f"routing model arrays for {task!r} do not fit together")
    if head.intercept.shape != (n_classes,) or head.temperature <= 0:
        raise RoutingModelError(f"routing model intercept or temperature for {task!r} is invalid")
    if n_keys > 1 and not bool(np.all(head.keys[1:] > head.keys[:-1])):
        raise RoutingModelError(f"routing model keys for {task!r} are not sorted")
    return head


@functools.cache
def default_model() -> RoutingModel:
    """The shipped model, loaded once on first use."""
    return RoutingModel.load(MODEL_DIR)


def predict(text: str) -> RoutingSuggestion:
    """Suggest a department and a category with the shipped model."""
    return default_model().predict(text)
