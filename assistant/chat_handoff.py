"""The bridge between a citizen's chat session and its ticket (接诉即办).

The chat's handoff outcome opens a real ticket with the session's masked transcript; while that ticket
is open the citizen's new messages are added to it, the agent's replies (and the closure) are mirrored
into the session, and the citizen can read the ticket's status. The ticket is the source of truth.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assistant.handoff.lifecycle import Category, MessageKind, Priority, TicketSource, TicketStatus
from assistant.handoff.records import Ticket, TicketMessage
from assistant.handoff.tickets import TicketService
from assistant.handoff.triage import RoutingHint, RoutingHook
from assistant.sessions import SessionStore
from assistant.settings import Settings

logger = logging.getLogger(__name__)

HOTLINE = "您也可以拨打12345政务服务便民热线。"
HANDOFF_TEXTS = {
    "human_requested": "好的，正在为您转接人工服务，工作人员会在这里回复您。" + HOTLINE,
    "complaint": "非常抱歉给您带来不好的体验。您的投诉已记录并转交人工处理，工作人员会尽快联系您。" + HOTLINE,
    "frustration": "很抱歉让您多跑了路。我已为您转接人工服务，工作人员会帮您弄清问题并跟进办理。" + HOTLINE,
    "repeated_refusals": "抱歉，我连续没能回答您的问题，已为您转接人工服务，工作人员会在这里回复您。"
    + HOTLINE,
    "button": "已为您转接人工服务，工作人员会在这里回复您。" + HOTLINE,
}
WAITING_TEXT = (
    "您的问题已转交人工服务（工单 {ticket}，当前状态：{status}），工作人员会在这里回复您，请稍候。"
    "您的新留言已一并转交。"
)
NO_QUESTION = "（市民点击了“转人工”，未留言）"
AGENT_ROLE = "agent"
"""Role of an agent's reply in the session's messages (beside ``user`` and ``assistant``)."""
CLOSED_TEXT = "您的工单（{ticket}）已办结。办理结果：{resolution}\n欢迎对本次服务作出评价（好评 / 差评）。"
REASON_CATEGORIES = {"complaint": Category.COMPLAINT, "frustration": Category.HELP}
REASON_PRIORITIES = {"complaint": Priority.HIGH}
STATUS_CODES = {
    TicketStatus.PENDING: "pending",
    TicketStatus.ACCEPTED: "accepted",
    TicketStatus.TRANSFERRED: "transferred",
    TicketStatus.IN_PROGRESS: "in_progress",
    TicketStatus.RESPONDED: "responded",
    TicketStatus.CLOSED: "closed",
}
"""A stable English code beside each Chinese status label (for clients)."""


@dataclass(frozen=True)
class CitizenTicketView:
    """What a citizen may see of their session's ticket: status, the agents' replies, the deadline."""

    ticket: Ticket
    replies: list[TicketMessage]

    def to_dict(self) -> dict[str, Any]:
        ticket = self.ticket
        return {
            "ticket_id": ticket.id,
            "status": ticket.status.value,
            "status_code": STATUS_CODES[ticket.status],
            "category": ticket.category.value,
            "reason": ticket.reason,
            "created_at": _iso(ticket.created_at),
            "due_at": _iso(ticket.due_at),
            "resolve_due_at": _iso(ticket.resolve_due_at),
            "closed_at": _iso(ticket.closed_at),
            "resolution": ticket.resolution if not ticket.is_open else "",
            "replies": [
                {"id": m.id, "author": m.author, "body": m.body, "created_at": _iso(m.created_at)}
                for m in self.replies
            ],
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class ChatHandoff:
    """Opens tickets for chat sessions and keeps the session and its ticket in step."""

    def __init__(
        self, tickets: TicketService, store: SessionStore, routing: RoutingHook | None = None
    ) -> None:
        self.tickets = tickets
        self.store = store
        self.routing = routing

    @classmethod
    def on_store(
        cls, store: SessionStore, settings: Settings, routing: RoutingHook | None = None
    ) -> ChatHandoff:
        """Tickets on the session store's own database (schema created if missing)."""
        tickets = TicketService(store.engine, settings)
        tickets.create_schema()
        return cls(tickets, store, routing)

    # ------------------------------------------------------------------------------ citizen side

    def open_ticket(self, session_id: str, reason: str, question: str, *, button: bool = False) -> Ticket:
        """The session's open ticket, or a new one with its transcript, question and suggested routing.

        The idempotency key is the session and how many tickets it has had, so concurrent or retried
        handoffs of one episode share a ticket, and a handoff after the last one closed opens a new one.
        """
        messages = self.store.messages(session_id)
        if not question.strip():
            question = next((m.content for m in reversed(messages) if m.role == "user"), "") or NO_QUESTION
        active = self.tickets.active_ticket_for_session(session_id)
        if active is not None:
            return active
        hint = self.suggest(question)
        category = REASON_CATEGORIES.get(reason) or (hint.category if hint else None) or Category.CONSULTATION
        episode = len(self.tickets.tickets_for_session(session_id))
        ticket = self.tickets.open_ticket(
            question[: self.tickets.max_text_chars],
            source=TicketSource.BUTTON if button else TicketSource.CHAT,
            session_id=session_id,
            transcript=[{"role": m.role, "content": m.content, "outcome": m.outcome} for m in messages],
            category=category,
            department=hint.department[:128] if hint else "",
            priority=REASON_PRIORITIES.get(reason, Priority.NORMAL),
            reason=reason[:64],
            idempotency_key=f"chat:{session_id}:{episode}",
        )
        self.store.link_ticket(session_id, ticket.id)
        logger.info("session %s handed off (%s), ticket %s", session_id, reason, ticket.id)
        return ticket

    def suggest(self, text: str) -> RoutingHint | None:
        """The routing model's department and category for ``text``; None when it is unavailable."""
        if self.routing is None:
            return None
        try:
            return self.routing(text)
        except Exception:  # a suggestion must never stop a handoff
            logger.exception("routing suggestion failed")
            return None

    def active_ticket(self, session_id: str) -> Ticket | None:
        """The session's ticket that is not 已办结 (the chat stays quiet while there is one)."""
        return self.tickets.active_ticket_for_session(session_id)

    def add_citizen_message(self, ticket: Ticket, text: str, message_id: str | None) -> None:
        """Add what the citizen wrote while waiting to the ticket (once per stored chat message)."""
        self.tickets.add_citizen_message(
            ticket.id, text[: self.tickets.max_text_chars], idempotency_key=message_id
        )

    def citizen_view(self, session_id: str) -> CitizenTicketView | None:
        """The session's current (or latest) ticket with the agents' public replies; None when it has none."""
        tickets = self.tickets.tickets_for_session(session_id)
        if not tickets:
            return None
        ticket = next((t for t in reversed(tickets) if t.is_open), tickets[-1])
        return CitizenTicketView(ticket, self.tickets.messages(ticket.id, include_notes=False))

    # -------------------------------------------------------------------------------- agent side

    def reply(
        self, ticket_id: str, author: str, body: str, *, idempotency_key: str | None = None
    ) -> TicketMessage:
        """An agent's reply: stored on the ticket and shown in the citizen's chat session (once)."""
        message = self.tickets.reply(ticket_id, author, body, idempotency_key=idempotency_key)
        ticket = self.tickets.get(ticket_id)
        if ticket.session_id and message.kind is MessageKind.REPLY:
            self.store.add_message_once(
                ticket.session_id, f"m_{message.id}", AGENT_ROLE, message.body, reason="agent_reply"
            )
        return message

    def close(self, ticket_id: str, actor: str, resolution: str) -> Ticket:
        """办结: close the ticket and tell the citizen in their session; the bot answers again after."""
        ticket = self.tickets.close(ticket_id, actor, resolution)
        if ticket.session_id:
            text = CLOSED_TEXT.format(ticket=ticket.id, resolution=ticket.resolution)
            self.store.add_message_once(
                ticket.session_id,
                f"m_close_{ticket.id}_{ticket.version}",
                AGENT_ROLE,
                text,
                reason="ticket_closed",
            )
        return ticket
