"""The agent console (坐席工作台) at ``/agent``: a Gradio client of the handoff services only.

Log in, work the queue (filters, SLA colours), claim, read the masked transcript, take or leave the
suggested answer, reply, transfer, annotate, move the ticket through its lifecycle, and get a suggested
answer for a phone call. The handlers live in :mod:`ui.agent_actions` and return a ``Step``; the
components in :mod:`ui.agent_layout`; this module turns each step into component updates and wires the
events. Mounted at ``/agent`` by ``assistant.api.app.create_app``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.container import Services
from assistant.handoff.lifecycle import Action
from assistant.handoff.models import utcnow
from ui import agent_actions as actions
from ui.agent_layout import REGION_NAMES, TITLE, Console, layout
from ui.agent_render import (
    events_markdown,
    queue_html,
    suggested_department,
    suggestion_markdown,
    ticket_choices,
    ticket_header,
    transcript_markdown,
)
from ui.agent_state import ALL, QueueQuery, Step
from ui.citizen import escape_markdown
from ui.page_messages import install_chinese_messages
from ui.page_regions import install_region_names

CONCURRENCY_LIMIT = 8
"""Console events served at once across all agents (Gradio's default would be one)."""
API_VISIBILITY = "private"
"""The page's events are not a second public API: programs use ``/api/agent``."""
ROLE_LABELS = {"agent": "坐席", "supervisor": "班长", "admin": "管理员"}
Updates = dict[Any, Any]


def render(step: Step, ui: Console) -> Updates:
    """The component updates a step asks for (parts it leaves ``None`` are not touched)."""
    now = utcnow()
    out: Updates = {}
    reply: dict[str, Any] = {}
    if step.view is not None:
        out[ui.login_view] = gr.update(visible=step.view == "login")
        out[ui.console_view] = gr.update(visible=step.view == "console")
    if step.login_notice is not None:
        out[ui.login_msg] = escape_markdown(step.login_notice)
    if step.notice is not None:
        out[ui.status] = ("⚠️ " if step.error else "✅ ") + escape_markdown(step.notice)
        if step.error:
            gr.Warning(step.notice)
    if step.token is not None:
        out[ui.token] = step.token
    if step.user is not None:
        role = ROLE_LABELS.get(step.user.role.value, step.user.role.value)
        dept = f" · {step.user.department}" if step.user.department else ""
        out[ui.user_line] = (
            f"当前用户：**{escape_markdown(step.user.display_name)}**（{role}{escape_markdown(dept)}）"
        )
    if step.queue is not None:
        selected = step.ticket.ticket.id if step.ticket is not None else ""
        out[ui.queue] = queue_html(step.queue, now, selected)
        out[ui.picker] = gr.update(choices=ticket_choices(step.queue, now))
    if step.ticket is not None:
        view = step.ticket
        out[ui.ticket_id] = view.ticket.id
        out[ui.header] = ticket_header(view, now)
        out[ui.transcript] = transcript_markdown(view)
        out[ui.history] = events_markdown(view.events)
        for action, button in ui.buttons.items():
            out[button] = gr.update(visible=action in view.actions)
        out[ui.satisfaction] = gr.update(visible=Action.REVISIT in view.actions)
        reply["interactive"] = view.can_reply
    if step.suggestions is not None:
        out[ui.suggestions] = step.suggestions
        labels = [
            (f"问题 {n}：{s.get('question', '')[:30]}", n - 1) for n, s in enumerate(step.suggestions, 1)
        ]
        last = len(labels) - 1 if labels else None
        out[ui.suggestion_pick] = gr.update(choices=labels, value=last, visible=len(labels) > 1)
        out[ui.suggestion] = suggestion_markdown(step.suggestions[-1] if step.suggestions else None)
        out[ui.department] = suggested_department(step.ticket, step.suggestions)
    if step.pending is not None:
        out[ui.pending] = step.pending
    if step.draft is not None:
        reply["value"] = step.draft
        out[ui.draft] = step.draft
    if reply:
        out[ui.reply] = gr.update(**reply)
    if step.clear_inputs:
        out[ui.note] = ""
        out[ui.action_text] = ""
    if step.phone is not None:
        out[ui.phone_md] = suggestion_markdown(step.phone.suggestion)
        out[ui.phone] = step.phone
    return out or {ui.status: gr.update()}  # Gradio reads an empty dict as one value, not as no updates


def query_of(
    statuses: list[str] | None,
    category: str | None,
    department: str | None,
    scope: str | None,
    breached: bool | None,
    page: float | None,
) -> QueueQuery:
    """The queue filters as the page's inputs hold them."""
    return QueueQuery(
        tuple(statuses or ()), category or ALL, department or "", scope or ALL, bool(breached), int(page or 1)
    )


def show_suggestion(suggestions: list[dict[str, Any]], index: int | None) -> str:
    """The suggestion picked by question."""
    ok = suggestions and index is not None and 0 <= index < len(suggestions)
    return suggestion_markdown(suggestions[index] if ok and index is not None else None)


def keep_draft(text: str | None) -> str:
    """Mirror the reply box into state, so that a fresh login can restore it."""
    return text or ""


def build_agent_console(services: Services) -> gr.Blocks:
    """The agent console; every event goes through ``services`` via :mod:`ui.agent_actions`."""
    app = gr.Blocks(title=TITLE, analytics_enabled=False)
    with app:
        ui, c = layout()
        shared: dict[str, Any] = {
            "outputs": ui.outputs(),
            "concurrency_id": "agent",
            "concurrency_limit": CONCURRENCY_LIMIT,
            "api_visibility": API_VISIBILITY,
        }

        def wire(triggers: list[Any], handler: Callable[..., Step], inputs: list[Any]) -> None:
            def run(*values: Any) -> Updates:
                return render(handler(*values), ui)

            gr.on(triggers, run, inputs, **shared)

        f = c.filters
        wire(
            [c.login.click, c.password.submit],
            lambda u, p, d: actions.login(services, u or "", p or "", d or ""),
            [c.username, c.password, ui.draft],
        )
        wire([c.logout.click], lambda t: actions.logout(services, t), [ui.token])
        wire(
            [c.refresh.click, f[0].input, f[1].input, f[2].submit, f[3].input, f[4].input, f[5].submit],
            lambda t, *q: actions.refresh_queue(services, t, query_of(*q)),
            [ui.token, *f],
        )
        wire(
            [c.open.click],
            lambda t, i, d: actions.open_ticket(services, t, str(i or "").strip(), d or ""),
            [ui.token, ui.picker, ui.reply],
        )
        wire(
            [ui.picker.input],
            lambda t, i, d: actions.open_picked(services, t, str(i or "").strip(), d or ""),
            [ui.token, ui.picker, ui.reply],
        )
        for action, button in ui.buttons.items():
            wire(
                [button.click],
                lambda t, i, x, s, *q, a=action: actions.lifecycle(
                    services, t, i, a, x or "", s or "", query_of(*q)
                ),
                [ui.token, ui.ticket_id, ui.action_text, ui.satisfaction, *f],
            )
        wire(
            [c.transfer.click],
            lambda t, i, d, x, *q: actions.transfer(services, t, i, d or "", x or "", query_of(*q)),
            [ui.token, ui.ticket_id, ui.department, ui.action_text, *f],
        )
        wire(
            [c.add_note.click],
            lambda t, i, b, *q: actions.add_note(services, t, i, b or "", query_of(*q)),
            [ui.token, ui.ticket_id, ui.note, *f],
        )
        wire(
            [c.send.click],
            lambda t, i, b, p, *q: actions.send_reply(services, t, i, b or "", p, query_of(*q)),
            [ui.token, ui.ticket_id, ui.reply, ui.pending, *f],
        )
        wire(
            [c.accept.click],
            lambda t, i, s, n: actions.accept_suggestion(services, t, i, s, n),
            [ui.token, ui.ticket_id, ui.suggestions, ui.suggestion_pick],
        )
        wire(
            [c.discard.click],
            lambda t, i, s, n, p: actions.discard_suggestion(services, t, i, s, n, p),
            [ui.token, ui.ticket_id, ui.suggestions, ui.suggestion_pick, ui.pending],
        )
        wire(
            [c.phone_suggest.click],
            lambda t, x: actions.phone_assist(services, t, x or ""),
            [ui.token, c.phone_text],
        )
        wire(
            [c.phone_ticket.click],
            lambda t, x, p, *q: actions.create_phone_ticket(services, t, x or "", p, query_of(*q)),
            [ui.token, c.phone_text, ui.phone, *f],
        )
        ui.suggestion_pick.input(
            show_suggestion,
            [ui.suggestions, ui.suggestion_pick],
            [ui.suggestion],
            api_visibility=API_VISIBILITY,
        )
        ui.reply.change(keep_draft, [ui.reply], [ui.draft], api_visibility=API_VISIBILITY, queue=False)
        install_chinese_messages(app)
        install_region_names(app, REGION_NAMES)
    return app
