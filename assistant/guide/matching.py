"""The result type of matching free text to catalogue items (shared by the matcher and the dialogue)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.guide.models import ServiceGuide


@dataclass(frozen=True)
class GuideMatch:
    """A candidate item for a citizen's request; ``score`` is 0–1 (higher fits better)."""

    guide: ServiceGuide
    score: float
    matched_on: str = ""  # the name, alias or synonym that made it match (for explanations)


class Matcher(Protocol):
    """What the guided dialogue needs from a matcher."""

    def search(self, text: str, k: int = 5) -> list[GuideMatch]:
        """The best ``k`` candidates, best first (may hold weak ones)."""
        ...

    def decide(self, text: str) -> Sequence[GuideMatch]:
        """Confident candidates only: empty when ``text`` is not a request for a catalogued service,
        one when it clearly names one item, several (≤ 5) when the citizen should choose."""
        ...
