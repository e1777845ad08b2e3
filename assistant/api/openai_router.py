"""OpenAI-compatible endpoints, so existing clients (the ``openai`` SDK, chat front ends) work unchanged.

The last user message is the question; earlier user messages give the topic for follow-ups; the
``user`` field, when present, names the session. System messages sent by the client are ignored:
the assistant's rules are not the client's to change. Streaming sends only text that passed the
citation check (the final answer, in pieces), never an unchecked LLM draft.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse

from assistant.api.chat_router import validated
from assistant.api.dependencies import ServicesDep
from assistant.api.schemas import OpenAIChatRequest, OpenAIMessage
from assistant.chat import ChatReply

router = APIRouter(prefix="/v1", tags=["openai-compatible"])
MODEL_ID = "govassist"


def _text(message: OpenAIMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    if isinstance(message.content, list):
        return "".join(str(part.get("text", "")) for part in message.content if part.get("type") == "text")
    return ""


def with_sources(reply: ChatReply) -> str:
    """The answer followed by its numbered sources, for clients that show plain text only."""
    if not reply.citations:
        return reply.answer
    lines = [f"[{c['index']}] 《{c['title']}》 {c['section']}".rstrip() for c in reply.citations]
    return reply.answer + "\n\n来源：\n" + "\n".join(lines)


def _question_and_topic(request: OpenAIChatRequest) -> tuple[str, str | None]:
    users = [_text(m) for m in request.messages if m.role == "user"]
    if not users or not users[-1].strip():
        raise HTTPException(status_code=422, detail="messages must end with a non-empty user message")
    return users[-1], (users[-2] if len(users) > 1 else None)


@router.get("/models", summary="The one model this server offers")
def models() -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "govassist"}],
    }


@router.post(
    "/chat/completions", summary="OpenAI-compatible chat completion (stream or not)", response_model=None
)
def chat_completions(request: OpenAIChatRequest, services: ServicesDep) -> dict[str, Any] | StreamingResponse:
    question, topic = _question_and_topic(request)
    message = validated(services.chat, question)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if not request.stream:
        reply = services.chat.reply(message, request.user, topic)
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": MODEL_ID,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": with_sources(reply)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "govassist": reply.to_dict(),
        }

    def chunk(delta: dict[str, Any], finish: str | None = None, extra: dict[str, Any] | None = None) -> str:
        body: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **(extra or {}),
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    def events() -> Iterator[str]:
        yield chunk({"role": "assistant", "content": ""})
        reply = services.chat.reply(message, request.user, topic)
        for line in with_sources(reply).splitlines(keepends=True):
            yield chunk({"content": line})
        yield chunk({}, "stop", {"govassist": reply.to_dict()})
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
