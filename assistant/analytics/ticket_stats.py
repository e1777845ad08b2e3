"""Reads of the tickets for analytics: handoff reasons, SLA compliance (接诉即办 deadlines), ticket ratings.

A ticket's 受理 is *on time* when it was accepted by ``accept_due_at``, *late* when accepted after it or
still unaccepted past it, and *pending* otherwise; 办结 likewise against ``resolve_due_at``. A compliance
rate is on time / (on time + late): tickets whose deadline has not come yet are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, MetaData, Table, inspect, select

from assistant.analytics.chat_stats import canonical_rating, in_period
from assistant.analytics.period import Period, as_utc
from assistant.handoff.lifecycle import TicketStatus
from assistant.handoff.models import TicketRow

TICKET_RATINGS_TABLE = "ticket_ratings"
_RATING_COLUMNS = ("ticket_id", "rating", "reason", "comment", "created_at")
UNASSIGNED = "（未分派）"


@dataclass(frozen=True)
class TicketFacts:
    """What analytics needs of one ticket."""

    id: str
    source: str
    reason: str
    category: str
    department: str
    status: str
    priority: int
    summary: str
    created_at: datetime
    accept_due_at: datetime
    resolve_due_at: datetime
    due_at: datetime
    accepted_at: datetime | None
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status != TicketStatus.CLOSED.value

    def accept_state(self, now: datetime) -> str:
        """``on_time`` / ``late`` / ``pending`` for 受理."""
        return _state(self.accepted_at, self.accept_due_at, now)

    def resolve_state(self, now: datetime) -> str:
        """``on_time`` / ``late`` / ``pending`` for 办结."""
        return _state(None if self.is_open else self.closed_at, self.resolve_due_at, now)

    def overdue(self, now: datetime) -> bool:
        """Open and past the deadline that applies now."""
        return self.is_open and now > self.due_at


def _state(done_at: datetime | None, due: datetime, now: datetime) -> str:
    if done_at is not None:
        return "on_time" if done_at <= due else "late"
    return "late" if now > due else "pending"


@dataclass(frozen=True)
class TicketRating:
    ticket_id: str
    rating: str
    reason: str
    comment: str
    created_at: datetime


def tickets(connection: Connection, period: Period) -> list[TicketFacts]:
    """The tickets created in the period, oldest first ([] when the tickets table does not exist)."""
    if not inspect(connection).has_table(TicketRow.__tablename__):
        return []
    t = TicketRow
    query = (
        select(
            t.id,
            t.source,
            t.reason,
            t.category,
            t.department,
            t.status,
            t.priority,
            t.summary,
            t.created_at,
            t.accept_due_at,
            t.resolve_due_at,
            t.due_at,
            t.accepted_at,
            t.closed_at,
        )
        .where(in_period(t.created_at, period))
        .order_by(t.created_at, t.id)
    )
    return [TicketFacts(**row._asdict()) for row in connection.execute(query)]


def ticket_ratings(connection: Connection, period: Period) -> list[TicketRating]:
    """Ratings of the tickets opened in the period, read from ``ticket_ratings`` by reflection.

    Like answers (judged by when the question was asked), a rating counts for the ticket's own day.
    The table belongs to the handoff package; while it is missing (or lacks a needed column) there are none.
    """
    inspector = inspect(connection)
    if not (inspector.has_table(TICKET_RATINGS_TABLE) and inspector.has_table(TicketRow.__tablename__)):
        return []
    table = Table(TICKET_RATINGS_TABLE, MetaData(), autoload_with=connection)
    if any(name not in table.c for name in _RATING_COLUMNS):
        return []
    c = table.c
    query = (
        select(c.ticket_id, c.rating, c.reason, c.comment, c.created_at)
        .join(TicketRow, TicketRow.id == c.ticket_id)
        .where(in_period(TicketRow.created_at, period))
        .order_by(c.created_at, c.ticket_id)
    )
    out: list[TicketRating] = []
    for row in connection.execute(query):
        rating = canonical_rating(row.rating)
        if rating is not None:
            out.append(
                TicketRating(
                    row.ticket_id, rating, row.reason or "", row.comment or "", as_utc(row.created_at)
                )
            )
    return out


@dataclass(frozen=True)
class SlaRow:
    """SLA compliance of one group of tickets (``dimension`` all / category / department)."""

    dimension: str
    group: str
    tickets: int
    accept_on_time: int
    accept_late: int
    accept_pending: int
    accept_rate: float | None
    resolve_on_time: int
    resolve_late: int
    resolve_pending: int
    resolve_rate: float | None
    overdue_open: int


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to four places; None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def sla_row(dimension: str, group: str, items: Iterable[TicketFacts], now: datetime) -> SlaRow:
    batch = list(items)
    accept = [t.accept_state(now) for t in batch]
    resolve = [t.resolve_state(now) for t in batch]
    a_on, a_late = accept.count("on_time"), accept.count("late")
    r_on, r_late = resolve.count("on_time"), resolve.count("late")
    return SlaRow(
        dimension,
        group,
        len(batch),
        a_on,
        a_late,
        accept.count("pending"),
        rate(a_on, a_on + a_late),
        r_on,
        r_late,
        resolve.count("pending"),
        rate(r_on, r_on + r_late),
        sum(t.overdue(now) for t in batch),
    )


def sla_rows(batch: list[TicketFacts], now: datetime) -> list[SlaRow]:
    """Overall, then by category, then by department (each largest group first)."""
    rows = [sla_row("all", "全部", batch, now)]
    for dimension in ("category", "department"):
        groups: dict[str, list[TicketFacts]] = {}
        for ticket in batch:
            groups.setdefault(getattr(ticket, dimension) or UNASSIGNED, []).append(ticket)
        ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
        rows.extend(sla_row(dimension, name, items, now) for name, items in ordered)
    return rows
