"""Plain, immutable records the ticket service returns (never ORM rows), and the queue's query shape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Row, and_, not_, or_

from assistant.handoff.lifecycle import (
    Action,
    Category,
    MessageKind,
    Priority,
    TicketSource,
    TicketStatus,
    parse_enum,
)
from assistant.handoff.models import TicketEventRow, TicketMessageRow, TicketRow

T = TypeVar("T")
_CLOSED = TicketStatus.CLOSED.value


@dataclass(frozen=True)
class Ticket:
    """A ticket's header: everything but its transcript, messages and audit trail (read those apart)."""

    id: str
    source: TicketSource
    session_id: str | None
    reason: str
    question: str
    summary: str
    category: Category
    suggested_department: str
    department: str
    priority: Priority
    status: TicketStatus
    assignee: str | None
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    accept_due_at: datetime
    resolve_due_at: datetime
    due_at: datetime
    accepted_at: datetime | None
    responded_at: datetime | None
    closed_at: datetime | None
    resolution: str
    satisfaction: str | None

    @property
    def is_open(self) -> bool:
        return self.status is not TicketStatus.CLOSED

    def sla_breached(self, now: datetime) -> bool:
        """Open past the deadline that applies now, or closed after the resolution deadline."""
        if self.closed_at is not None and not self.is_open:
            return self.closed_at > self.resolve_due_at
        return now > self.due_at

    @classmethod
    def from_row(cls, row: TicketRow | Row[Any]) -> Ticket:
        return cls(
            id=row.id,
            source=TicketSource(row.source),
            session_id=row.session_id,
            reason=row.reason,
            question=row.question,
            summary=row.summary,
            category=Category(row.category),
            suggested_department=row.suggested_department,
            department=row.department,
            priority=Priority(row.priority),
            status=TicketStatus(row.status),
            assignee=row.assignee,
            version=row.version,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
            accept_due_at=row.accept_due_at,
            resolve_due_at=row.resolve_due_at,
            due_at=row.due_at,
            accepted_at=row.accepted_at,
            responded_at=row.responded_at,
            closed_at=row.closed_at,
            resolution=row.resolution,
            satisfaction=row.satisfaction,
        )


@dataclass(frozen=True)
class TicketEvent:
    """One audit entry: who did what when, and the status before and after."""

    ticket_id: str
    at: datetime
    actor: str
    action: Action
    from_status: TicketStatus | None
    to_status: TicketStatus
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: TicketEventRow | Row[Any]) -> TicketEvent:
        return cls(
            row.ticket_id,
            row.at,
            row.actor,
            Action(row.action),
            TicketStatus(row.from_status) if row.from_status else None,
            TicketStatus(row.to_status),
            dict(row.detail or {}),
        )


@dataclass(frozen=True)
class TicketMessage:
    """An agent's reply to the citizen, or an internal note."""

    id: str
    ticket_id: str
    kind: MessageKind
    author: str
    body: str
    created_at: datetime

    @property
    def visible_to_citizen(self) -> bool:
        return self.kind is MessageKind.REPLY

    @classmethod
    def from_row(cls, row: TicketMessageRow | Row[Any]) -> TicketMessage:
        return cls(row.id, row.ticket_id, MessageKind(row.kind), row.author, row.body, row.created_at)


@dataclass(frozen=True)
class TicketDossier:
    """Everything on one ticket: what the agent workspace shows when a ticket is opened."""

    ticket: Ticket
    transcript: list[dict[str, Any]]
    messages: list[TicketMessage]
    events: list[TicketEvent]


@dataclass(frozen=True)
class QueueFilter:
    """Which tickets a queue listing shows; ``None`` (or empty) means no restriction on that field."""

    statuses: Sequence[TicketStatus | str] = ()
    category: Category | str | None = None
    department: str | None = None
    assignee: str | None = None
    unassigned: bool = False
    priority: Priority | int | str | None = None
    sla_breached: bool | None = None
    source: TicketSource | str | None = None
    session_id: str | None = None

    def conditions(self, now: datetime) -> list[ColumnElement[bool]]:
        """SQL conditions selecting the matching tickets (breaches judged at ``now``)."""
        conditions: list[ColumnElement[bool]] = []
        if self.statuses:
            statuses = [parse_enum(TicketStatus, s).value for s in self.statuses]
            conditions.append(TicketRow.status.in_(statuses))
        if self.category is not None:
            conditions.append(TicketRow.category == parse_enum(Category, self.category).value)
        if self.priority is not None:
            conditions.append(TicketRow.priority == int(Priority.parse(self.priority)))
        if self.source is not None:
            conditions.append(TicketRow.source == parse_enum(TicketSource, self.source).value)
        for column, value in (
            (TicketRow.department, self.department),
            (TicketRow.assignee, self.assignee),
            (TicketRow.session_id, self.session_id),
        ):
            if value is not None:
                conditions.append(column == value)
        if self.unassigned:
            conditions.append(TicketRow.assignee.is_(None))
        if self.sla_breached is not None:
            conditions.append(_breached(now) if self.sla_breached else not_(_breached(now)))
        return conditions


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and the total number of matches."""

    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _breached(now: datetime) -> ColumnElement[bool]:
    """Open and past the deadline that applies now, or closed after the resolution deadline."""
    return or_(
        and_(TicketRow.status != _CLOSED, TicketRow.due_at < now),
        and_(TicketRow.status == _CLOSED, TicketRow.closed_at > TicketRow.resolve_due_at),
    )
