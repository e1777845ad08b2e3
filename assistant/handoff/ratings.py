"""好差评 of closed tickets by the citizen whose chat session the ticket came from.

One rating per ticket (a later one replaces it, e.g. after 重新打开 and a second 办结), in the table
``ticket_ratings`` that the 堵点 analytics read: id, ticket_id, session_id, rating, reason, comment
(masked), created_at.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from assistant.components.tables import create_tables
from assistant.handoff.errors import InvalidValueError, PermissionDeniedError, TicketConflictError
from assistant.handoff.lifecycle import parse_enum
from assistant.handoff.models import UtcDateTime, utcnow
from assistant.handoff.tickets import TicketService
from assistant.privacy import mask_pii
from assistant.sessions.migrate import add_missing_columns

MAX_REASON_CHARS = 64
MAX_COMMENT_CHARS = 500


class TicketRatingValue(StrEnum):
    GOOD = "好"
    BAD = "差"


class RatingsBase(DeclarativeBase):
    pass


class TicketRatingRow(RatingsBase):
    __tablename__ = "ticket_ratings"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(40), unique=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    rating: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(String(64), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


@dataclass(frozen=True)
class TicketRating:
    id: str
    ticket_id: str
    session_id: str
    rating: TicketRatingValue
    reason: str
    comment: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ticket_id": self.ticket_id,
            "rating": self.rating.value,
            "reason": self.reason,
            "comment": self.comment,
            "created_at": self.created_at.isoformat(),
        }


class TicketRatings:
    """Citizens' ratings of closed tickets, on the tickets' database."""

    def __init__(self, engine: Engine, tickets: TicketService) -> None:
        self.engine = engine
        self.tickets = tickets
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def create_schema(self) -> None:
        create_tables(RatingsBase.metadata, self.engine)
        add_missing_columns(self.engine, RatingsBase)

    def rate(
        self,
        ticket_id: str,
        session_id: str,
        rating: TicketRatingValue | str,
        reason: str = "",
        comment: str = "",
    ) -> TicketRating:
        """Rate a closed ticket from the session that owns it (403 for another session, 409 while open)."""
        value = parse_enum(TicketRatingValue, rating)
        if len(reason) > MAX_REASON_CHARS or len(comment) > MAX_COMMENT_CHARS:
            raise InvalidValueError(
                f"reason is limited to {MAX_REASON_CHARS} and comment to {MAX_COMMENT_CHARS} characters"
            )
        ticket = self.tickets.get(ticket_id)
        if not ticket.session_id or ticket.session_id != session_id:
            raise PermissionDeniedError(f"ticket {ticket_id} does not belong to this chat session")
        if ticket.is_open:
            raise TicketConflictError(
                f"ticket {ticket_id} is {ticket.status.value}; it can be rated once it is 已办结"
            )
        values = {"rating": value.value, "reason": mask_pii(reason), "comment": mask_pii(comment)}
        for _ in range(2):
            try:
                with self._sessions.begin() as db:
                    row = db.scalars(
                        select(TicketRatingRow).where(TicketRatingRow.ticket_id == ticket_id)
                    ).first()
                    if row is None:
                        row = TicketRatingRow(
                            id=f"tr_{uuid.uuid4().hex}", ticket_id=ticket_id, session_id=session_id, **values
                        )
                        db.add(row)
                    else:
                        for name, new in values.items():
                            setattr(row, name, new)
                    row.created_at = utcnow()
                    db.flush()
                    return _rating(row)
            except IntegrityError:  # a concurrent first rating won: update it instead
                continue
        raise TicketConflictError(f"ticket {ticket_id} is being rated concurrently; try again")

    def get(self, ticket_id: str) -> TicketRating | None:
        with self._sessions() as db:
            row = db.scalars(select(TicketRatingRow).where(TicketRatingRow.ticket_id == ticket_id)).first()
            return _rating(row) if row is not None else None


def _rating(row: TicketRatingRow) -> TicketRating:
    return TicketRating(
        row.id,
        row.ticket_id,
        row.session_id,
        TicketRatingValue(row.rating),
        row.reason,
        row.comment,
        row.created_at,
    )
