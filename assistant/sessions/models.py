"""ORM tables of the session store."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class SessionRow(Base):
    __tablename__ = "chat_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_topic: Mapped[str] = mapped_column(Text, default="")
    consecutive_refusals: Mapped[int] = mapped_column(Integer, default=0)
    handoff_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    guide_state: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)  # 智能导办 in progress


class MessageRow(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (Index("uq_chat_messages_client_id", "client_id", unique=True),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("chat_sessions.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16), default="")
    reason: Mapped[str] = mapped_column(String(64), default="")
    citations: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    rating: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    client_id: Mapped[str | None] = mapped_column(
        String(128), nullable=True
    )  # the client's id: retries are no-ops


class HandoffRow(Base):
    __tablename__ = "handoffs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("chat_sessions.id"), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text, default="")
    transcript: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
