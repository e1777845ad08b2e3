"""Citizen chat: answer, stream (server-sent events), hand off to a person, rate an answer."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse

from assistant.analytics.feedback import InvalidFeedbackError, UnknownMessageError, record_answer_feedback
from assistant.api.dependencies import ServicesDep
from assistant.api.schemas import ChatRequest, ChatResponse, HandoffRequest, RatingRequest
from assistant.chat import ChatReply, ChatService, MessageError
from assistant.llm_answering import LlmDelta

router = APIRouter(prefix="/api", tags=["chat"])


def validated(chat: ChatService, message: str) -> str:
    """The message, or an HTTP error saying what is wrong with it (413 too long, 422 empty)."""
    try:
        return chat.validate(message)
    except MessageError as error:
        raise HTTPException(status_code=413 if error.too_long else 422, detail=str(error)) from error


@router.post("/chat", response_model=ChatResponse, summary="Ask the assistant (one turn)")
def chat(request: ChatRequest, services: ServicesDep) -> dict[str, object]:
    """Answer with citations, or refuse politely, or hand off to a person (see ``outcome``)."""
    message = validated(services.chat, request.message)
    return services.chat.reply(message, request.session_id, client_id=request.client_message_id).to_dict()


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _events(chat: ChatService, message: str, session_id: str | None, client_id: str | None) -> Iterator[str]:
    try:
        for item in chat.stream(message, session_id, client_id=client_id):
            if isinstance(item, LlmDelta):
                yield sse("delta", {"text": item.text})
            elif isinstance(item, ChatReply):
                yield sse("done", item.to_dict())
    except Exception as error:  # the stream has started: report the failure as an event
        yield sse("error", {"detail": f"{type(error).__name__}: {error}"})


@router.post(
    "/chat/stream",
    summary="Ask the assistant, streamed as server-sent events",
    response_description="`delta` events with text as it is produced, then one `done` event with the full "
    "ChatResponse (authoritative: an LLM draft that fails the citation check is replaced).",
)
def chat_stream(request: ChatRequest, services: ServicesDep) -> StreamingResponse:
    message = validated(services.chat, request.message)
    return StreamingResponse(
        _events(services.chat, message, request.session_id, request.client_message_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/chat/handoff", response_model=ChatResponse, summary="转人工: hand the session to a person")
def handoff(request: HandoffRequest, services: ServicesDep) -> dict[str, object]:
    return services.chat.request_handoff(request.session_id, request.reason).to_dict()


@router.get("/sessions/{session_id}/messages", summary="The (masked) messages of a session")
def session_messages(session_id: str, services: ServicesDep) -> list[dict[str, object]]:
    if services.store.get_session(session_id) is None:
        raise HTTPException(status_code=404, detail=f"unknown session id: {session_id}")
    return [
        {
            "id": m.id,
            "role": m.role,
            "content": m.content,
            "outcome": m.outcome,
            "citations": m.citations,
            "rating": m.rating,
        }
        for m in services.store.messages(session_id)
    ]


@router.post("/messages/{message_id}/rating", summary="好/差评 on one answer")
def rate(message_id: str, request: RatingRequest, services: ServicesDep) -> dict[str, str]:
    """The feedback is recorded first, so an invalid reason changes nothing."""
    try:
        record_answer_feedback(
            services.store.engine, message_id, request.rating, request.reason, request.comment
        )
    except UnknownMessageError:
        raise HTTPException(status_code=404, detail=f"unknown assistant message id: {message_id}") from None
    except InvalidFeedbackError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
    if not services.store.rate_message(message_id, request.rating):
        raise HTTPException(status_code=404, detail=f"unknown assistant message id: {message_id}")
    return {"message_id": message_id, "rating": request.rating}
