"""The citizen page's event logic: chat turns, 转人工 and the ticket, 好/差评, 预审 uploads.

Each handler takes the page's state as plain values plus the services (``CitizenBackend``) and returns
a ``Turn`` (or plain values); ``ui.citizen`` maps them onto components. The stored conversation keeps
each assistant message's id beside its text so a rating can name the message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import gradio as gr

from assistant.analytics.feedback import InvalidFeedbackError, UnknownMessageError, record_answer_feedback
from assistant.chat import ChatReply, MessageError
from assistant.chat_prereview import NoItemInSession, UnknownSession
from ui.citizen_render import (
    SIMPLIFIED,
    History,
    agent_message,
    escape_html,
    escape_markdown,
    render_reply,
    to_script,
)
from ui.citizen_stream import ReadAhead
from ui.file_cache import discard_page_uploads

if TYPE_CHECKING:
    from assistant.chat import ChatService
    from assistant.chat_handoff import ChatHandoff
    from assistant.container import Services
    from assistant.prereview.service import PrereviewService
    from assistant.sessions import SessionStore

logger = logging.getLogger(__name__)

THINKING_TEXT = "正在查找相关政策……"
PLACEHOLDER_AFTER_S = 0.12
"""An answer that starts within this is shown at once, without the “thinking” placeholder first (one
round of page updates fewer before the first words)."""
FAILURE_TEXT = "抱歉，系统暂时无法回答，请稍后再试，或拨打12345政务服务便民热线。"
HANDOFF_LABEL = "转人工"
RATED_TEXT = {"good": "感谢您的好评！", "bad": "感谢反馈，我们会改进这条回答。"}
NO_ITEM_TEXT = "请先在对话中选择要办理的事项（例如点击上方的“一件事”），生成办事清单后再上传材料预审。"
NO_CONSENT_TEXT = "请先阅读上传说明，并勾选“我已阅读并同意”，再上传材料预审。"
STORAGE_FULL_TEXT = "上传存储空间已满，本次材料未保存，请稍后重试，或到窗口办理。"
UNCHANGED: Any = gr.update()
CLIENT_ID = re.compile(r"[0-9A-Za-z-]{16,64}")


def unchanged(value: Any) -> bool:
    """Whether ``value`` is a bare ``gr.update()`` (leave the part as it is)."""
    return isinstance(value, dict) and value == UNCHANGED


@dataclass(frozen=True)
class CitizenBackend:
    """The services the citizen page uses; a bare ``ChatService`` gives chat and 转人工 only."""

    chat: ChatService
    store: SessionStore | None = None
    handoff: ChatHandoff | None = None
    guides: Any = None  # GuideService: the catalogue of items
    prereview: PrereviewService | None = None
    index: Any = None  # KnowledgeIndex: the documents' dates for the sources

    @classmethod
    def of(cls, services: Services | ChatService) -> CitizenBackend:
        chat: ChatService | None = getattr(services, "chat", None)
        if chat is None:  # a ChatService (or a test double)
            bare: Any = services
            return cls(
                bare,
                getattr(bare, "store", None),
                getattr(bare, "handoff", None),
                getattr(bare, "guide", None),
            )
        return cls(
            chat,
            getattr(services, "store", None),
            getattr(services, "handoff", None),
            getattr(services, "guides", None),
            getattr(services, "prereview", None),
            getattr(services, "index", None),
        )

    def source_dates(self) -> dict[str, str]:
        """Doc id → the date shown with a source (``成文日期 …`` of a policy, ``信息截至 …`` of a
        guide), from the index's chunk metadata; worked out once per index generation."""
        chunks = self.index.chunks() if self.index is not None else None
        if not chunks:
            return {}
        return _dates_of(chunks)

    def yijianshi(self) -> list[str]:
        """The names of the “高效办成一件事” items (ids ``yjs-…``), in catalogue order."""
        catalogue = getattr(self.guides, "catalogue", None)
        if catalogue is None:
            return []
        return [g.name for g in catalogue.guides if g.id.startswith("yjs-")]


_DATES: dict[int, tuple[Any, dict[str, str]]] = {}


def _dates_of(chunks: Any) -> dict[str, str]:
    """The doc dates of one chunk snapshot (kept while that snapshot is the index's current one)."""
    cached = _DATES.get(id(chunks))
    if cached is not None and cached[0] is chunks:
        return cached[1]
    dates: dict[str, str] = {}
    for chunk in chunks.values():
        if chunk.doc_id in dates:
            continue
        meta = chunk.metadata or {}
        if meta.get("成文日期"):
            dates[chunk.doc_id] = f"成文日期 {meta['成文日期']}"
        elif meta.get("as_of"):
            dates[chunk.doc_id] = f"信息截至 {meta['as_of']}"
    _DATES.clear()
    _DATES[id(chunks)] = (chunks, dates)
    return dates


class Turn(NamedTuple):
    """One update of the page; ``UNCHANGED`` (``gr.update()``) leaves a part as it is."""

    history: Any
    session_id: str | None
    message: Any
    notice: str
    options: Any  # list[str] | UNCHANGED
    checklist: Any  # dict | UNCHANGED
    failed: bool = False  # the service failed: the page offers 重试 (same message, same client id)


def say(role: str, content: str, message_id: str | None = None) -> dict[str, Any]:
    """A conversation entry; ``message_id`` (assistant answers) is what a rating names."""
    return {"role": role, "content": content, "message_id": message_id}


def respond(
    message: str,
    history: History | None,
    session_id: str | None,
    chat: ChatService,
    *,
    clear_input: bool = True,
    client_id: str | None = None,
    script: str = SIMPLIFIED,
    dates: Mapping[str, str] | None = None,
) -> Iterator[Turn]:
    """Send one message: show it, stream the answer as it comes, then show the stored reply.

    A message the service refuses (empty, too long) or a failure leaves the chat as it was and the
    text in the input box, with the reason shown inline and as a warning; a failure is ``failed``.
    ``client_id`` (the page's id for this message) makes a retry a no-op on the server: the message is
    stored once and, if it was answered already, that answer is shown once. Warnings are shown in
    ``script`` (简体 or 繁體); ``dates`` date the sources. The answer is produced from the start in its
    own thread; the “thinking” placeholder is shown only if it has not started within
    ``PLACEHOLDER_AFTER_S``.
    """
    before = list(history or [])
    keep_input = message if clear_input else UNCHANGED
    cleared = "" if clear_input else UNCHANGED
    try:
        text = chat.validate(message)
    except MessageError as error:
        gr.Warning(to_script(escape_html(str(error)), script))
        yield Turn(before, session_id, keep_input, escape_markdown(str(error)), UNCHANGED, UNCHANGED)
        return

    asked = [*before, say("user", escape_html(text))]
    events = ReadAhead(chat.stream(text, session_id, client_id=client_id))  # starts answering now
    first = True  # the first update shows the question, empties the box and hides old options
    if not events.ready(PLACEHOLDER_AFTER_S):
        yield Turn([*asked, say("assistant", THINKING_TEXT)], session_id, cleared, "", [], UNCHANGED)
        first = False
    streamed = ""
    reply: ChatReply | None = None
    try:
        for event in events:
            if isinstance(event, ChatReply):
                reply = event
            elif event.text:
                streamed += event.text
                shown = [*asked, say("assistant", escape_html(streamed))]
                box, options = (cleared, []) if first else (UNCHANGED, UNCHANGED)  # then the answer only
                yield Turn(shown, session_id, box, "", options, UNCHANGED)
                first = False
    except MessageError as error:
        gr.Warning(to_script(escape_html(str(error)), script))
        yield Turn(before, session_id, keep_input, escape_markdown(str(error)), [], UNCHANGED)
        return
    except Exception:
        logger.exception("citizen chat turn failed (session %s)", session_id)
        reply = None
    if reply is None:
        gr.Warning(to_script(FAILURE_TEXT, script))
        yield Turn(before, session_id, keep_input, FAILURE_TEXT, [], UNCHANGED, failed=True)
        return
    if any(m.get("message_id") == reply.message_id for m in before):  # a retry of an answered message
        shown = before
    else:
        shown = [*asked, say("assistant", render_reply(reply, dates), reply.message_id)]
    checklist = reply.checklist if reply.checklist else UNCHANGED
    yield Turn(shown, reply.session_id, cleared, "", list(reply.options), checklist)


def client_message_id(value: str | None) -> str | None:
    """The page's id for a message if it looks like one (hex digits and dashes, 16–64 characters)."""
    text = (value or "").strip()
    return text if CLIENT_ID.fullmatch(text) else None


def handoff(
    history: History | None, session_id: str | None, chat: ChatService, *, script: str = SIMPLIFIED
) -> Turn:
    """The 转人工 button: hand the session to a person and show the service's reply."""
    before = list(history or [])
    try:
        reply = chat.request_handoff(session_id)
    except Exception:
        logger.exception("handoff request failed (session %s)", session_id)
        gr.Warning(to_script(FAILURE_TEXT, script))
        return Turn(before, session_id, UNCHANGED, FAILURE_TEXT, UNCHANGED, UNCHANGED)
    shown = [*before, say("user", HANDOFF_LABEL), say("assistant", render_reply(reply), reply.message_id)]
    return Turn(shown, reply.session_id, UNCHANGED, "", [], UNCHANGED)


class TicketPoll(NamedTuple):
    """The ticket as the citizen may see it, the conversation with new agent replies added, and
    whether to keep polling (False when there is no ticket or it is closed)."""

    view: dict[str, Any] | None
    history: History
    active: bool


def poll_ticket(handoff_service: ChatHandoff | None, session_id: str | None, history: History) -> TicketPoll:
    """The session's ticket (as ``GET /api/sessions/{id}/ticket`` gives it). Agent replies and the
    resolution not yet in the conversation are appended (keyed ``agent:<id>``, so a poll that raced a
    chat turn adds them again next time rather than losing them)."""
    added = list(history)
    if handoff_service is None or not session_id:
        return TicketPoll(None, added, False)
    found = handoff_service.citizen_view(session_id)
    if found is None:
        return TicketPoll(None, added, False)
    view = found.to_dict()
    present = {m.get("message_id") for m in added}
    for reply in view["replies"]:
        key = f"agent:{reply['id']}"
        if key not in present:
            added.append(say("assistant", agent_message(str(reply["body"])), key))
    closed = view["status_code"] == "closed"
    key = f"agent:closed:{view['ticket_id']}"
    if closed and key not in present:
        text = f"您的工单（{view['ticket_id']}）已办结。办理结果：{view['resolution']}"
        added.append(say("assistant", agent_message(text), key))
    return TicketPoll(view, added, not closed)


def rate_answer(store: SessionStore | None, message_id: str | None, liked: bool) -> str:
    """好/差评 on one answer, the way ``POST /api/messages/{id}/rating`` records it; returns a notice."""
    rating = "good" if liked else "bad"
    if store is None or not message_id:
        return "这条消息不能评价。"
    try:
        record_answer_feedback(store.engine, message_id, rating)
    except (UnknownMessageError, InvalidFeedbackError):
        return "这条消息不能评价。"
    store.rate_message(message_id, rating)
    return RATED_TEXT[rating]


def message_id_at(history: History, index: Any) -> str | None:
    """The message id of the conversation entry a like/dislike refers to (None if it has none)."""
    position = index[0] if isinstance(index, (list, tuple)) else index
    if not isinstance(position, int) or not 0 <= position < len(history):
        return None
    value = str(history[position].get("message_id") or "")
    return value if value and not value.startswith("agent:") else None


class PrereviewResult(NamedTuple):
    """The conversation (report added), the report panel, a notice, whether the page's copies are gone."""

    history: History
    report: str
    notice: str
    files_discarded: bool = False


def run_prereview(
    backend: CitizenBackend,
    session_id: str | None,
    paths: Sequence[str] | None,
    history: History,
    *,
    consented: bool,
) -> PrereviewResult:
    """Pre-review uploads against the session's item as ``POST /api/prereview`` does (the report joins
    the chat; refused files show the server's message); reads nothing until ``consented`` to the notice."""
    before = list(history)
    if backend.prereview is None:
        return PrereviewResult(before, "", "智能预审暂未开通。")
    if not consented:
        return PrereviewResult(before, "", NO_CONSENT_TEXT)
    if not paths:
        return PrereviewResult(before, "", "请先选择要预审的文件。")
    if not session_id:
        return PrereviewResult(before, "", NO_ITEM_TEXT)
    try:
        context = backend.chat.prereview_context(session_id)
    except (UnknownSession, NoItemInSession):
        return PrereviewResult(before, "", NO_ITEM_TEXT)
    uploads = [(Path(p).name, Path(p).read_bytes()) for p in paths]
    from assistant.prereview.models import IntakeError
    from assistant.prereview.report import render_report_text
    from assistant.prereview.storage import StorageFull

    try:
        outcome = backend.prereview.review(context.guide_id, context.answers, uploads)
    except IntakeError as error:
        discard_page_uploads(paths)
        return PrereviewResult(before, "", escape_markdown(str(error)), files_discarded=True)
    except StorageFull:  # nothing was kept: the page's copies stay for another try
        return PrereviewResult(before, "", STORAGE_FULL_TEXT)
    discard_page_uploads(paths)  # the service keeps its own copy, for as long as settings say
    text = render_report_text(outcome.report)
    message_id = backend.chat.record_prereview(session_id, len(uploads), text)
    refused = [
        f"- **未预审** {escape_markdown(e.file_name)}：{escape_markdown(str(e))}" for e in outcome.rejected
    ]
    report = escape_html(text).replace("\n", "  \n")
    if refused:
        report += "\n\n**未能预审的文件**\n\n" + "\n".join(refused)
    added = [
        *before,
        say("user", f"（上传了{len(uploads)}个文件，申请材料预审）"),
        say("assistant", report, message_id),
    ]
    return PrereviewResult(added, report, "", files_discarded=True)
