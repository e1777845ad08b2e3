"""The conversation of a stored session, rebuilt for the citizen page after a reload.

Gradio reloads the page once a lost connection comes back; the page keeps its session id in the tab's
``sessionStorage`` and asks for the conversation again. The messages come from the session store, as
``GET /api/sessions/{id}/messages`` gives them (PII already masked), rendered as the page shows them:
answers with their numbered sources and the handoff notice (after the 转人工 click), agent replies
keyed as the ticket poll keys them (so the poll does not add them twice).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from assistant.chat_handoff import AGENT_ROLE
from ui.citizen_handlers import HANDOFF_LABEL, say
from ui.citizen_render import (
    History,
    agent_message,
    escape_html,
    format_checklist_summary,
    format_handoff,
    format_sources,
)

if TYPE_CHECKING:
    from assistant.chat import ChatService
    from assistant.sessions import SessionStore, StoredMessage

_REPLY_ID = re.compile(r"m_(?!close_)(.+)")
_CLOSED_ID = re.compile(r"m_close_(.+)_\d+")
SESSION_ID = re.compile(r"[0-9A-Za-z_-]{8,80}")
CHECKLIST_REASON = "guide_checklist"


def _agent_key(message_id: str) -> str:
    """The key ``poll_ticket`` gives the same agent message (``agent:<reply>``, ``agent:closed:<ticket>``)."""
    closed = _CLOSED_ID.fullmatch(message_id)
    if closed:
        return f"agent:closed:{closed.group(1)}"
    reply = _REPLY_ID.fullmatch(message_id)
    return f"agent:{reply.group(1) if reply else message_id}"


def _assistant(
    message: StoredMessage,
    ticket_id: str | None,
    dates: Mapping[str, str] | None,
    checklist: Mapping[str, Any] | None = None,
) -> str:
    """An answer as the page showed it; the flow's ``checklist`` as the page summarised it."""
    text = message.content.strip()
    parts = [escape_html(text)]
    if checklist is not None:
        parts = [escape_html(text.splitlines()[0] if text else ""), format_checklist_summary(checklist)]
    if message.outcome == "handoff":
        parts.append(format_handoff({"ticket_id": ticket_id} if ticket_id else None))
    sources = format_sources(message.citations, dates)
    if sources:
        parts.append(sources)
    return "\n\n".join(part for part in parts if part)


def restore_history(
    store: SessionStore | None,
    session_id: str | None,
    dates: Mapping[str, str] | None = None,
    checklist: Mapping[str, Any] | None = None,
) -> tuple[History, str | None]:
    """The page's conversation for ``session_id`` and the id itself; ``([], None)`` when there is no
    store, the id is malformed or unknown. ``dates`` date the sources (doc id → label); ``checklist``
    (the finished flow's, see ``restore_guide``) is summarised in the last checklist answer."""
    text = (session_id or "").strip()
    if store is None or not SESSION_ID.fullmatch(text):
        return [], None
    session = store.get_session(text)
    if session is None:
        return [], None
    history: History = []
    messages = store.messages(text)
    summarised = _last_checklist(messages) if checklist is not None else None
    for message in messages:
        if message.role == "user":
            history.append(say("user", escape_html(message.content)))
        elif message.role == AGENT_ROLE:
            history.append(say("assistant", agent_message(message.content), _agent_key(message.id)))
        elif message.role == "assistant":
            if message.outcome == "handoff" and message.reason == "button":  # the page showed the click
                history.append(say("user", HANDOFF_LABEL))
            sheet = checklist if message.id == summarised else None
            shown = _assistant(message, session.handoff_id, dates, sheet)
            history.append(say("assistant", shown, message.id))
    return history, session.id


def _last_checklist(messages: list[StoredMessage]) -> str | None:
    """The id of the last answer that gave the guided flow's checklist."""
    ids = [m.id for m in messages if m.role == "assistant" and m.reason == CHECKLIST_REASON]
    return ids[-1] if ids else None


def restore_guide(chat: ChatService, session_id: str | None) -> tuple[list[str], dict[str, Any] | None]:
    """The session's guided flow as the page showed it: the last question's option texts and the
    finished checklist (or None), rebuilt from the stored guide state."""
    viewer = getattr(chat, "guide_view", None)  # a test double of the chat may have none
    if not SESSION_ID.fullmatch((session_id or "").strip()) or viewer is None:
        return [], None
    view = viewer((session_id or "").strip())
    return list(view.options), view.checklist
