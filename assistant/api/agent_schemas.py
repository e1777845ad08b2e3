"""Request and response models of the agent workspace and the citizen's ticket endpoints.

Text fields carry no length limit here on purpose: the ticket service checks them against
``handoff_max_text_chars`` and answers 413 with the field named, as the issue asks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.chat_handoff import STATUS_CODES
from assistant.handoff.auth import LoginToken
from assistant.handoff.lifecycle import Action
from assistant.handoff.records import Page, Ticket, TicketEvent, TicketMessage
from assistant.handoff.staff import StaffUser

ACTION_ENDPOINTS = {
    Action.CLAIM: "claim",
    Action.TRANSFER: "transfer",
    Action.START: "start",
    Action.RESPOND: "respond",
    Action.CLOSE: "close",
    Action.REVISIT: "revisit",
    Action.REOPEN: "reopen",
}
"""The endpoint (``POST /api/agent/tickets/{id}/<name>``) of each lifecycle action."""


# ------------------------------------------------------------------------------------------ staff


class LoginRequest(BaseModel):
    username: str = Field(max_length=128, examples=["agent.wang"])
    password: str = Field(max_length=1024)


class StaffPublic(BaseModel):
    username: str
    display_name: str
    role: Literal["agent", "supervisor", "admin"]
    department: str

    @classmethod
    def from_user(cls, user: StaffUser) -> StaffPublic:
        return cls(
            username=user.username,
            display_name=user.display_name,
            role=user.role.value,
            department=user.department,
        )


class LoginResponse(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; shown once.")
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    role: Literal["agent", "supervisor", "admin"]
    user: StaffPublic

    @classmethod
    def from_login(cls, login: LoginToken) -> LoginResponse:
        return cls(
            token=login.token,
            expires_at=login.expires_at,
            role=login.user.role.value,
            user=StaffPublic.from_user(login.user),
        )


# ---------------------------------------------------------------------------------------- tickets


class TicketPublic(BaseModel):
    """A ticket's header as staff see it (the transcript, messages and audit trail come apart)."""

    id: str
    source: str
    session_id: str | None
    reason: str
    question: str
    summary: str
    category: str
    suggested_department: str
    department: str
    priority: str
    status: str
    status_code: str
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
    sla_breached: bool

    @classmethod
    def from_ticket(cls, ticket: Ticket, now: datetime) -> TicketPublic:
        return cls(
            id=ticket.id,
            source=ticket.source.value,
            session_id=ticket.session_id,
            reason=ticket.reason,
            question=ticket.question,
            summary=ticket.summary,
            category=ticket.category.value,
            suggested_department=ticket.suggested_department,
            department=ticket.department,
            priority=ticket.priority.key,
            status=ticket.status.value,
            status_code=STATUS_CODES[ticket.status],
            assignee=ticket.assignee,
            version=ticket.version,
            created_by=ticket.created_by,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            accept_due_at=ticket.accept_due_at,
            resolve_due_at=ticket.resolve_due_at,
            due_at=ticket.due_at,
            accepted_at=ticket.accepted_at,
            responded_at=ticket.responded_at,
            closed_at=ticket.closed_at,
            resolution=ticket.resolution,
            satisfaction=ticket.satisfaction,
            sla_breached=ticket.sla_breached(now),
        )


class TicketsPublic(BaseModel):
    items: list[TicketPublic]
    total: int
    page: int
    page_size: int
    pages: int

    @classmethod
    def from_page(cls, page: Page[Ticket], now: datetime) -> TicketsPublic:
        return cls(
            items=[TicketPublic.from_ticket(t, now) for t in page.items],
            total=page.total,
            page=page.page,
            page_size=page.page_size,
            pages=page.pages,
        )


class TicketCreate(BaseModel):
    """A ticket an agent records for a hotline call."""

    question: str = Field(min_length=1, examples=["来电咨询新生儿落户需要哪些材料"])
    summary: str = ""
    category: Literal["咨询", "求助", "投诉", "建议"] = "咨询"
    department: str = ""
    priority: Literal["urgent", "high", "normal", "low"] = "normal"
    reason: str = Field(default="phone_call", max_length=64)


class TicketMessagePublic(BaseModel):
    id: str
    kind: Literal["reply", "note", "citizen"]
    author: str
    body: str
    created_at: datetime

    @classmethod
    def from_message(cls, message: TicketMessage) -> TicketMessagePublic:
        return cls(
            id=message.id,
            kind=message.kind.value,
            author=message.author,
            body=message.body,
            created_at=message.created_at,
        )


class TicketEventPublic(BaseModel):
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    detail: dict[str, Any]

    @classmethod
    def from_event(cls, event: TicketEvent) -> TicketEventPublic:
        return cls(
            at=event.at,
            actor=event.actor,
            action=event.action.value,
            from_status=event.from_status.value if event.from_status else None,
            to_status=event.to_status.value,
            detail=event.detail,
        )


class TicketDetail(BaseModel):
    """Everything an agent needs to work one ticket."""

    ticket: TicketPublic
    transcript: list[dict[str, Any]] = Field(description="The masked chat the ticket was opened with.")
    messages: list[TicketMessagePublic] = Field(description="Replies, internal notes and citizen messages.")
    events: list[TicketEventPublic] = Field(description="The audit trail, oldest first.")
    allowed_actions: list[str] = Field(description="Endpoints that apply now: claim, start, … reply, note.")
    suggestions: list[dict[str, Any]] = Field(description="Agent assist, one per citizen question.")


class TransferRequest(BaseModel):
    department: str = Field(min_length=1)
    assignee: str | None = None
    note: str = ""


class RespondRequest(BaseModel):
    note: str = ""


class CloseRequest(BaseModel):
    resolution: str = Field(min_length=1)


class RevisitRequest(BaseModel):
    satisfaction: Literal["满意", "基本满意", "不满意"]
    note: str = ""


class ReopenRequest(BaseModel):
    reason: str = Field(min_length=1)


class MessageCreate(BaseModel):
    body: str = Field(min_length=1)


class AssistRequest(BaseModel):
    text: str = Field(min_length=1, examples=["灵活就业人员怎么缴纳社保"])


class SuggestionFeedbackCreate(BaseModel):
    suggestion_id: str = Field(max_length=40)
    action: Literal["used", "edited", "discarded"]
    final_text: str = Field(default="", description="What the agent sent, when edited.")


# ---------------------------------------------------------------------------------------- citizen


class CitizenReply(BaseModel):
    id: str
    author: str
    body: str
    created_at: str | None


class CitizenTicketPublic(BaseModel):
    """What the citizen sees of their session's ticket (never internal notes)."""

    ticket_id: str
    status: str = Field(description="待受理 / 已受理 / 已转办 / 办理中 / 已反馈 / 已办结")
    status_code: str = Field(
        description="pending / accepted / transferred / in_progress / responded / closed"
    )
    category: str
    reason: str
    created_at: str | None
    due_at: str | None = Field(description="The deadline that applies now (受理 first, then 办结).")
    resolve_due_at: str | None
    closed_at: str | None
    resolution: str
    replies: list[CitizenReply]


class TicketRatingCreate(BaseModel):
    session_id: str = Field(max_length=64, description="The chat session the ticket came from.")
    rating: Literal["好", "差"]
    reason: str = Field(default="", max_length=64)
    comment: str = Field(default="", max_length=500)
