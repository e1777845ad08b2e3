"""The citizen page at ``/``: a Gradio client of the services only (chat, 导办, 预审, 转人工).

``build_citizen_app`` lays out the page and wires events; the logic is in ``ui.citizen_handlers``, the
rendering in ``ui.citizen_render`` and the client-side CSS/JS in ``ui.citizen_assets``. Mounted at ``/``
of the FastAPI app by ``assistant.api.app.create_app``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.chat import GREETING_TEXT, STARTER_QUESTIONS
from ui.citizen_assets import (
    ANSWERED_JS,
    FAILED_JS,
    PRINT_JS,
    READ_SESSION_JS,
    RETRY_BAR_JS,
    RETRY_JS,
    RETRY_TEXT,
    SAVE_SESSION_JS,
    SEND_JS,
    TOGGLE_HTML,
    TOGGLE_JS,
    TOGGLE_TEXTS,
    click_js,
)
from ui.citizen_handlers import (
    FAILURE_TEXT,
    HANDOFF_LABEL,
    THINKING_TEXT,
    UNCHANGED,
    CitizenBackend,
    Turn,
    client_message_id,
    handoff,
    message_id_at,
    poll_ticket,
    rate_answer,
    respond,
    run_prereview,
)
from ui.citizen_parts import (
    CONSENT_LABEL,
    INTRO,
    OPTION_SLOTS,
    PRIVACY_NOTICE,
    TITLE,
    UPLOAD_NOTICE,
    entry_question,
    option_updates,
    pick,
    restore_script,
    save_checklist,
    turn_outputs,
)
from ui.citizen_render import (
    SCRIPTS,
    SIMPLIFIED,
    History,
    display_history,
    escape_markdown,
    format_checklist,
    format_citations,
    format_handoff,
    format_ticket,
    render_reply,
    to_script,
)
from ui.citizen_restore import restore_guide, restore_history
from ui.citizen_script import LEARN_JS, install_script_texts
from ui.page_messages import install_chinese_messages

if TYPE_CHECKING:
    from assistant.chat import ChatService
    from assistant.container import Services

CONCURRENCY_LIMIT = 8
"""Chat turns served at once across all visitors (Gradio's default would be one)."""
API_VISIBILITY = "private"
"""The page's events are not a second public API: programs use ``POST /api/chat``."""
POLL_SECONDS = 3.0

__all__ = [
    "FAILURE_TEXT",
    "HANDOFF_LABEL",
    "THINKING_TEXT",
    "build_citizen_app",
    "escape_markdown",
    "format_citations",
    "format_handoff",
    "option_updates",
    "pick",
    "render_reply",
    "save_checklist",
]


def build_citizen_app(services: Services | ChatService) -> gr.Blocks:
    """The citizen page; every event goes through the services (no store or index access here).

    ``services`` is the app's ``Services``; a bare ``ChatService`` gives the chat and 转人工 only.
    """
    backend = CitizenBackend.of(services)
    yijianshi = backend.yijianshi()
    entry_texts = [entry_question(name) for name in yijianshi]
    app = gr.Blocks(title=TITLE, analytics_enabled=False)
    with app:
        raw = gr.State([])  # the conversation as stored: rendered Markdown + message ids, unconverted
        session = gr.State(None)
        checklist_state = gr.State(None)
        script_saved = gr.BrowserState(SIMPLIFIED, storage_key="govassist-script")
        gr.Markdown(f"## {TITLE}", elem_id="page-title")
        with gr.Row(equal_height=True, elem_id="display-settings"):
            gr.HTML(TOGGLE_HTML, js_on_load=TOGGLE_JS, elem_id="large-text-toggle", min_width=0)
            script = gr.Radio(
                list(SCRIPTS), value=SIMPLIFIED, label="简体 / 繁體", elem_id="script-toggle", min_width=0
            )
        gr.Markdown(INTRO, elem_id="page-intro")
        chatbot = gr.Chatbot(
            label="对话记录",
            elem_id="chat-window",
            placeholder=GREETING_TEXT,
            height="55vh",
            min_height=320,
            latex_delimiters=[],
            buttons=["copy"],
        )
        with gr.Row(elem_id="guide-options"):
            option_buttons = [
                gr.Button(visible=False, size="md", min_width=0, elem_classes=["guide-option"])
                for _ in range(OPTION_SLOTS)
            ]
        notice = gr.Markdown(elem_id="chat-notice")
        message = gr.Textbox(
            label="您的问题",
            placeholder="请输入您想咨询的政务服务问题，按回车发送",
            elem_id="question-input",
            max_lines=6,
            autofocus=True,
        )
        client_id = gr.Textbox(visible=False, elem_id="client-message-id")  # set by SEND_JS / RETRY_JS
        typed_flag = gr.Checkbox(visible=False, elem_id="typed-flag")  # a 重试 of a typed message?
        session_box = gr.Textbox(visible=False, elem_id="session-box")  # kept in the tab by SAVE_SESSION_JS
        option_pairs = gr.Textbox(visible=False, elem_id="option-pairs")  # read by LEARN_JS
        with gr.Row(elem_id="retry-bar"):  # shown by RETRY_BAR_JS when a send fails
            gr.HTML(f'<p role="alert">{RETRY_TEXT}</p>', js_on_load=RETRY_BAR_JS, elem_id="retry-text")
            retry = gr.Button("重试", variant="primary", elem_id="retry-button", min_width=0, scale=0)
        with gr.Row(elem_id="chat-actions"):
            send = gr.Button("发送", variant="primary", elem_id="send-button", min_width=0)
            human = gr.Button(HANDOFF_LABEL, elem_id="handoff-button", min_width=0)
        gr.Markdown(PRIVACY_NOTICE, elem_id="privacy-notice")
        with gr.Column(visible=False, variant="panel", elem_id="ticket-panel") as ticket_panel:
            ticket_view = gr.Markdown(elem_id="ticket-status", label="工单状态")
            refresh = gr.Button("刷新工单状态", size="sm", elem_id="ticket-refresh")
        with gr.Column(visible=False, variant="panel", elem_id="checklist-panel") as checklist_panel:
            checklist_view = gr.Markdown(elem_id="checklist-view")
            with gr.Row(elem_id="checklist-actions"):
                download = gr.DownloadButton("下载清单", elem_id="checklist-download", min_width=0)
                print_button = gr.Button("打印清单", elem_id="checklist-print", min_width=0)
        starters = gr.Dataset(
            label="常见问题（点击即可发送）",
            components=["textbox"],
            samples=[[question] for question in STARTER_QUESTIONS],
            type="index",
            elem_id="starter-questions",
        )
        entries = gr.Dataset(
            label="高效办成“一件事”（点击开始办理）",
            components=["textbox"],
            samples=[[name] for name in yijianshi],
            type="index",
            samples_per_page=20,
            visible=bool(yijianshi),
            elem_id="yijianshi",
        )
        with gr.Accordion(
            "上传材料预审", open=False, visible=backend.prereview is not None, elem_id="prereview-panel"
        ):
            gr.Markdown(UPLOAD_NOTICE, elem_id="upload-notice")
            consent = gr.Checkbox(label=CONSENT_LABEL, value=False, elem_id="upload-consent")
            files = gr.File(
                label="选择材料（可多选）",
                file_count="multiple",
                file_types=[".jpg", ".jpeg", ".png", ".pdf", ".docx"],
                interactive=False,
                elem_id="prereview-files",
            )
            review = gr.Button("开始预审", interactive=False, elem_id="prereview-button")
            report = gr.Markdown(elem_id="prereview-report")

        timer = gr.Timer(POLL_SECONDS, active=False)

        def shown(history: History, chosen: str) -> History:
            return display_history(history, chosen)

        turn_targets = [raw, chatbot, session, message, notice, *option_buttons]
        turn_targets += [checklist_state, checklist_view, checklist_panel, download, option_pairs]
        shared: dict[str, Any] = {
            "outputs": turn_targets,
            "concurrency_id": "chat",
            "concurrency_limit": CONCURRENCY_LIMIT,
            "api_visibility": API_VISIBILITY,
            "show_progress_on": [chatbot],  # never cover the input box (a failed send's text is there)
        }

        def on_send(
            text: str, history: History, sid: str | None, chosen: str, cid: str | None, typed: bool | None
        ) -> Iterator[tuple[Any, ...]]:
            """One message with the page's client id; a failed turn ends as an error (the page offers
            重试). A typed message leaves the input box empty once sent; a clicked one leaves it alone."""
            turns = respond(
                text,
                history,
                sid,
                backend.chat,
                clear_input=typed is not False,
                client_id=client_message_id(cid),
                script=chosen,
                dates=backend.source_dates(),
            )
            for turn in turns:
                yield turn_outputs(turn, chosen)
                if turn.failed:
                    raise gr.Error(to_script(RETRY_TEXT, chosen), print_exception=False)

        def on_click(texts: list[str] | None) -> Callable[..., Iterator[tuple[Any, ...]]]:
            """A clicked option (its value is the text) or example (an index into ``texts``)."""

            def clicked(value: Any, history: History, sid: str | None, chosen: str, cid: str | None) -> Any:
                text = pick(value, texts) if texts is not None else str(value or "")
                yield from on_send(text, history, sid, chosen, cid, False)

            return clicked

        def on_handoff(history: History, sid: str | None, chosen: str) -> tuple[Any, ...]:
            return turn_outputs(handoff(history, sid, backend.chat, script=chosen), chosen)

        def on_poll(history: History, sid: str | None, chosen: str) -> tuple[Any, ...]:
            polled = poll_ticket(backend.handoff, sid, history)
            if polled.view is None:
                return (gr.update(), gr.update(), gr.update(), gr.update(), gr.Timer(active=False), sid or "")
            return (
                polled.history,
                shown(polled.history, chosen),
                to_script(format_ticket(polled.view), chosen),
                gr.update(visible=True),
                gr.Timer(active=polled.active),
                sid or "",
            )

        def on_restore(kept: str | None, saved: str | None) -> tuple[Any, ...]:
            """After a reload: the conversation of the session this tab kept (see READ_SESSION_JS), with
            the guided flow's option buttons and checklist as they were."""
            options, sheet = restore_guide(backend.chat, kept)
            history, sid = restore_history(backend.store, kept, backend.source_dates(), sheet)
            turn = Turn(history, sid, UNCHANGED, "", options, sheet or UNCHANGED)
            return (*turn_outputs(turn, restore_script(saved)), sid or "")

        def on_clear() -> tuple[Any, ...]:
            hidden = gr.update(visible=False)
            return [], None, hidden, hidden, gr.Timer(active=False), ""

        def on_like(data: gr.LikeData, history: History, chosen: str) -> str:
            liked = data.liked is True
            return to_script(rate_answer(backend.store, message_id_at(history, data.index), liked), chosen)

        def on_script(chosen: str, history: History, sheet: dict[str, Any] | None) -> tuple[Any, ...]:
            view = to_script(format_checklist(sheet), chosen) if sheet else gr.update()
            return shown(history, chosen), view, chosen

        def on_consent(agreed: bool) -> tuple[Any, ...]:
            return gr.update(interactive=agreed), gr.update(interactive=agreed)

        def on_review(
            paths: list[str] | None, agreed: bool, history: History, sid: str | None, chosen: str
        ) -> tuple[Any, ...]:
            result = run_prereview(backend, sid, paths, history, consented=agreed)
            return (
                result.history,
                shown(result.history, chosen),
                to_script(result.report, chosen),
                to_script(result.notice, chosen),
                gr.update(value=None) if result.files_discarded else gr.update(),
            )

        poll_inputs = [raw, session, script]
        poll_targets = [raw, chatbot, ticket_view, ticket_panel, timer, session_box]
        quiet: dict[str, Any] = {"api_visibility": API_VISIBILITY, "show_progress": "hidden"}
        typed = [message, raw, session, script, client_id, typed_flag]
        page = [raw, session, script, client_id]
        sends = [
            gr.on([message.submit, send.click], on_send, typed, js=SEND_JS, **shared),
            retry.click(on_send, typed, js=RETRY_JS, **shared),
            *[
                source.click(on_click(texts), [source, *page], js=click_js(texts), **shared)
                for source, texts in [(starters, STARTER_QUESTIONS), (entries, entry_texts)]
                + [(button, None) for button in option_buttons]
            ],
        ]
        for event in sends:  # answered: forget the kept message; failed: 重试 (see RETRY_BAR_JS)
            event.success(None, js=ANSWERED_JS)
            event.failure(None, js=FAILED_JS)
        events = [*sends, human.click(on_handoff, [raw, session, script], **shared)]
        for event in events:
            event.then(on_poll, poll_inputs, poll_targets, **quiet)
        timer.tick(on_poll, poll_inputs, poll_targets, **quiet)
        refresh.click(on_poll, poll_inputs, poll_targets, api_visibility=API_VISIBILITY)
        chatbot.like(on_like, [raw, script], [notice], api_visibility=API_VISIBILITY)
        script.input(
            on_script,
            [script, raw, checklist_state],
            [chatbot, checklist_view, script_saved],
            api_visibility=API_VISIBILITY,
        )
        app.load(restore_script, [script_saved], [script], api_visibility=API_VISIBILITY)
        app.load(
            on_restore,
            [session_box, script_saved],
            [*turn_targets, session_box],
            js=READ_SESSION_JS,
            api_visibility=API_VISIBILITY,
            show_progress="hidden",
        ).then(on_poll, poll_inputs, poll_targets, **quiet)
        session_box.change(None, [session_box], None, js=SAVE_SESSION_JS)
        option_pairs.change(None, [option_pairs], None, js=LEARN_JS)
        install_chinese_messages(app, script_selector="#script-toggle")
        chatbot.clear(
            on_clear,
            None,
            [raw, session, checklist_panel, ticket_panel, timer, session_box],
            api_visibility=API_VISIBILITY,
        )
        print_button.click(None, js=PRINT_JS)
        consent.change(on_consent, [consent], [files, review], api_visibility=API_VISIBILITY)
        review.click(
            on_review,
            [files, consent, raw, session, script],
            [raw, chatbot, report, notice, files],
            api_visibility=API_VISIBILITY,
        )
        install_script_texts(app, "#script-toggle", TOGGLE_TEXTS)  # last: every component exists
    return app
