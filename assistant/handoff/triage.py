"""The optional routing (派单) hook: a suggested department and ticket category for a citizen's text.

The classifier lives in :mod:`assistant.handoff.routing` and ships as a model file that may be absent;
:func:`load_routing_hook` wraps it so callers (the chat's handoff, agent assist) get ``None`` rather
than an error when it is not available. Nothing is loaded until the hook is first called.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.handoff.lifecycle import Category

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoutingHint:
    """A suggested department and ticket category (咨询 / 求助 / 投诉 / 建议), with confidences."""

    department: str
    category: Category | None
    department_confidence: float = 0.0
    category_confidence: float = 0.0
    alternatives: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "category": self.category.value if self.category is not None else None,
            "department_confidence": round(self.department_confidence, 4),
            "category_confidence": round(self.category_confidence, 4),
            "alternatives": self.alternatives or {},
        }


RoutingHook = Callable[[str], RoutingHint | None]
"""Text in, a hint out (``None`` when the model is unavailable or has nothing to say)."""


def ticket_category(label: str | None, mapping: dict[str, tuple[str, ...]] | None = None) -> Category | None:
    """The ticket category a classifier label stands for (``投诉/求助`` → 投诉), if any."""
    if not label:
        return None
    for candidate in (*(mapping or {}).get(label, ()), label, *label.split("/")):
        try:
            return Category(candidate)
        except ValueError:
            continue
    return None


class LazyRoutingHook:
    """Loads the shipped routing model on first use; a missing or broken model disables the hook."""

    def __init__(self) -> None:
        self._predict: Callable[[str], Any] | None = None
        self._mapping: dict[str, tuple[str, ...]] = {}
        self._failed = False
        self._lock = threading.Lock()

    def _load(self) -> Callable[[str], Any] | None:
        with self._lock:
            if self._predict is None and not self._failed:
                try:
                    from assistant.handoff import routing

                    model = routing.default_model()
                    self._predict = model.predict
                    self._mapping = dict(getattr(routing, "TICKET_CATEGORIES", {}))
                except Exception as error:  # an optional model: any failure means "no suggestion"
                    logger.warning("routing model unavailable, no 派单 suggestions: %s", error)
                    self._failed = True
            return self._predict

    def __call__(self, text: str) -> RoutingHint | None:
        predict = self._load()
        if predict is None or not text.strip():
            return None
        suggestion = predict(text)
        department = getattr(suggestion, "department", None)
        if not department:
            return None
        to_dict = getattr(suggestion, "to_dict", None)
        return RoutingHint(
            department=str(department),
            category=ticket_category(getattr(suggestion, "category", None), self._mapping),
            department_confidence=float(getattr(suggestion, "department_confidence", 0.0)),
            category_confidence=float(getattr(suggestion, "category_confidence", 0.0)),
            alternatives=to_dict() if callable(to_dict) else None,
        )


def load_routing_hook() -> RoutingHook:
    """The routing hook over the shipped model (loaded lazily; returns ``None`` hints when absent)."""
    return LazyRoutingHook()
