"""The guided dialogue's state (persisted by the caller between turns) and the result of one turn."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from assistant.guide.checklist import Checklist
from assistant.guide.models import ServiceGuide

Stage = Literal["choose", "situations", "done"]
TurnKind = Literal["clarify_item", "ask", "reask", "checklist", "left", "not_a_guide"]
STAGES: tuple[Stage, ...] = ("choose", "situations", "done")


@dataclass
class GuideState:
    """Where a guided dialogue stands; ``to_dict`` / ``from_dict`` round-trip it through JSON.

    ``answers`` maps situation ids to option ids; ``order`` lists the answered situation ids, oldest
    first (for "上一步"); ``asking`` is the situation just asked; ``reasks`` counts failed replies in
    a row; ``opening`` is the citizen's first message (its words may answer questions after an item
    is chosen); ``editing`` is set while the citizen chooses which answer to change.
    """

    stage: Stage = "choose"
    candidates: list[str] = field(default_factory=list)
    guide_id: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    questions_asked: int = 0
    asking: str | None = None
    reasks: int = 0
    opening: str = ""
    editing: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "stage": self.stage,
            "candidates": list(self.candidates),
            "guide_id": self.guide_id,
            "answers": dict(self.answers),
            "order": list(self.order),
            "questions_asked": self.questions_asked,
            "asking": self.asking,
            "reasks": self.reasks,
            "opening": self.opening,
            "editing": self.editing,
        }

    @classmethod
    def from_dict(cls, data: object) -> GuideState:
        """Rebuild a state, ignoring unknown keys and replacing missing or malformed values by defaults.

        Whether the guide and its answers still exist is checked by the dialogue, not here.
        """
        raw: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        guide_id = _text(raw.get("guide_id"))
        stage = raw.get("stage")
        if stage not in STAGES:
            stage = "situations" if guide_id else "choose"
        answers_raw = raw.get("answers")
        answers = (
            {k: v for k, v in answers_raw.items() if isinstance(k, str) and isinstance(v, str) and k and v}
            if isinstance(answers_raw, Mapping)
            else {}
        )
        order = [s for s in dict.fromkeys(_strings(raw.get("order"))) if s in answers]
        order += [s for s in answers if s not in order]  # every answer can be undone
        return cls(
            stage=cast(Stage, stage),
            candidates=list(dict.fromkeys(_strings(raw.get("candidates")))),
            guide_id=guide_id,
            answers=answers,
            order=order,
            questions_asked=_count(raw.get("questions_asked")),
            asking=_text(raw.get("asking")),
            reasks=_count(raw.get("reasks")),
            opening=_text(raw.get("opening")) or "",
            editing=raw.get("editing") is True,
        )


@dataclass(frozen=True)
class GuideTurn:
    """What the assistant says in one guided turn.

    ``options`` are shown as buttons; ``state`` is None when the flow ended or was left (a ``left``
    turn with empty ``text`` means: handle the citizen's message as a new one).
    """

    kind: TurnKind
    text: str
    options: list[str] = field(default_factory=list)
    state: GuideState | None = None
    checklist: Checklist | None = None
    guide: ServiceGuide | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the guide by id and name only)."""
        return {
            "kind": self.kind,
            "text": self.text,
            "options": list(self.options),
            "state": self.state.to_dict() if self.state else None,
            "checklist": self.checklist.to_dict() if self.checklist else None,
            "guide": {"id": self.guide.id, "name": self.guide.name} if self.guide else None,
        }


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
