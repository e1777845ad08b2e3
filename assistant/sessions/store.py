"""The session store: sessions, messages and handoff records, with personal data masked before storage.

Handoffs now open real tickets (``assistant.handoff.tickets``); the session keeps the id of its latest
ticket in ``handoff_id``. The ``handoffs`` table and its methods remain for databases from older versions.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Update

from assistant.components.tables import create_tables
from assistant.privacy import mask_pii
from assistant.sessions.migrate import add_missing_columns
from assistant.sessions.models import Base, HandoffRow, MessageRow, SessionRow, utcnow

KEEP: Any = object()
"""Sentinel: leave the session's guide state as it is."""


def _masked_guide_state(state: object) -> dict[str, Any] | None:
    if not isinstance(state, dict):
        return None
    opening = state.get("opening")
    return {**state, "opening": mask_pii(opening)} if isinstance(opening, str) else dict(state)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


@dataclass(frozen=True)
class SessionState:
    id: str
    last_topic: str
    consecutive_refusals: int
    handoff_id: str | None
    created: bool = False
    guide_state: dict[str, Any] | None = None
    message_id: str | None = None  # the citizen message ``start_turn`` stored
    repeated: bool = False  # the message was already stored (a retried request with its client id)
    replay: StoredMessage | None = None  # the reply already given to that message, if any


@dataclass(frozen=True)
class StoredMessage:
    id: str
    session_id: str
    role: str
    content: str
    outcome: str = ""
    reason: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)
    rating: str | None = None


@dataclass(frozen=True)
class HandoffRecord:
    id: str
    session_id: str
    reason: str
    question: str
    transcript: list[dict[str, Any]]
    status: str


# The chat turn's reads and writes are Core statements built once: no ORM objects, flushes or identity
# map on the path every message takes.
_SESSIONS = cast(Table, SessionRow.__table__)
_MESSAGES = cast(Table, MessageRow.__table__)
_SESSION_STATE = select(
    _SESSIONS.c.id,
    _SESSIONS.c.last_topic,
    _SESSIONS.c.consecutive_refusals,
    _SESSIONS.c.handoff_id,
    _SESSIONS.c.guide_state,
).where(_SESSIONS.c.id == bindparam("sid"))
_MESSAGE_FIELDS = (
    _MESSAGES.c.id,
    _MESSAGES.c.session_id,
    _MESSAGES.c.role,
    _MESSAGES.c.content,
    _MESSAGES.c.outcome,
    _MESSAGES.c.reason,
    _MESSAGES.c.citations,
    _MESSAGES.c.rating,
)
_INSERT_SESSION = insert(_SESSIONS)
_INSERT_MESSAGE = insert(_MESSAGES)
_ASKED = select(_MESSAGES.c.pk, _MESSAGES.c.id, _MESSAGES.c.session_id).where(
    _MESSAGES.c.client_id == bindparam("cid")
)
_REPLY_AFTER = (
    select(*_MESSAGE_FIELDS)
    .where(
        _MESSAGES.c.session_id == bindparam("sid"),
        _MESSAGES.c.pk > bindparam("after"),
        _MESSAGES.c.role == "assistant",
    )
    .order_by(_MESSAGES.c.pk)
    .limit(1)
)
_REFUSED = (
    update(_SESSIONS)
    .where(_SESSIONS.c.id == bindparam("sid"))
    .values(consecutive_refusals=_SESSIONS.c.consecutive_refusals + 1, updated_at=bindparam("now"))
    .returning(_SESSIONS.c.consecutive_refusals)
)


@cache
def _session_update(columns: tuple[str, ...]) -> Update:
    """``UPDATE chat_sessions SET <columns> WHERE id = :sid``, one statement per column set; the
    values are passed as parameters named ``v_<column>``."""
    return (
        update(_SESSIONS)
        .where(_SESSIONS.c.id == bindparam("sid"))
        .values({column: bindparam(f"v_{column}") for column in columns})
    )


def _set_session(connection: Connection, session_id: str, values: dict[str, Any]) -> None:
    statement = _session_update(tuple(values))
    connection.execute(statement, {"sid": session_id, **{f"v_{k}": v for k, v in values.items()}})


def _state_of(row: Any, created: bool = False) -> SessionState:
    return SessionState(
        row.id, row.last_topic, row.consecutive_refusals, row.handoff_id, created, row.guide_state
    )


def _stored(values: dict[str, Any]) -> StoredMessage:
    return StoredMessage(
        values["id"],
        values["session_id"],
        values["role"],
        values["content"],
        values["outcome"],
        values["reason"],
        list(values["citations"] or []),
        values.get("rating"),
    )


def _message(row: MessageRow) -> StoredMessage:
    return StoredMessage(
        row.id,
        row.session_id,
        row.role,
        row.content,
        row.outcome,
        row.reason,
        list(row.citations or []),
        row.rating,
    )


def _message_values(
    session_id: str,
    role: str,
    content: str,
    outcome: str,
    reason: str,
    citations: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """A new message's column values, its text and citation snippets masked."""
    return {
        "id": new_id("m"),
        "session_id": session_id,
        "role": role,
        "content": mask_pii(content),
        "outcome": outcome,
        "reason": reason,
        "citations": [{**c, "snippet": mask_pii(str(c.get("snippet", "")))} for c in citations],
        "created_at": utcnow(),
    }


class SessionStore:
    """Persistence of chat sessions; every text passes through ``mask_pii`` before it is written."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def create_schema(self) -> None:
        """Create missing tables, and add columns that a database from an older version lacks."""
        create_tables(Base.metadata, self.engine)
        add_missing_columns(self.engine, Base)

    def _state(self, row: SessionRow, created: bool = False) -> SessionState:
        return SessionState(
            row.id, row.last_topic, row.consecutive_refusals, row.handoff_id, created, row.guide_state
        )

    def open_session(self, session_id: str | None) -> SessionState:
        """The session with this id; a new one when the id is empty or unknown (never an error)."""
        with self._sessions.begin() as db:
            return self._open(db, session_id)

    def _open(self, db: Session, session_id: str | None) -> SessionState:
        if session_id:
            row = db.get(SessionRow, session_id)
            if row is not None:
                return self._state(row)
        row = SessionRow(id=new_id("s"), last_topic="", consecutive_refusals=0)
        db.add(row)
        db.flush()
        return self._state(row, created=True)

    def start_turn(self, session_id: str | None, content: str, client_id: str | None = None) -> SessionState:
        """Open (or create) the session and store the citizen's message, in one transaction.

        With a ``client_id`` already stored (a retried request), nothing is stored again: the state is
        that message's session, ``repeated`` set and ``replay`` holding the reply it got, if any. The
        stored id is found by the unique index refusing the insert (the transaction, a session it
        created included, is rolled back), so a first request pays no extra query.
        """
        message = _message_values(session_id or "", "user", content, "", "", ())
        message["client_id"] = client_id
        try:
            with self.engine.begin() as connection:
                row = connection.execute(_SESSION_STATE, {"sid": session_id}).first() if session_id else None
                if row is not None:
                    state = _state_of(row)
                else:
                    state = SessionState(new_id("s"), "", 0, None, created=True)
                    now = message["created_at"]
                    connection.execute(
                        _INSERT_SESSION,
                        {
                            "id": state.id,
                            "created_at": now,
                            "updated_at": now,
                            "last_topic": "",
                            "consecutive_refusals": 0,
                        },
                    )
                message["session_id"] = state.id
                connection.execute(_INSERT_MESSAGE, message)
            return replace(state, message_id=message["id"])
        except IntegrityError:
            earlier = self._earlier_turn(client_id) if client_id else None
            if earlier is None:
                raise
            return earlier  # the same message sent again: the earlier request stored it

    def _earlier_turn(self, client_id: str) -> SessionState | None:
        with self.engine.connect() as connection:
            asked = connection.execute(_ASKED, {"cid": client_id}).first()
            if asked is None:
                return None
            session = connection.execute(_SESSION_STATE, {"sid": asked.session_id}).first()
            if session is None:
                return None
            reply = connection.execute(_REPLY_AFTER, {"sid": asked.session_id, "after": asked.pk}).first()
            return replace(
                _state_of(session),
                message_id=asked.id,
                repeated=True,
                replay=_stored(reply._asdict()) if reply is not None else None,
            )

    def set_guide_state(self, session_id: str, state: dict[str, Any] | None) -> None:
        """Store (or, with None, clear) the session's guided-flow state."""
        with self._sessions.begin() as db:
            db.execute(
                update(SessionRow)
                .where(SessionRow.id == session_id)
                .values(guide_state=_masked_guide_state(state), updated_at=utcnow())
            )

    def get_session(self, session_id: str) -> SessionState | None:
        with self._sessions() as db:
            row = db.get(SessionRow, session_id)
            return self._state(row) if row else None

    def add_message(
        self,
        session_id: str,
        role: str,
        content: str,
        *,
        outcome: str = "",
        reason: str = "",
        citations: Sequence[dict[str, Any]] = (),
        topic: str | None = None,
        guide_state: dict[str, Any] | object | None = KEEP,
    ) -> StoredMessage:
        """Append one message (masked) to the session, in its own transaction.

        With ``outcome="answered"`` and a ``topic`` the session's follow-up topic is updated and its
        refusal counter reset in the same transaction (what ``record_outcome`` does separately).
        ``guide_state`` (a dict, or None to end the guided flow) is stored with the message unless
        left as ``KEEP``; its ``opening`` text is masked like every other text.
        """
        message = _message_values(session_id, role, content, outcome, reason, citations)
        values: dict[str, Any] = {"updated_at": message["created_at"]}
        if topic:
            values.update(last_topic=mask_pii(topic), consecutive_refusals=0)
        if guide_state is not KEEP:
            values["guide_state"] = _masked_guide_state(guide_state)
        with self.engine.begin() as connection:  # Core, not the ORM: this write is on every chat turn
            connection.execute(_INSERT_MESSAGE, message)
            _set_session(connection, session_id, values)
        return _stored(message)

    def add_message_once(
        self, session_id: str, message_id: str, role: str, content: str, *, reason: str = ""
    ) -> bool:
        """Append a message with a caller-chosen id unless it is already there (False then).

        Used to mirror an agent's reply or a ticket's closure into the citizen's session, so a retried
        request never shows the same reply twice.
        """
        row = MessageRow(**_message_values(session_id, role, content, "", reason, ()))
        row.id = message_id
        try:
            with self._sessions.begin() as db:
                if db.scalars(select(MessageRow.pk).where(MessageRow.id == message_id)).first() is not None:
                    return False
                db.add(row)
                db.execute(update(SessionRow).where(SessionRow.id == session_id).values(updated_at=utcnow()))
        except IntegrityError:  # a concurrent retry inserted it first
            return False
        return True

    def link_ticket(self, session_id: str, ticket_id: str) -> None:
        """Remember the session's latest ticket (``SessionState.handoff_id``) and reset its refusals."""
        with self._sessions.begin() as db:
            db.execute(
                update(SessionRow)
                .where(SessionRow.id == session_id)
                .values(handoff_id=ticket_id, consecutive_refusals=0, updated_at=utcnow())
            )

    def messages(self, session_id: str) -> list[StoredMessage]:
        with self._sessions() as db:
            rows = db.scalars(
                select(MessageRow).where(MessageRow.session_id == session_id).order_by(MessageRow.pk)
            )
            return [_message(r) for r in rows]

    def get_message(self, message_id: str) -> StoredMessage | None:
        with self._sessions() as db:
            row = db.scalars(select(MessageRow).where(MessageRow.id == message_id)).first()
            return _message(row) if row else None

    def rate_message(self, message_id: str, rating: str) -> bool:
        """Record 好/差 on an assistant message; False when the id is unknown."""
        with self._sessions.begin() as db:
            result = db.execute(
                update(MessageRow)
                .where(MessageRow.id == message_id, MessageRow.role == "assistant")
                .values(rating=rating)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def record_outcome(self, session_id: str, outcome: str, topic: str | None) -> int:
        """Update the session after an answer; returns the count of consecutive refusals (atomic: one
        ``UPDATE … RETURNING`` for a refusal)."""
        now = utcnow()
        with self.engine.begin() as connection:
            if outcome == "refused":
                if topic:
                    _set_session(connection, session_id, {"last_topic": mask_pii(topic)})
                count = connection.execute(_REFUSED, {"sid": session_id, "now": now}).scalar()
                return int(count) if count is not None else 0
            values: dict[str, Any] = {"updated_at": now, "consecutive_refusals": 0}
            if topic:
                values["last_topic"] = mask_pii(topic)
            _set_session(connection, session_id, values)
            return 0

    def create_handoff(self, session_id: str, reason: str, question: str) -> HandoffRecord:
        """Record a handoff with the session's (masked) transcript; one open handoff per session."""
        transcript = [
            {"role": m.role, "content": m.content, "outcome": m.outcome} for m in self.messages(session_id)
        ]
        with self._sessions.begin() as db:
            session_row = db.get(SessionRow, session_id)
            previous = session_row.handoff_id if session_row is not None else None
            if previous:
                existing = db.get(HandoffRow, previous)
                if existing is not None and existing.status == "open":
                    return self._handoff(existing)
            row = HandoffRow(
                id=new_id("t"),
                session_id=session_id,
                reason=reason,
                question=mask_pii(question),
                transcript=transcript,
            )
            # Compare-and-set: only the request that still sees the old handoff id may link a new one.
            claimed = db.execute(
                update(SessionRow)
                .where(SessionRow.id == session_id, SessionRow.handoff_id.is_not_distinct_from(previous))
                .values(handoff_id=row.id)
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                db.add(row)
                db.flush()
                return self._handoff(row)
        winner = self.get_session(session_id)
        record = self.get_handoff(winner.handoff_id) if winner and winner.handoff_id else None
        if record is None:
            raise RuntimeError(f"handoff for session {session_id} could not be recorded")
        return record

    def get_handoff(self, handoff_id: str) -> HandoffRecord | None:
        with self._sessions() as db:
            row = db.get(HandoffRow, handoff_id)
            return self._handoff(row) if row else None

    def handoffs(self, status: str | None = None) -> list[HandoffRecord]:
        with self._sessions() as db:
            query = select(HandoffRow).order_by(HandoffRow.created_at)
            if status:
                query = query.where(HandoffRow.status == status)
            return [self._handoff(r) for r in db.scalars(query)]

    @staticmethod
    def _handoff(row: HandoffRow) -> HandoffRecord:
        return HandoffRecord(
            row.id, row.session_id, row.reason, row.question, list(row.transcript or []), row.status
        )

    def db(self) -> Session:
        """A raw ORM session (for maintenance scripts and tests)."""
        return self._sessions()
