"""The citizen web chat: a Gradio client of ``ChatService`` only (streamed, cited answers; 转人工).

``build_citizen_app`` lays out the page; the event handlers (``respond``, ``handoff``) and the Markdown
helpers are plain module-level functions so they can be tested without a browser. The app is mounted
at ``/`` of the FastAPI app by ``assistant.api.app.create_app``.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import gradio as gr

from assistant.chat import GREETING_TEXT, STARTER_QUESTIONS, ChatReply, ChatService, MessageError

logger = logging.getLogger(__name__)

TITLE = "政务服务智能助手"
PRIVACY_NOTICE = (
    "🔒 请不要输入身份证号、手机号、银行卡号等个人敏感信息；对话中的个人号码在保存前会被自动遮盖。"
)
THINKING_TEXT = "正在查找相关政策……"
FAILURE_TEXT = "抱歉，系统暂时无法回答，请稍后再试，或拨打12345政务服务便民热线。"
HANDOFF_LABEL = "转人工"
CONCURRENCY_LIMIT = 8
"""Chat turns served at once across all visitors (Gradio's default would be one)."""
API_VISIBILITY = "private"
"""The page's events are not a second public API: programs use ``POST /api/chat``."""

History = list[dict[str, Any]]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-=.!|~$])")


class Turn(NamedTuple):
    """One update of the page, in the order of the event outputs; ``gr.update()`` leaves a part as is."""

    history: Any
    session_id: str | None
    message: Any
    notice: str
    options: Any
    options_view: Any


def escape_html(text: str) -> str:
    """Text whose ``<``, ``>`` and ``&`` show literally (Markdown formatting still applies)."""
    return html.escape(text, quote=False)


def escape_markdown(text: str) -> str:
    """Text shown literally in Markdown: punctuation backslash-escaped, ``<>&`` as HTML entities."""
    return escape_html(_MARKDOWN_SPECIAL.sub(r"\\\1", text))


def format_citations(citations: Sequence[Mapping[str, Any]]) -> str:
    """The numbered sources as Markdown: ``[n] 《title》 section`` and the snippet as a quote."""
    blocks: list[str] = []
    for position, citation in enumerate(citations, start=1):
        try:
            number = int(citation.get("index", position))
        except (TypeError, ValueError):
            number = position
        title = escape_markdown(str(citation.get("title") or "").strip() or "未命名文件")
        section = escape_markdown(" ".join(str(citation.get("section") or "").split()))
        heading = f"[{number}] 《{title}》" + (f" {section}" if section else "")
        lines = [line.strip() for line in str(citation.get("snippet") or "").splitlines()]
        quote = "\n".join(f"> {escape_markdown(line)}" for line in lines if line)
        blocks.append(f"{heading}\n\n{quote}" if quote else heading)
    if not blocks:
        return ""
    return "**参考来源**\n\n" + "\n\n".join(blocks)


def format_handoff(handoff: Mapping[str, Any] | None) -> str:
    """The notice that the conversation is with a person now, with the ticket id to quote."""
    ticket = str((handoff or {}).get("ticket_id") or "").strip()
    if not ticket:
        return "**已转人工服务**，工作人员会在这里回复您。"
    return f"**已转人工服务**，工单号：{escape_markdown(ticket)}。请保留工单号，工作人员会在这里回复您。"


def render_reply(reply: ChatReply) -> str:
    """The assistant's message as shown: the answer, then the handoff notice or the numbered sources."""
    parts = [escape_html(reply.answer.strip())]
    if reply.outcome == "handoff":
        parts.append(format_handoff(reply.handoff))
    sources = format_citations(reply.citations)
    if sources:
        parts.append(sources)
    return "\n\n".join(part for part in parts if part)


def options_update(options: Sequence[str]) -> dict[str, Any]:
    """The clarify-options Dataset showing ``options`` (hidden when there are none)."""
    return gr.update(samples=[[option] for option in options], visible=bool(options))


def pick(index: int | None, choices: Sequence[str] | None) -> str:
    """The choice clicked in a Dataset of ``type="index"`` (empty if the index is stale)."""
    if index is None or not choices or not 0 <= index < len(choices):
        return ""
    return choices[index]


def _say(role: str, content: str) -> dict[str, Any]:
    return {"role": role, "content": content}


def _unchanged_options() -> tuple[Any, Any]:
    return gr.update(), gr.update()


def respond(
    message: str,
    history: History | None,
    session_id: str | None,
    chat: ChatService,
    *,
    clear_input: bool = True,
) -> Iterator[Turn]:
    """Send one message: show it, stream the answer as it comes, then show the stored reply.

    A message the service refuses to take (empty, too long) or a failure leaves the chat as it was and the
    text in the input box, with the reason shown inline and as a warning.
    """
    before = list(history or [])
    keep_input = message if clear_input else gr.update()
    cleared = "" if clear_input else gr.update()
    try:
        text = chat.validate(message)
    except MessageError as error:
        gr.Warning(escape_html(str(error)))
        yield Turn(before, session_id, keep_input, escape_markdown(str(error)), *_unchanged_options())
        return

    asked = [*before, _say("user", text)]
    hidden = options_update([])
    yield Turn([*asked, _say("assistant", THINKING_TEXT)], session_id, cleared, "", [], hidden)
    streamed = ""
    reply: ChatReply | None = None
    try:
        for event in chat.stream(text, session_id):
            if isinstance(event, ChatReply):
                reply = event
            elif event.text:
                streamed += event.text
                shown = [*asked, _say("assistant", escape_html(streamed))]
                yield Turn(shown, session_id, cleared, "", [], hidden)
    except MessageError as error:
        gr.Warning(escape_html(str(error)))
        yield Turn(before, session_id, keep_input, escape_markdown(str(error)), [], hidden)
        return
    except Exception:
        logger.exception("citizen chat turn failed (session %s)", session_id)
        reply = None
    if reply is None:
        gr.Warning(FAILURE_TEXT)
        yield Turn(before, session_id, keep_input, FAILURE_TEXT, [], hidden)
        return
    options = list(reply.options) if reply.outcome == "clarify" else []
    shown = [*asked, _say("assistant", render_reply(reply))]
    yield Turn(shown, reply.session_id, cleared, "", options, options_update(options))


def handoff(history: History | None, session_id: str | None, chat: ChatService) -> Turn:
    """The 转人工 button: hand the session to a person and show the service's reply."""
    before = list(history or [])
    try:
        reply = chat.request_handoff(session_id)
    except Exception:
        logger.exception("handoff request failed (session %s)", session_id)
        gr.Warning(FAILURE_TEXT)
        return Turn(before, session_id, gr.update(), FAILURE_TEXT, *_unchanged_options())
    shown = [*before, _say("user", HANDOFF_LABEL), _say("assistant", render_reply(reply))]
    return Turn(shown, reply.session_id, gr.update(), "", [], options_update([]))


def build_citizen_app(chat: ChatService) -> gr.Blocks:
    """The citizen chat page; every event goes through ``chat`` (no store or index access here)."""
    app = gr.Blocks(title=TITLE, analytics_enabled=False)
    with app:
        session = gr.State(None)
        options = gr.State([])
        gr.Markdown(f"## {TITLE}")
        chatbot = gr.Chatbot(
            label="对话记录",
            elem_id="chat-window",
            placeholder=GREETING_TEXT,
            height="60vh",
            min_height=320,
            latex_delimiters=[],
            buttons=["copy", "copy_all"],
        )
        choices = gr.Dataset(
            label="您可能想问（点击即可发送）",
            components=["textbox"],
            samples=[],
            type="index",
            visible=False,
            elem_id="clarify-options",
        )
        notice = gr.Markdown(elem_id="chat-notice")
        message = gr.Textbox(
            label="您的问题",
            placeholder="请输入您想咨询的政务服务问题，按回车发送",
            elem_id="question-input",
            max_lines=6,
            autofocus=True,
        )
        with gr.Row():
            send = gr.Button("发送", variant="primary", elem_id="send-button", min_width=0)
            human = gr.Button(HANDOFF_LABEL, elem_id="handoff-button", min_width=0)
        gr.Markdown(PRIVACY_NOTICE, elem_id="privacy-notice")
        starters = gr.Dataset(
            label="常见问题（点击即可发送）",
            components=["textbox"],
            samples=[[question] for question in STARTER_QUESTIONS],
            type="index",
            elem_id="starter-questions",
        )

        def on_send(text: str, history: History, session_id: str | None) -> Iterator[Turn]:
            yield from respond(text, history, session_id, chat)

        def on_option(
            index: int | None, offered: list[str], history: History, session_id: str | None
        ) -> Iterator[Turn]:
            yield from respond(pick(index, offered), history, session_id, chat, clear_input=False)

        def on_starter(index: int | None, history: History, session_id: str | None) -> Iterator[Turn]:
            yield from respond(pick(index, STARTER_QUESTIONS), history, session_id, chat, clear_input=False)

        def on_handoff(history: History, session_id: str | None) -> Turn:
            return handoff(history, session_id, chat)

        outputs = [chatbot, session, message, notice, options, choices]
        shared: dict[str, Any] = {
            "outputs": outputs,
            "concurrency_id": "chat",
            "concurrency_limit": CONCURRENCY_LIMIT,
            "api_visibility": API_VISIBILITY,
        }
        gr.on([message.submit, send.click], on_send, [message, chatbot, session], **shared)
        choices.click(on_option, [choices, options, chatbot, session], **shared)
        starters.click(on_starter, [starters, chatbot, session], **shared)
        human.click(on_handoff, [chatbot, session], **shared)
    return app
