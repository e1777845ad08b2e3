"""ORM tables of tickets (接诉即办) and staff accounts on their own metadata; ``create_schema`` makes them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from assistant.components.tables import create_tables
from assistant.sessions.migrate import add_missing_columns

_CLOSED = "已办结"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no offset, so it is stored as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class HandoffBase(DeclarativeBase):
    pass


class TicketRow(HandoffBase):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_queue", "status", "priority", "due_at"),
        # At most one ticket per chat session is open at a time (concurrent handoffs share it).
        Index(
            "uq_tickets_open_session",
            "session_id",
            unique=True,
            sqlite_where=text(f"status != '{_CLOSED}'"),
            postgresql_where=text(f"status != '{_CLOSED}'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    session_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    reason: Mapped[str] = mapped_column(String(64), default="")
    question: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    category: Mapped[str] = mapped_column(String(8))
    suggested_department: Mapped[str] = mapped_column(String(128), default="")
    department: Mapped[str] = mapped_column(String(128), default="", index=True)
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8))
    assignee: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    accept_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolve_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the deadline that applies now
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    resolution: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[str | None] = mapped_column(String(16), nullable=True)  # last 回访 result


class TicketEventRow(HandoffBase):
    """The audit trail: one row per action on a ticket."""

    __tablename__ = "ticket_events"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(8), nullable=True)
    to_status: Mapped[str] = mapped_column(String(8))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TicketMessageRow(HandoffBase):
    """An agent's reply (the citizen sees it) or an internal note."""

    __tablename__ = "ticket_messages"
    __table_args__ = (UniqueConstraint("ticket_id", "idempotency_key", name="uq_ticket_messages_idem"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    author: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), nullable=True)


class StaffUserRow(HandoffBase):
    __tablename__ = "staff_users"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16))
    department: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StaffTokenRow(HandoffBase):
    """A login token, kept only as its SHA-256 digest."""

    __tablename__ = "staff_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


def create_schema(engine: Engine) -> None:
    """Create the handoff tables that are missing, and add columns an older database lacks."""
    create_tables(HandoffBase.metadata, engine)
    add_missing_columns(engine, HandoffBase)
