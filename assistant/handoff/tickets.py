"""The ticket store (接诉即办): open, move through the lifecycle, reply, annotate, and query the queue.

Every write is safe under concurrency on SQLite and PostgreSQL alike: a lifecycle action is a
compare-and-set ``UPDATE … WHERE id = ? AND version = ?`` whose row count says who won, and creates and
replies carry optional idempotency keys backed by unique constraints, so a retry returns the original.
Free text is masked with :func:`assistant.privacy.mask_pii` before it is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from assistant.components.database import read_only
from assistant.handoff import ticket_queries as queries
from assistant.handoff.errors import (
    InvalidValueError,
    TextTooLongError,
    TicketAlreadyClaimedError,
    TicketClosedError,
    TicketConflictError,
)
from assistant.handoff.lifecycle import (
    OPEN_STATUSES,
    Action,
    Category,
    MessageKind,
    Priority,
    Satisfaction,
    TicketSource,
    TicketStatus,
    parse_enum,
    target_status,
)
from assistant.handoff.models import TicketEventRow, TicketRow, create_schema, utcnow
from assistant.handoff.records import Page, QueueFilter, Ticket, TicketDossier, TicketEvent, TicketMessage
from assistant.handoff.sla import SlaPolicy
from assistant.handoff.ticket_queries import TICKETS
from assistant.privacy import mask_pii
from assistant.settings import Settings

_CAS_ATTEMPTS = 5
_MAX_PAGE_SIZE = 200
_LIMITS = {"department": 128, "actor": 64, "reason": 64, "idempotency_key": 128}
_CLOSED = TicketStatus.CLOSED.value
_MESSAGE_ACTIONS = {
    MessageKind.REPLY: Action.REPLY,
    MessageKind.NOTE: Action.NOTE,
    MessageKind.CITIZEN: Action.CITIZEN_MESSAGE,
}

Changes = Callable[[Row[Any], datetime], dict[str, Any]]


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


class TicketService:
    """Tickets on one engine; build it once with the settings and pass it to the API and the chat."""

    def __init__(self, engine: Engine, settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.sla = SlaPolicy.from_settings(settings)
        self.max_text_chars = settings.handoff_max_text_chars
        self.transcript_max_messages = settings.handoff_transcript_max_messages
        self._clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._reads = read_only(engine)

    def create_schema(self) -> None:
        """Create the handoff tables (tickets and staff) if missing."""
        create_schema(self.engine)

    # ------------------------------------------------------------------------------------- create

    def open_ticket(
        self,
        question: str,
        *,
        source: TicketSource | str = TicketSource.CHAT,
        session_id: str | None = None,
        transcript: Sequence[Mapping[str, Any]] = (),
        summary: str = "",
        category: Category | str = Category.CONSULTATION,
        department: str = "",
        priority: Priority | int | str = Priority.NORMAL,
        reason: str = "",
        actor: str = "system",
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Open a 待受理 ticket, or return the one this request already made.

        A retry with the same ``idempotency_key`` returns the original ticket, and so does a second
        handoff from a chat session that already has an open ticket (one open ticket per session).
        ``transcript`` is the chat so far (``role``/``content`` mappings); the most recent
        ``handoff_transcript_max_messages`` are kept, each cut to ``handoff_max_text_chars``.
        """
        self._check_text("question", question)
        self._check_text("summary", summary)
        for name, value in (("department", department), ("reason", reason), ("actor", actor)):
            self._check_short(name, value)
        self._check_short("idempotency_key", idempotency_key or "")
        source, category = parse_enum(TicketSource, source), parse_enum(Category, category)
        priority = Priority.parse(priority)
        existing = self._existing(idempotency_key, session_id)
        if existing is not None:
            return existing
        now = self._clock()
        accept_due = self.sla.accept_due(now, priority)
        masked_question = mask_pii(question)
        row = TicketRow(
            id=_new_id("tk"),
            idempotency_key=idempotency_key,
            source=source.value,
            session_id=session_id,
            reason=reason,
            question=masked_question,
            summary=mask_pii(summary) if summary else masked_question[:80],
            transcript=self._transcript(transcript),
            category=category.value,
            suggested_department=department,
            department=department,
            priority=int(priority),
            status=TicketStatus.PENDING.value,
            assignee=None,
            version=1,
            created_by=actor,
            created_at=now,
            updated_at=now,
            accept_due_at=accept_due,
            resolve_due_at=self.sla.resolve_due(now, category, priority),
            due_at=accept_due,
            resolution="",
        )
        try:
            with self._sessions.begin() as db:
                db.add(row)
                db.flush()
                created = _event(row.id, now, actor, Action.CREATE, None, TicketStatus.PENDING, source=source)
                db.add(created)
        except IntegrityError:
            existing = self._existing(idempotency_key, session_id)
            if existing is None:
                raise
            return existing
        return Ticket.from_row(row)

    def _existing(self, idempotency_key: str | None, session_id: str | None) -> Ticket | None:
        with self._reads.connect() as db:
            row = None
            if idempotency_key:
                row = db.execute(queries.header(TICKETS.c.idempotency_key == idempotency_key)).first()
            if row is None and session_id:
                row = db.execute(_open_for_session(session_id)).first()
            return Ticket.from_row(row) if row is not None else None

    def _transcript(self, entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        kept = list(entries)[-self.transcript_max_messages :]
        return [
            {
                **{k: str(v) for k, v in entry.items() if k in ("outcome", "at") and v is not None},
                "role": str(entry.get("role", "")),
                "content": mask_pii(str(entry.get("content", "")))[: self.max_text_chars],
            }
            for entry in kept
        ]

    # --------------------------------------------------------------------------------------- read

    def get(self, ticket_id: str) -> Ticket:
        """The ticket; :class:`TicketNotFoundError` when the id is unknown."""
        with self._reads.connect() as db:
            return queries.get(db, ticket_id)

    def transcript(self, ticket_id: str) -> list[dict[str, Any]]:
        """The (masked) chat transcript the ticket was opened with."""
        with self._reads.connect() as db:
            return queries.transcript(db, ticket_id)

    def events(self, ticket_id: str) -> list[TicketEvent]:
        """The audit trail, oldest first."""
        with self._reads.connect() as db:
            return queries.events(db, ticket_id)

    def messages(self, ticket_id: str, *, include_notes: bool = True) -> list[TicketMessage]:
        """Replies, the citizen's messages and (unless ``include_notes`` is false) internal notes,
        oldest first; without notes only the replies the citizen sees."""
        kinds = () if include_notes else (MessageKind.REPLY.value,)
        with self._reads.connect() as db:
            return queries.messages(db, ticket_id, kinds)

    def dossier(self, ticket_id: str) -> TicketDossier:
        """The ticket with its transcript, messages and audit trail, read on one connection."""
        with self._reads.connect() as db:
            return TicketDossier(
                queries.get(db, ticket_id),
                queries.transcript(db, ticket_id),
                queries.messages(db, ticket_id),
                queries.events(db, ticket_id),
            )

    def active_ticket_for_session(self, session_id: str) -> Ticket | None:
        """The session's ticket that is not yet 已办结, if any (the chat stays quiet while it exists)."""
        with self._reads.connect() as db:
            row = db.execute(_open_for_session(session_id)).first()
            return Ticket.from_row(row) if row is not None else None

    def tickets_for_session(self, session_id: str) -> list[Ticket]:
        """Every ticket opened from this chat session, oldest first."""
        with self._reads.connect() as db:
            rows = db.execute(
                queries.header(TICKETS.c.session_id == session_id).order_by(
                    TICKETS.c.created_at, TICKETS.c.id
                )
            )
            return [Ticket.from_row(r) for r in rows]

    def list_queue(
        self, filters: QueueFilter | None = None, *, page: int = 1, page_size: int = 20
    ) -> Page[Ticket]:
        """One page of tickets matching ``filters``, most urgent first, then by the deadline now due."""
        if page < 1 or not 1 <= page_size <= _MAX_PAGE_SIZE:
            raise InvalidValueError(f"page must be ≥ 1 and page_size between 1 and {_MAX_PAGE_SIZE}")
        conditions = (filters or QueueFilter()).conditions(self._clock())
        with self._reads.connect() as db:
            items, total = queries.page(db, conditions, (page - 1) * page_size, page_size)
        return Page(items, total, page, page_size)

    def sla_breaches(self, *, page: int = 1, page_size: int = 50) -> Page[Ticket]:
        """Open tickets past the deadline that applies to them now (for supervisors)."""
        return self.list_queue(
            QueueFilter(statuses=tuple(OPEN_STATUSES), sla_breached=True), page=page, page_size=page_size
        )

    # -------------------------------------------------------------------------------- lifecycle

    def claim(self, ticket_id: str, agent: str) -> Ticket:
        """受理: the first agent to claim a 待受理 ticket gets it; the others get a conflict.

        Claiming again by the winner (a retried request) returns the ticket unchanged.
        """
        self._check_short("actor", agent)

        def guard(row: Row[Any]) -> Ticket | None:
            if row.status not in (TicketStatus.PENDING.value, _CLOSED) and row.assignee is not None:
                if row.assignee == agent:
                    return Ticket.from_row(row)
                raise TicketAlreadyClaimedError(ticket_id, row.assignee)
            return None

        def changes(row: Row[Any], now: datetime) -> dict[str, Any]:
            return {"assignee": agent, "accepted_at": now, "due_at": row.resolve_due_at}

        return self._apply(ticket_id, agent, Action.CLAIM, changes, guard=guard)

    def transfer(
        self, ticket_id: str, actor: str, department: str, *, assignee: str | None = None, note: str = ""
    ) -> Ticket:
        """转办: hand the ticket to ``department`` (and optionally a named agent there)."""
        self._check_short("department", department)
        self._check_short("actor", assignee or "")
        self._check_text("note", note)

        def changes(row: Row[Any], now: datetime) -> dict[str, Any]:
            return {
                "department": department,
                "assignee": assignee,
                "accepted_at": row.accepted_at or now,
                "due_at": row.resolve_due_at,
            }

        detail = {"to_department": department, "assignee": assignee, "note": mask_pii(note)}
        return self._apply(ticket_id, actor, Action.TRANSFER, changes, detail)

    def start(self, ticket_id: str, actor: str) -> Ticket:
        """办理: start work; only the assignee may, or anyone when the ticket has none (then it is theirs)."""

        def guard(row: Row[Any]) -> Ticket | None:
            if row.assignee not in (None, actor) and row.status != _CLOSED:
                raise TicketAlreadyClaimedError(ticket_id, row.assignee)
            return None

        def changes(row: Row[Any], now: datetime) -> dict[str, Any]:
            return {"assignee": actor, "due_at": row.resolve_due_at}

        return self._apply(ticket_id, actor, Action.START, changes, guard=guard)

    def respond(self, ticket_id: str, actor: str, *, note: str = "") -> Ticket:
        """反馈: the handling result has been given to the citizen."""
        self._check_text("note", note)
        detail = {"note": mask_pii(note)}
        return self._apply(ticket_id, actor, Action.RESPOND, lambda _row, now: {"responded_at": now}, detail)

    def close(self, ticket_id: str, actor: str, resolution: str) -> Ticket:
        """办结 with a resolution; afterwards replies and transitions are refused until 重新打开."""
        self._check_text("resolution", resolution)
        masked = mask_pii(resolution)
        return self._apply(
            ticket_id, actor, Action.CLOSE, lambda _row, now: {"closed_at": now, "resolution": masked}
        )

    def revisit(
        self, ticket_id: str, actor: str, satisfaction: Satisfaction | str, *, note: str = ""
    ) -> Ticket:
        """回访: record the citizen's satisfaction with the outcome (status unchanged)."""
        verdict = parse_enum(Satisfaction, satisfaction)
        self._check_text("note", note)
        return self._apply(
            ticket_id,
            actor,
            Action.REVISIT,
            lambda _row, _now: {"satisfaction": verdict.value},
            {"satisfaction": verdict.value, "note": mask_pii(note)},
        )

    def reopen(self, ticket_id: str, actor: str, reason: str) -> Ticket:
        """重新打开: back to 办理中 with a fresh resolution deadline counted from now."""
        self._check_text("reason", reason)

        def changes(row: Row[Any], now: datetime) -> dict[str, Any]:
            due = self.sla.resolve_due(now, Category(row.category), Priority(row.priority))
            return {"closed_at": None, "responded_at": None, "resolve_due_at": due, "due_at": due}

        return self._apply(ticket_id, actor, Action.REOPEN, changes, {"reason": mask_pii(reason)})

    def _apply(
        self,
        ticket_id: str,
        actor: str,
        action: Action,
        changes: Changes,
        detail: dict[str, Any] | None = None,
        *,
        guard: Callable[[Row[Any]], Ticket | None] | None = None,
    ) -> Ticket:
        """Compare-and-set one lifecycle action, with its audit event in the same transaction."""
        self._check_short("actor", actor)
        for _ in range(_CAS_ATTEMPTS):
            try:
                with self.engine.begin() as db:
                    current = queries.current(db, ticket_id)
                    if guard is not None and (done := guard(current)) is not None:
                        return done
                    before = TicketStatus(current.status)
                    after = target_status(ticket_id, before, action)
                    now = self._clock()
                    values = {"status": after.value, "version": current.version + 1, "updated_at": now}
                    values.update(changes(current, now))
                    expected = {"b_id": ticket_id, "b_version": current.version}
                    row = db.execute(queries.COMPARE_AND_SET, {**expected, **values}).first()
                    if row is None:
                        continue  # someone else changed it first: judge the action again on the new state
                    queries.add_event(db, ticket_id, now, actor, action, before, after, **(detail or {}))
            except IntegrityError:  # reopening while the session has another open ticket
                raise TicketConflictError(
                    f"ticket {ticket_id}: its chat session already has another open ticket"
                ) from None
            return Ticket.from_row(row)
        raise TicketConflictError(f"ticket {ticket_id} is changing too fast; try again")

    # ----------------------------------------------------------------------------- replies, notes

    def reply(
        self, ticket_id: str, author: str, body: str, *, idempotency_key: str | None = None
    ) -> TicketMessage:
        """A reply the citizen sees in their chat session; refused once the ticket is 已办结."""
        return self._add_message(ticket_id, author, body, MessageKind.REPLY, idempotency_key)

    def add_note(
        self, ticket_id: str, author: str, body: str, *, idempotency_key: str | None = None
    ) -> TicketMessage:
        """An internal note (staff only); allowed on closed tickets too."""
        return self._add_message(ticket_id, author, body, MessageKind.NOTE, idempotency_key)

    def add_citizen_message(
        self, ticket_id: str, body: str, *, idempotency_key: str | None = None
    ) -> TicketMessage:
        """What the citizen wrote in their chat session while the ticket is open; refused once 已办结."""
        return self._add_message(ticket_id, "citizen", body, MessageKind.CITIZEN, idempotency_key)

    def _add_message(
        self, ticket_id: str, author: str, body: str, kind: MessageKind, idempotency_key: str | None
    ) -> TicketMessage:
        self._check_short("actor", author)
        self._check_text("body", body)
        self._check_short("idempotency_key", idempotency_key or "")
        if not body.strip():
            raise InvalidValueError("an empty message cannot be sent")
        if idempotency_key and (existing := self._message_by_key(ticket_id, idempotency_key)) is not None:
            return existing
        message = TicketMessage(_new_id("tm"), ticket_id, kind, author, mask_pii(body), self._clock())
        try:
            with self.engine.begin() as db:
                # Touching the ticket first takes its row lock, so a concurrent 办结 cannot slip between
                # the status check and the insert.
                open_only = kind is not MessageKind.NOTE
                touched = queries.touch(db, ticket_id, message.created_at, open_only=open_only)
                if touched is None:
                    queries.current(db, ticket_id)  # 404 for an unknown ticket
                    raise TicketClosedError(ticket_id, "replying")
                status = TicketStatus(touched)
                db.execute(
                    queries.INSERT_MESSAGE,
                    {
                        "id": message.id,
                        "ticket_id": ticket_id,
                        "kind": kind.value,
                        "author": author,
                        "body": message.body,
                        "created_at": message.created_at,
                        "idempotency_key": idempotency_key,
                    },
                )
                queries.add_event(
                    db,
                    ticket_id,
                    message.created_at,
                    author,
                    _MESSAGE_ACTIONS[kind],
                    status,
                    status,
                    message_id=message.id,
                )
        except IntegrityError:
            existing = self._message_by_key(ticket_id, idempotency_key) if idempotency_key else None
            if existing is None:
                raise
            return existing
        return message

    def _message_by_key(self, ticket_id: str, key: str) -> TicketMessage | None:
        with self._reads.connect() as db:
            return queries.message_by_key(db, ticket_id, key)

    # ------------------------------------------------------------------------------------ helpers

    def _check_text(self, field: str, value: str) -> None:
        if len(value) > self.max_text_chars:
            raise TextTooLongError(field, len(value), self.max_text_chars)

    @staticmethod
    def _check_short(field: str, value: str) -> None:
        if len(value) > _LIMITS[field]:
            raise InvalidValueError(f"{field} is longer than {_LIMITS[field]} characters")


def _event(
    ticket_id: str,
    at: datetime,
    actor: str,
    action: Action,
    before: TicketStatus | None,
    after: TicketStatus,
    **detail: Any,
) -> TicketEventRow:
    return TicketEventRow(
        ticket_id=ticket_id,
        at=at,
        actor=actor,
        action=action.value,
        from_status=before.value if before is not None else None,
        to_status=after.value,
        detail={k: v for k, v in detail.items() if v not in (None, "")},
    )


def _open_for_session(session_id: str) -> Select[Any]:
    return queries.header(TICKETS.c.session_id == session_id, TICKETS.c.status != _CLOSED)
