"""The staff audit log: log-ins, failed log-ins, log-outs and account changes, one row each.

What staff do *to tickets* is already recorded, with the actor, as ticket events (``ticket_events``);
this table records what happens to staff *accounts*, whichever way in (the API, the agent console, the
admin dashboard or the CLI all go through :class:`~assistant.handoff.auth.AuthService`). Each event
is also written to the ``govassist.audit`` logger. Usernames typed at a failed log-in are stored with
personal data masked (people do type their phone number there). Rows are only ever added.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Engine, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from assistant.handoff.models import HandoffBase, UtcDateTime, utcnow
from assistant.privacy import mask_pii

audit_logger = logging.getLogger("govassist.audit")


class AuditEvent(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    USER_CREATED = "user_created"
    PASSWORD_CHANGED = "password_changed"
    ACCOUNT_ENABLED = "account_enabled"
    ACCOUNT_DISABLED = "account_disabled"


class StaffAuditRow(HandoffBase):
    __tablename__ = "staff_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    event: Mapped[str] = mapped_column(String(32), index=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(String(256), default="")


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    event: str
    username: str
    detail: str


def _stored_name(username: str) -> str:
    return mask_pii(username.strip())[:64]


class StaffAuditLog:
    """Appends audit rows on ``engine`` (the handoff database) and reads the latest back."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    def record(self, event: AuditEvent, username: str, detail: str = "") -> None:
        """Add one row (and one ``govassist.audit`` log line); the username is masked and truncated."""
        name = _stored_name(username)
        detail = mask_pii(detail)[:256]
        with self._sessions.begin() as db:
            db.add(StaffAuditRow(at=self._clock(), event=event.value, username=name, detail=detail))
        audit_logger.info("staff %s user=%r %s", event.value, name, detail)

    def failures_since(self, username: str, since: datetime) -> int:
        """Failed log-ins for ``username`` after ``since`` and after its last successful log-in."""
        name = _stored_name(username)
        with self._sessions() as db:
            last_login = db.scalar(
                select(func.max(StaffAuditRow.id)).where(
                    StaffAuditRow.username == name, StaffAuditRow.event == AuditEvent.LOGIN.value
                )
            )
            count = db.scalar(
                select(func.count()).where(
                    StaffAuditRow.username == name,
                    StaffAuditRow.event == AuditEvent.LOGIN_FAILED.value,
                    StaffAuditRow.at > since,
                    StaffAuditRow.id > (last_login or 0),
                )
            )
            return int(count or 0)

    def recent(self, limit: int = 100, *, event: AuditEvent | None = None) -> list[AuditEntry]:
        """The newest ``limit`` entries, newest first (optionally of one kind)."""
        query = select(StaffAuditRow).order_by(StaffAuditRow.id.desc()).limit(limit)
        if event is not None:
            query = query.where(StaffAuditRow.event == event.value)
        with self._sessions() as db:
            return [AuditEntry(r.at, r.event, r.username, r.detail) for r in db.scalars(query)]
