"""Where agent-assist suggestions and the agents' verdicts on them (used / edited / discarded) are kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Engine, ForeignKey, Integer, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from assistant.components.tables import create_tables
from assistant.handoff.errors import HandoffError, InvalidValueError
from assistant.handoff.lifecycle import parse_enum
from assistant.handoff.models import UtcDateTime, utcnow
from assistant.privacy import mask_pii
from assistant.sessions.migrate import add_missing_columns

MAX_FINAL_TEXT = 4000


class SuggestionAction(StrEnum):
    USED = "used"
    EDITED = "edited"
    DISCARDED = "discarded"


class SuggestionNotFoundError(HandoffError):
    """No suggestion has this id (or it belongs to another ticket)."""

    http_status = 404

    def __init__(self, suggestion_id: str) -> None:
        super().__init__(f"suggestion {suggestion_id} does not exist for this ticket")
        self.suggestion_id = suggestion_id


class AssistBase(DeclarativeBase):
    pass


class SuggestionRow(AssistBase):
    __tablename__ = "assist_suggestions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    ticket_id: Mapped[str | None] = mapped_column(String(40), index=True, nullable=True)
    question: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SuggestionFeedbackRow(AssistBase):
    __tablename__ = "assist_feedback"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    suggestion_id: Mapped[str] = mapped_column(ForeignKey("assist_suggestions.id"), index=True)
    ticket_id: Mapped[str | None] = mapped_column(String(40), index=True, nullable=True)
    agent: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    final_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


@dataclass(frozen=True)
class SuggestionFeedback:
    """One agent's verdict on one suggestion."""

    suggestion_id: str
    ticket_id: str | None
    agent: str
    action: SuggestionAction
    final_text: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "suggestion_id": self.suggestion_id,
            "ticket_id": self.ticket_id,
            "agent": self.agent,
            "action": self.action.value,
            "final_text": self.final_text,
            "created_at": self.created_at.isoformat(),
        }


class SuggestionStore:
    """Suggestions (kept once per id, masked) and feedback rows, on the tickets' database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def create_schema(self) -> None:
        create_tables(AssistBase.metadata, self.engine)
        add_missing_columns(self.engine, AssistBase)

    def save(
        self,
        suggestion_id: str,
        ticket_id: str | None,
        question: str,
        outcome: str,
        answer: str,
        citations: Sequence[dict[str, Any]],
    ) -> None:
        """Keep a suggestion unless one with this id is already kept (ids are content hashes)."""
        with self.engine.connect() as db:
            if db.scalar(select(SuggestionRow.id).where(SuggestionRow.id == suggestion_id)) is not None:
                return
        row = SuggestionRow(
            id=suggestion_id,
            ticket_id=ticket_id,
            question=mask_pii(question),
            outcome=outcome,
            answer=mask_pii(answer),
            citations=list(citations),
            created_at=utcnow(),
        )
        try:
            with self._sessions.begin() as db:
                db.add(row)
        except IntegrityError:  # the same suggestion, saved by a concurrent request
            pass

    def record(
        self,
        ticket_id: str,
        suggestion_id: str,
        agent: str,
        action: SuggestionAction | str,
        final_text: str = "",
    ) -> SuggestionFeedback:
        """Record a verdict on a suggestion made for this ticket (or for an agent's free text)."""
        verdict = parse_enum(SuggestionAction, action)
        if len(final_text) > MAX_FINAL_TEXT:
            raise InvalidValueError(f"final_text is limited to {MAX_FINAL_TEXT} characters")
        with self._sessions.begin() as db:
            suggestion = db.get(SuggestionRow, suggestion_id)
            if suggestion is None or suggestion.ticket_id not in (None, ticket_id):
                raise SuggestionNotFoundError(suggestion_id)
            row = SuggestionFeedbackRow(
                suggestion_id=suggestion_id,
                ticket_id=ticket_id,
                agent=agent,
                action=verdict.value,
                final_text=mask_pii(final_text),
                created_at=utcnow(),
            )
            db.add(row)
        return _feedback(row)

    def feedback(self, ticket_id: str | None = None) -> list[SuggestionFeedback]:
        """Recorded verdicts, oldest first (of one ticket when given)."""
        query = select(SuggestionFeedbackRow).order_by(SuggestionFeedbackRow.pk)
        if ticket_id is not None:
            query = query.where(SuggestionFeedbackRow.ticket_id == ticket_id)
        with self._sessions() as db:
            return [_feedback(r) for r in db.scalars(query)]


def _feedback(row: SuggestionFeedbackRow) -> SuggestionFeedback:
    return SuggestionFeedback(
        row.suggestion_id,
        row.ticket_id,
        row.agent,
        SuggestionAction(row.action),
        row.final_text,
        row.created_at,
    )
