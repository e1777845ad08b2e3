"""The ticket store's statements in SQLAlchemy Core, run on the caller's connection: the queue's hot paths.

The queue's reads and lifecycle writes run many times a second with 20 agents at work; Core statements
on a plain connection skip the ORM's session, identity map and object loading, and never fetch the
transcript (a JSON column that can be large) unless it is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Row, Select, Table, bindparam, func, insert, select, update

from assistant.handoff.errors import TicketNotFoundError
from assistant.handoff.lifecycle import Action, TicketStatus
from assistant.handoff.models import TicketEventRow, TicketMessageRow, TicketRow
from assistant.handoff.records import Ticket, TicketEvent, TicketMessage

TICKETS = cast(Table, TicketRow.__table__)
EVENTS = cast(Table, TicketEventRow.__table__)
MESSAGES = cast(Table, TicketMessageRow.__table__)
HEADER = tuple(column for column in TICKETS.c if column.key != "transcript")
"""Every ticket column but the transcript: what :class:`Ticket` holds."""
QUEUE_ORDER = (TICKETS.c.priority, TICKETS.c.due_at, TICKETS.c.created_at, TICKETS.c.id)

# Statements built once: executing the same object again reuses its compiled form and cache key.
_HEADER = select(*HEADER)
_BY_ID = _HEADER.where(TICKETS.c.id == bindparam("b_id"))
_TRANSCRIPT = select(TICKETS.c.transcript).where(TICKETS.c.id == bindparam("b_id"))
_EVENTS = select(EVENTS).where(EVENTS.c.ticket_id == bindparam("b_id")).order_by(EVENTS.c.pk)
_MESSAGES = select(MESSAGES).where(MESSAGES.c.ticket_id == bindparam("b_id")).order_by(MESSAGES.c.pk)
_MESSAGES_OF_KINDS = _MESSAGES.where(MESSAGES.c.kind.in_(bindparam("b_kinds", expanding=True)))
_MESSAGE_BY_KEY = select(MESSAGES).where(
    MESSAGES.c.ticket_id == bindparam("b_id"), MESSAGES.c.idempotency_key == bindparam("b_key")
)
_INSERT_EVENT = insert(EVENTS)
INSERT_MESSAGE = insert(MESSAGES)
COMPARE_AND_SET = (
    update(TICKETS)
    .where(TICKETS.c.id == bindparam("b_id"), TICKETS.c.version == bindparam("b_version"))
    .returning(*HEADER)
)
"""Executed with ``b_id``, ``b_version`` (the version read) and the columns to set; no row: lost the race."""


def header(*where: ColumnElement[bool]) -> Select[Any]:
    return _HEADER.where(*where)


def current(db: Connection, ticket_id: str) -> Row[Any]:
    """The ticket's header row; :class:`TicketNotFoundError` when the id is unknown."""
    row = db.execute(_BY_ID, {"b_id": ticket_id}).first()
    if row is None:
        raise TicketNotFoundError(ticket_id)
    return row


def get(db: Connection, ticket_id: str) -> Ticket:
    return Ticket.from_row(current(db, ticket_id))


def transcript(db: Connection, ticket_id: str) -> list[dict[str, Any]]:
    value = db.execute(_TRANSCRIPT, {"b_id": ticket_id}).first()
    if value is None:
        raise TicketNotFoundError(ticket_id)
    return list(value[0] or [])


def events(db: Connection, ticket_id: str) -> list[TicketEvent]:
    """The audit trail, oldest first (every ticket has at least its 创建 event)."""
    rows = db.execute(_EVENTS, {"b_id": ticket_id}).all()
    if not rows:
        current(db, ticket_id)
    return [TicketEvent.from_row(r) for r in rows]


def messages(db: Connection, ticket_id: str, kinds: Sequence[str] = ()) -> list[TicketMessage]:
    """The ticket's messages of ``kinds`` (all when empty), oldest first."""
    if kinds:
        rows = db.execute(_MESSAGES_OF_KINDS, {"b_id": ticket_id, "b_kinds": list(kinds)}).all()
    else:
        rows = db.execute(_MESSAGES, {"b_id": ticket_id}).all()
    if not rows:
        current(db, ticket_id)
    return [TicketMessage.from_row(r) for r in rows]


def message_by_key(db: Connection, ticket_id: str, key: str) -> TicketMessage | None:
    row = db.execute(_MESSAGE_BY_KEY, {"b_id": ticket_id, "b_key": key}).first()
    return TicketMessage.from_row(row) if row is not None else None


def touch(db: Connection, ticket_id: str, at: datetime, *, open_only: bool) -> str | None:
    """Set ``updated_at`` (taking the row's write lock); the status, or None when no row matched."""
    statement = _TOUCH_OPEN if open_only else _TOUCH
    row = db.execute(statement, {"b_id": ticket_id, "b_at": at}).first()
    return str(row.status) if row is not None else None


_TOUCH = (
    update(TICKETS)
    .where(TICKETS.c.id == bindparam("b_id"))
    .values(updated_at=bindparam("b_at"))
    .returning(TICKETS.c.status)
)
_TOUCH_OPEN = _TOUCH.where(TICKETS.c.status != TicketStatus.CLOSED.value)


def page(
    db: Connection, conditions: Sequence[ColumnElement[bool]], offset: int, limit: int
) -> tuple[list[Ticket], int]:
    """One page of matching tickets in queue order, and how many match in all."""
    total = db.scalar(select(func.count()).select_from(TICKETS).where(*conditions)) or 0
    rows = db.execute(header(*conditions).order_by(*QUEUE_ORDER).offset(offset).limit(limit)).all()
    return [Ticket.from_row(r) for r in rows], total


def add_event(
    db: Connection,
    ticket_id: str,
    at: datetime,
    actor: str,
    action: Action,
    before: TicketStatus | None,
    after: TicketStatus,
    **detail: Any,
) -> None:
    """Append one audit event (in the caller's transaction)."""
    db.execute(
        _INSERT_EVENT,
        {
            "ticket_id": ticket_id,
            "at": at,
            "actor": actor,
            "action": action.value,
            "from_status": before.value if before is not None else None,
            "to_status": after.value,
            "detail": {k: v for k, v in detail.items() if v not in (None, "")},
        },
    )
