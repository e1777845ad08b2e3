"""Staff log-in: users, opaque bearer tokens kept only as SHA-256 digests, expiry from settings, roles."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.components.database import make_engine, read_only
from assistant.handoff.audit import AuditEvent, StaffAuditLog
from assistant.handoff.errors import (
    AuthenticationError,
    InvalidValueError,
    PermissionDeniedError,
    StaffUserExistsError,
    StaffUserNotFoundError,
)
from assistant.handoff.models import StaffTokenRow, StaffUserRow, create_schema, utcnow
from assistant.handoff.staff import Role, StaffUser, dummy_hash, hash_password, verify_password
from assistant.settings import Settings

TOKEN_PREFIX = "gst_"
_USERNAME = re.compile(r"^[\w.@-]{2,64}$")
_USER_COLUMNS = tuple(c for c in StaffUserRow.__table__.c if c.key != "password_hash")


@dataclass(frozen=True)
class LoginToken:
    """What a successful log-in returns; ``token`` is shown once and never stored in clear."""

    token: str
    user: StaffUser
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalize_username(username: str) -> str:
    """NFKC, trimmed and lower-cased; raises :class:`InvalidValueError` for an unusable name."""
    name = unicodedata.normalize("NFKC", username).strip().lower()
    if not _USERNAME.match(name):
        raise InvalidValueError("a username is 2–64 letters, digits or . _ @ -")
    return name


def require_role(user: StaffUser, role: Role) -> StaffUser:
    """``user`` when they hold ``role`` or a higher one; :class:`PermissionDeniedError` otherwise."""
    if not user.can(role):
        raise PermissionDeniedError(f"{user.username} is {user.role.value}; this needs {role.value}")
    return user


class AuthService:
    """Staff users and their tokens on one engine (the same database as the tickets)."""

    def __init__(self, engine: Engine, settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.token_ttl = timedelta(hours=settings.staff_token_ttl_hours)
        self.password_min_chars = settings.staff_password_min_chars
        self._clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._reads = read_only(engine)
        self.audit = StaffAuditLog(engine, clock=clock)
        self.max_failures = settings.staff_login_max_failures
        self.lockout = timedelta(minutes=settings.staff_login_lockout_minutes)

    def create_schema(self) -> None:
        create_schema(self.engine)

    # ------------------------------------------------------------------------------------- users

    def create_user(
        self,
        username: str,
        password: str,
        role: Role | str = Role.AGENT,
        *,
        display_name: str = "",
        department: str = "",
    ) -> StaffUser:
        """Add a staff user; :class:`StaffUserExistsError` when the username is taken."""
        name = normalize_username(username)
        try:
            staff_role = Role(role)
        except ValueError:
            raise InvalidValueError(f"unknown role {role!r}; use agent / supervisor / admin") from None
        self._check_password(password)
        if len(display_name) > 128 or len(department) > 128:
            raise InvalidValueError("display name and department are limited to 128 characters")
        row = StaffUserRow(
            id=f"su_{uuid.uuid4().hex}",
            username=name,
            display_name=display_name or name,
            role=staff_role.value,
            department=department,
            password_hash=hash_password(password),
            active=True,
            created_at=self._clock(),
        )
        try:
            with self._sessions.begin() as db:
                db.add(row)
        except IntegrityError:
            raise StaffUserExistsError(name) from None
        self.audit.record(AuditEvent.USER_CREATED, name, f"role={staff_role.value}")
        return StaffUser.from_row(row)

    def get_user(self, username: str) -> StaffUser:
        with self._sessions() as db:
            return StaffUser.from_row(self._user_row(db, username))

    def list_users(self) -> list[StaffUser]:
        with self._sessions() as db:
            rows = db.scalars(select(StaffUserRow).order_by(StaffUserRow.username))
            return [StaffUser.from_row(r) for r in rows]

    def set_password(self, username: str, password: str) -> None:
        """Change a password; every token of the user stops working."""
        self._check_password(password)
        with self._sessions.begin() as db:
            row = self._user_row(db, username)
            row.password_hash = hash_password(password)
            db.execute(delete(StaffTokenRow).where(StaffTokenRow.user_id == row.id))
            name = row.username
        self.audit.record(AuditEvent.PASSWORD_CHANGED, name)

    def set_active(self, username: str, active: bool) -> StaffUser:
        """Enable or disable an account; disabling also ends its sessions."""
        with self._sessions.begin() as db:
            row = self._user_row(db, username)
            db.execute(update(StaffUserRow).where(StaffUserRow.id == row.id).values(active=active))
            if not active:
                db.execute(delete(StaffTokenRow).where(StaffTokenRow.user_id == row.id))
            user = StaffUser.from_row(self._user_row(db, username))
        event = AuditEvent.ACCOUNT_ENABLED if active else AuditEvent.ACCOUNT_DISABLED
        self.audit.record(event, user.username)
        return user

    # ------------------------------------------------------------------------------------ tokens

    def login(self, username: str, password: str) -> LoginToken:
        """A new token for the right username and password; :class:`AuthenticationError` otherwise.

        An unknown or disabled user costs the same password check as a known one, and both failures
        read the same, so the answer does not reveal which usernames exist. After
        ``staff_login_max_failures`` failures for a name within ``staff_login_lockout_minutes`` (since its
        last successful log-in), attempts are refused until the window has passed.
        """
        try:
            name = normalize_username(username)
        except InvalidValueError:
            name = ""
        if (
            self.max_failures
            and self.audit.failures_since(name or username, self._clock() - self.lockout) >= self.max_failures
        ):
            # Checked before the password (no scrypt work for a locked name); unknown names lock the same
            # way, so the lock-out does not reveal which usernames exist.
            self.audit.record(AuditEvent.LOGIN_FAILED, name or username, "locked out")
            raise AuthenticationError("too many failed log-ins: try again later")
        with self._sessions() as db:
            row = (
                db.scalars(select(StaffUserRow).where(StaffUserRow.username == name)).first()
                if name
                else None
            )
        stored = row.password_hash if row is not None else dummy_hash()
        if not verify_password(password, stored) or row is None or not row.active:
            why = "unknown user" if row is None else "wrong password" if row.active else "account disabled"
            self.audit.record(AuditEvent.LOGIN_FAILED, name or username, why)
            raise AuthenticationError("wrong username or password")
        now = self._clock()
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires = now + self.token_ttl
        with self._sessions.begin() as db:
            db.execute(
                delete(StaffTokenRow).where(StaffTokenRow.user_id == row.id, StaffTokenRow.expires_at <= now)
            )
            db.add(
                StaffTokenRow(token_hash=_digest(token), user_id=row.id, created_at=now, expires_at=expires)
            )
        self.audit.record(AuditEvent.LOGIN, row.username, f"role={row.role}")
        return LoginToken(token, StaffUser.from_row(row), expires)

    def verify(self, token: str) -> StaffUser:
        """The active user a live token belongs to; :class:`AuthenticationError` otherwise."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
            raise AuthenticationError("invalid token")
        with self._reads.connect() as db:  # one indexed lookup, no ORM session: it runs on every request
            row = db.execute(
                select(*_USER_COLUMNS, StaffTokenRow.expires_at)
                .join(StaffTokenRow, StaffTokenRow.user_id == StaffUserRow.id)
                .where(StaffTokenRow.token_hash == _digest(token))
            ).first()
        if row is None:
            raise AuthenticationError("invalid token")
        if row.expires_at <= self._clock():
            raise AuthenticationError("token expired; log in again")
        if not row.active:
            raise AuthenticationError("account disabled")
        return StaffUser.from_row(row)

    def logout(self, token: str) -> bool:
        """Revoke the token; False when it was not (or no longer) valid."""
        with self._sessions.begin() as db:
            username = db.scalar(
                select(StaffUserRow.username)
                .join(StaffTokenRow, StaffTokenRow.user_id == StaffUserRow.id)
                .where(StaffTokenRow.token_hash == _digest(token))
            )
            result = db.execute(delete(StaffTokenRow).where(StaffTokenRow.token_hash == _digest(token)))
            revoked = bool(result.rowcount)  # type: ignore[attr-defined]
        if revoked and username is not None:
            self.audit.record(AuditEvent.LOGOUT, username)
        return revoked

    def purge_expired(self) -> int:
        """Delete expired tokens; returns how many."""
        with self._sessions.begin() as db:
            result = db.execute(delete(StaffTokenRow).where(StaffTokenRow.expires_at <= self._clock()))
            return int(result.rowcount)  # type: ignore[attr-defined]

    # ----------------------------------------------------------------------------------- helpers

    def _check_password(self, password: str) -> None:
        if len(password) < self.password_min_chars:
            raise InvalidValueError(f"a password needs at least {self.password_min_chars} characters")
        if len(password) > 1024:
            raise InvalidValueError("a password is limited to 1024 characters")

    @staticmethod
    def _user_row(db: Session, username: str) -> StaffUserRow:
        name = normalize_username(username)
        row = db.scalars(select(StaffUserRow).where(StaffUserRow.username == name)).first()
        if row is None:
            raise StaffUserNotFoundError(name)
        return row


def create_staff_user(
    settings: Settings,
    username: str,
    password: str,
    role: Role | str = Role.AGENT,
    *,
    display_name: str = "",
    department: str = "",
) -> StaffUser:
    """Create the schema if needed and add one staff user to the configured database (for the CLI)."""
    engine = make_engine(settings.resolved_database_url)
    try:
        service = AuthService(engine, settings)
        service.create_schema()
        return service.create_user(username, password, role, display_name=display_name, department=department)
    finally:
        engine.dispose()
