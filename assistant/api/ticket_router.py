"""The citizen's side of a handoff: their session's ticket (status, agents' replies, deadline) and 好差评."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from assistant.api.agent_schemas import CitizenTicketPublic, TicketRatingCreate
from assistant.api.dependencies import ServicesDep

router = APIRouter(prefix="/api", tags=["chat"])


@router.get(
    "/sessions/{session_id}/ticket",
    response_model=CitizenTicketPublic,
    summary="The session's ticket: status, the agents' replies and the deadline",
)
def session_ticket(session_id: str, services: ServicesDep) -> dict[str, Any]:
    view = services.handoff.citizen_view(session_id)
    if view is None:
        raise HTTPException(status_code=404, detail=f"no ticket for session {session_id}")
    return view.to_dict()


@router.post(
    "/tickets/{ticket_id}/rating", summary="好差评 of a closed ticket, from the session that owns it"
)
def rate_ticket(ticket_id: str, request: TicketRatingCreate, services: ServicesDep) -> dict[str, Any]:
    rating = services.ratings.rate(
        ticket_id, request.session_id, request.rating, request.reason, request.comment
    )
    return rating.to_dict()
