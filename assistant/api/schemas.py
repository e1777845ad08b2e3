"""Request and response models of the HTTP API (the contracts of DESIGN.md section 4)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ChatRequest(BaseModel):
    message: str = Field(
        description="The citizen's message (1–2,000 characters by default).",
        examples=["电子证照能全国通用吗？"],
    )
    session_id: str | None = Field(
        default=None, description="Omit (or pass an unknown id) to start a new session."
    )
    client_message_id: str | None = Field(
        default=None,
        max_length=128,
        description="A unique id the client gives this message (e.g. a UUID): a retried request with the "
        "same id is stored once and gets the reply the first one got.",
    )


class CitationOut(BaseModel):
    index: int
    doc_id: str
    title: str
    section: str
    snippet: str
    score: float


class HandoffOut(BaseModel):
    ticket_id: str
    reason: str


class ChatResponse(BaseModel):
    session_id: str
    message_id: str
    outcome: Literal["answered", "clarify", "refused", "handoff"]
    answer: str
    citations: list[CitationOut] = []
    options: list[str] = []
    handoff: HandoffOut | None = None
    reason: str = ""
    guide: dict[str, Any] | None = Field(
        default=None, description="智能导办 in progress: the item's id, name and stage."
    )
    checklist: dict[str, Any] | None = Field(
        default=None, description="The personalised checklist when a guided flow ends."
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "session_id": "s_3f2a…",
                    "message_id": "m_91c0…",
                    "outcome": "answered",
                    "answer": "2025年底前，……高频电子证照实现全国互通互认，“免证办”全面推行； [1]",
                    "citations": [
                        {
                            "index": 1,
                            "doc_id": "gf-2022-5",
                            "title": "国务院关于加快推进政务服务标准化规范化便利化的指导意见",
                            "section": "一、总体要求 > （三）工作目标",
                            "snippet": "……",
                            "score": 0.0325,
                        }
                    ],
                    "options": [],
                    "handoff": None,
                    "reason": "",
                }
            ]
        }
    }


class HandoffRequest(BaseModel):
    session_id: str | None = None
    reason: str = Field(default="button", max_length=64)


class RatingRequest(BaseModel):
    """好/差评 on an answer, with an optional reason from ``ANSWER_REASONS`` and a comment (masked)."""

    rating: Literal["good", "bad"]
    reason: str = Field(default="", max_length=16)
    comment: str = Field(default="", max_length=500)


class SearchHit(BaseModel):
    rank: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    snippet: str
    score: float
    sparse_rank: int | None
    dense_rank: int | None


class OpenAIMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None


class OpenAIChatRequest(BaseModel):
    model: str = "govassist"
    messages: list[OpenAIMessage] = Field(min_length=1)
    stream: bool = False
    user: str | None = Field(default=None, description="Used as the session id when given.")
    temperature: float | None = None
    max_tokens: int | None = None
