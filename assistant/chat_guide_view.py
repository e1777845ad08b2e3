"""Where a session's guided flow stands, as a page shows it: the option buttons and the checklist.

A page that reloads (Gradio reconnects after a lost connection) rebuilds its conversation from the
session store; the options of the last guided question and the finished checklist are rebuilt here from
the session's stored ``GuideState``, the same ones the dialogue gave with its last reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.chat_prereview import UPLOAD_OPTION
from assistant.guide import dialogue_text as say
from assistant.guide.checklist import build_checklist, effective_answers, pending_situations
from assistant.guide.dialogue_state import GuideState

if TYPE_CHECKING:
    from assistant.guide.models import ServiceGuide
    from assistant.sessions import SessionStore, StoredMessage

WITH_OPTIONS = frozenset({"guide_clarify_item", "guide_ask", "guide_reask", "guide_checklist"})
"""The reasons of the guided replies that come with option buttons."""


@dataclass(frozen=True)
class GuideView:
    """``options``: the buttons under the last reply (none when it was not a guided question);
    ``checklist``: the finished flow's checklist (``Checklist.to_dict()``), else None."""

    options: list[str] = field(default_factory=list)
    checklist: dict[str, Any] | None = None


def guide_view(store: SessionStore, guide: Any, session_id: str) -> GuideView:
    """The view of ``session_id``'s guided flow; empty for an unknown session or one without a flow.

    ``guide`` is the chat's guide service (``get(guide_id)`` raising ``LookupError`` for an item the
    catalogue no longer has)."""
    session = store.get_session(session_id)
    if guide is None or session is None or not session.guide_state:
        return GuideView()
    state = GuideState.from_dict(session.guide_state)
    item = _item(guide, state.guide_id)
    checklist = None
    if item is not None and state.stage == "done":
        try:
            checklist = build_checklist(item, state.answers).to_dict()
        except ValueError:  # the item's questions changed since: no checklist to show
            checklist = None
    last = _last(store.messages(session_id))
    if last is None or last.role != "assistant" or last.reason not in WITH_OPTIONS:
        return GuideView([], checklist)
    try:
        return GuideView(_options(guide, state, item, checklist), checklist)
    except ValueError:  # an answer to a question the item no longer has
        return GuideView([], checklist)


def _item(guide: Any, guide_id: str | None) -> ServiceGuide | None:
    if not guide_id:
        return None
    try:
        item: ServiceGuide = guide.get(guide_id)
    except LookupError:
        return None
    return item


def _last(messages: list[StoredMessage]) -> StoredMessage | None:
    return messages[-1] if messages else None


def _options(
    guide: Any, state: GuideState, item: ServiceGuide | None, checklist: dict[str, Any] | None
) -> list[str]:
    """The options the dialogue gave with the reply that left it in ``state``."""
    if state.stage == "choose":
        names = [found.name for found in (_item(guide, c) for c in state.candidates) if found is not None]
        return [*names, say.NONE_OF_THEM] if len(names) > 1 else []
    if item is None:
        return []
    if state.editing:  # “修改回答”: which answer to change
        effective = effective_answers(item, state.answers)
        return [say.short_question(s) for s in item.situations if s.id in effective]
    if state.stage == "done":
        edit = [say.EDIT] if checklist and checklist.get("answers") else []
        return [*edit, say.SWITCH, UPLOAD_OPTION] if checklist else []
    pending = pending_situations(item, state.answers)
    asked = next((s for s in pending if s.id == state.asking), pending[0] if pending else None)
    if asked is None:
        return []
    back = [say.BACK] if state.order or len(state.candidates) > 1 else []
    return [*(option.label for option in asked.options), *back, say.SWITCH]
