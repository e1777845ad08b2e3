"""The agent workspace (staff only): log in, work the ticket queue, reply, annotate, get assist.

Thin handlers over ``TicketService``, ``ChatHandoff`` (replies and closure reach the citizen's
session), ``AgentAssist`` and ``AuthService``; their errors carry the HTTP status the app answers with.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import BaseModel

from assistant.api.agent_auth import StaffDep, SupervisorDep, TokenDep
from assistant.api.agent_schemas import (
    ACTION_ENDPOINTS,
    AssistRequest,
    CloseRequest,
    LoginRequest,
    LoginResponse,
    MessageCreate,
    ReopenRequest,
    RespondRequest,
    RevisitRequest,
    StaffPublic,
    SuggestionFeedbackCreate,
    TicketCreate,
    TicketDetail,
    TicketEventPublic,
    TicketMessagePublic,
    TicketPublic,
    TicketsPublic,
    TransferRequest,
)
from assistant.api.dependencies import ServicesDep
from assistant.handoff.lifecycle import TicketSource, TicketStatus, allowed_actions
from assistant.handoff.models import utcnow
from assistant.handoff.records import QueueFilter, Ticket
from assistant.handoff.staff import StaffUser

router = APIRouter(prefix="/api/agent", tags=["agent workspace"])

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=128, description="Retries with the same key do it once."),
]


def _json(model: BaseModel, status_code: int = status.HTTP_200_OK) -> Response:
    """``model`` as the JSON response, serialised in the handler's own worker thread.

    Returning a model would make FastAPI validate it again in a second thread-pool hop; when the server
    is busy each hop waits for the GIL, which showed in the queue's latency. The routes still declare
    their ``response_model`` for the API docs, and the models were validated when they were built.
    """
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


def _public(ticket: Ticket, status_code: int = status.HTTP_200_OK) -> Response:
    return _json(TicketPublic.from_ticket(ticket, utcnow()), status_code)


# ------------------------------------------------------------------------------------- log-in


@router.post("/login", response_model=LoginResponse, summary="Log in: username and password → bearer token")
def login(request: LoginRequest, services: ServicesDep) -> LoginResponse:
    return LoginResponse.from_login(services.auth.login(request.username, request.password))


@router.post("/logout", summary="Revoke the bearer token")
def logout(services: ServicesDep, token: TokenDep, user: StaffDep) -> dict[str, bool]:
    return {"logged_out": services.auth.logout(token)}


@router.get("/me", response_model=StaffPublic, summary="Who the token belongs to")
def me(user: StaffDep) -> Response:
    return _json(StaffPublic.from_user(user))


# -------------------------------------------------------------------------------------- queue


@router.get("/tickets", response_model=TicketsPublic, summary="The ticket queue, filtered and paginated")
def list_tickets(
    services: ServicesDep,
    user: StaffDep,
    status_: Annotated[list[str] | None, Query(alias="status", description="待受理 … 已办结; repeat")] = None,
    category: str | None = None,
    department: str | None = None,
    assignee: str | None = None,
    mine: Annotated[bool, Query(description="Only tickets assigned to me")] = False,
    unassigned: bool = False,
    priority: Annotated[str | None, Query(description="urgent / high / normal / low or 1–4")] = None,
    sla_breached: bool | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> Response:
    filters = QueueFilter(
        statuses=tuple(status_ or ()),
        category=category or None,
        department=department or None,
        assignee=user.username if mine else (assignee or None),
        unassigned=unassigned,
        priority=priority or None,
        sla_breached=sla_breached,
    )
    result = services.tickets.list_queue(filters, page=page, page_size=page_size)
    return _json(TicketsPublic.from_page(result, utcnow()))


@router.get(
    "/sla-breaches", response_model=TicketsPublic, summary="Open tickets past their deadline (supervisors)"
)
def sla_breaches(
    services: ServicesDep,
    user: SupervisorDep,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    breaches = services.tickets.sla_breaches(page=page, page_size=page_size)
    return _json(TicketsPublic.from_page(breaches, utcnow()))


@router.post(
    "/tickets",
    response_model=TicketPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Record a ticket for a hotline call",
)
def create_ticket(
    request: TicketCreate, services: ServicesDep, user: StaffDep, idempotency_key: IdempotencyKey = None
) -> Response:
    department = request.department
    if not department and (hint := services.handoff.suggest(request.question)) is not None:
        department = hint.department[:128]
    ticket = services.tickets.open_ticket(
        request.question,
        source=TicketSource.PHONE,
        summary=request.summary,
        category=request.category,
        department=department,
        priority=request.priority,
        reason=request.reason,
        actor=user.username,
        idempotency_key=_scoped_key(user, idempotency_key),
    )
    return _public(ticket, status.HTTP_201_CREATED)


def _scoped_key(user: StaffUser, key: str | None) -> str | None:
    """Idempotency keys are per staff user, so two agents' keys never collide."""
    if not key:
        return None
    return "phone:" + hashlib.sha256(f"{user.id}\x00{key}".encode()).hexdigest()[:48]


@router.get("/tickets/{ticket_id}", response_model=TicketDetail, summary="One ticket with everything on it")
def ticket_detail(
    ticket_id: str,
    services: ServicesDep,
    user: StaffDep,
    suggest: Annotated[bool, Query(description="Include agent-assist suggestions")] = True,
) -> Response:
    dossier = services.tickets.dossier(ticket_id)
    ticket = dossier.ticket
    actions = [ACTION_ENDPOINTS[a] for a in allowed_actions(ticket.status)]
    actions += (["reply"] if ticket.status is not TicketStatus.CLOSED else []) + ["note"]
    suggestions = [s.to_dict() for s in services.assist.for_ticket(ticket_id)] if suggest else []
    detail = TicketDetail(
        ticket=TicketPublic.from_ticket(ticket, utcnow()),
        transcript=dossier.transcript,
        messages=[TicketMessagePublic.from_message(m) for m in dossier.messages],
        events=[TicketEventPublic.from_event(e) for e in dossier.events],
        allowed_actions=actions,
        suggestions=suggestions,
    )
    return _json(detail)


# ---------------------------------------------------------------------------------- lifecycle


@router.post("/tickets/{ticket_id}/claim", response_model=TicketPublic, summary="受理 (first claim wins)")
def claim(ticket_id: str, services: ServicesDep, user: StaffDep) -> Response:
    return _public(services.tickets.claim(ticket_id, user.username))


@router.post("/tickets/{ticket_id}/start", response_model=TicketPublic, summary="办理")
def start(ticket_id: str, services: ServicesDep, user: StaffDep) -> Response:
    return _public(services.tickets.start(ticket_id, user.username))


@router.post("/tickets/{ticket_id}/respond", response_model=TicketPublic, summary="反馈")
def respond(ticket_id: str, request: RespondRequest, services: ServicesDep, user: StaffDep) -> Response:
    return _public(services.tickets.respond(ticket_id, user.username, note=request.note))


@router.post("/tickets/{ticket_id}/close", response_model=TicketPublic, summary="办结 with a resolution")
def close(ticket_id: str, request: CloseRequest, services: ServicesDep, user: StaffDep) -> Response:
    return _public(services.handoff.close(ticket_id, user.username, request.resolution))


@router.post("/tickets/{ticket_id}/transfer", response_model=TicketPublic, summary="转办 to a department")
def transfer(ticket_id: str, request: TransferRequest, services: ServicesDep, user: StaffDep) -> Response:
    ticket = services.tickets.transfer(
        ticket_id, user.username, request.department, assignee=request.assignee, note=request.note
    )
    return _public(ticket)


@router.post("/tickets/{ticket_id}/revisit", response_model=TicketPublic, summary="回访: record satisfaction")
def revisit(ticket_id: str, request: RevisitRequest, services: ServicesDep, user: StaffDep) -> Response:
    return _public(
        services.tickets.revisit(ticket_id, user.username, request.satisfaction, note=request.note)
    )


@router.post("/tickets/{ticket_id}/reopen", response_model=TicketPublic, summary="重新打开")
def reopen(ticket_id: str, request: ReopenRequest, services: ServicesDep, user: StaffDep) -> Response:
    return _public(services.tickets.reopen(ticket_id, user.username, request.reason))


# ------------------------------------------------------------------------------ replies, notes


@router.post(
    "/tickets/{ticket_id}/reply",
    response_model=TicketMessagePublic,
    status_code=status.HTTP_201_CREATED,
    summary="Reply to the citizen (shown in their chat session); 409 once closed",
)
def reply(
    ticket_id: str,
    request: MessageCreate,
    services: ServicesDep,
    user: StaffDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    message = services.handoff.reply(ticket_id, user.username, request.body, idempotency_key=idempotency_key)
    return _json(TicketMessagePublic.from_message(message), status.HTTP_201_CREATED)


@router.post(
    "/tickets/{ticket_id}/note",
    response_model=TicketMessagePublic,
    status_code=status.HTTP_201_CREATED,
    summary="An internal note (staff only)",
)
def note(
    ticket_id: str,
    request: MessageCreate,
    services: ServicesDep,
    user: StaffDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    message = services.tickets.add_note(
        ticket_id, user.username, request.body, idempotency_key=idempotency_key
    )
    return _json(TicketMessagePublic.from_message(message), status.HTTP_201_CREATED)


# -------------------------------------------------------------------------------------- assist


@router.get(
    "/tickets/{ticket_id}/suggestions",
    summary="Agent assist for each citizen question of a ticket (fetch after opening it with suggest=false)",
)
def ticket_suggestions(ticket_id: str, services: ServicesDep, user: StaffDep) -> list[dict[str, Any]]:
    return [s.to_dict() for s in services.assist.for_ticket(ticket_id)]


@router.post("/assist", summary="A suggested answer for text the agent types (a caller's question)")
def assist(request: AssistRequest, services: ServicesDep, user: StaffDep) -> dict[str, Any]:
    return services.assist.for_text(request.text).to_dict()


@router.post(
    "/tickets/{ticket_id}/suggestion-feedback",
    status_code=status.HTTP_201_CREATED,
    summary="Record whether a suggestion was used, edited or discarded",
)
def suggestion_feedback(
    ticket_id: str, request: SuggestionFeedbackCreate, services: ServicesDep, user: StaffDep
) -> dict[str, Any]:
    feedback = services.assist.record_feedback(
        ticket_id, request.suggestion_id, user.username, request.action, request.final_text
    )
    return feedback.to_dict()
