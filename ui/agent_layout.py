"""The agent console's components: the login view and the console (queue, ticket, reply, phone calls).

Every control has a Chinese label and an ``elem_id`` (for the browser tests); everything is an ordinary
Gradio input or button, so it is reachable with the keyboard. ``layout`` must run inside ``gr.Blocks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.handoff.lifecycle import Action, Category, Satisfaction, TicketStatus
from ui.agent_state import ALL, SCOPES, Pending

TITLE = "坐席工作台 · 政务服务智能助手"
LIFECYCLE_BUTTONS = {
    Action.CLAIM: "claim",
    Action.START: "start",
    Action.RESPOND: "respond",
    Action.CLOSE: "close",
    Action.REVISIT: "revisit",
    Action.REOPEN: "reopen",
}
"""The lifecycle buttons (shown when ``allowed_actions`` permits) and their element ids."""
REGION_NAMES = {
    "agent-login-message": "登录提示",
    "agent-user": "当前用户",
    "agent-status": "操作结果",
    "agent-queue": "工单队列",
    "ticket-header": "工单信息",
    "ticket-transcript": "对话记录",
    "ticket-suggestion": "建议答复",
    "ticket-history": "办理记录",
    "phone-suggestion": "来电建议答复",
}
"""Names of the text boxes a keyboard can reach (see ``ui.page_regions``), by element id."""


@dataclass
class Console:
    """The components a ``Step`` may update: the outputs of every event, in one list."""

    login_view: gr.Column
    console_view: gr.Column
    login_msg: gr.Markdown
    token: gr.State
    user_line: gr.Markdown
    status: gr.Markdown
    queue: gr.HTML
    picker: gr.Dropdown
    ticket_id: gr.State
    header: gr.Markdown
    buttons: dict[Action, gr.Button]
    satisfaction: gr.Radio
    action_text: gr.Textbox
    transcript: gr.Markdown
    history: gr.Markdown
    suggestions: gr.State
    suggestion_pick: gr.Radio
    suggestion: gr.Markdown
    pending: gr.State
    reply: gr.Textbox
    draft: gr.State
    department: gr.Textbox
    note: gr.Textbox
    phone_md: gr.Markdown
    phone: gr.State

    def outputs(self) -> list[Any]:
        parts = [value for name, value in vars(self).items() if name != "buttons"]
        return parts + list(self.buttons.values())


@dataclass
class Controls:
    """The inputs and buttons that only trigger events."""

    username: gr.Textbox
    password: gr.Textbox
    login: gr.Button
    logout: gr.Button
    filters: list[Any]  # status, category, department, scope, breached, page (``query_of`` order)
    refresh: gr.Button
    open: gr.Button
    accept: gr.Button
    discard: gr.Button
    send: gr.Button
    transfer: gr.Button
    add_note: gr.Button
    phone_text: gr.Textbox
    phone_suggest: gr.Button
    phone_ticket: gr.Button


def layout() -> tuple[Console, Controls]:
    """Lay the page out; the console view starts hidden behind the login view."""
    token, draft, ticket_id = gr.State(""), gr.State(""), gr.State("")
    suggestions, pending, phone = gr.State([]), gr.State(Pending()), gr.State(None)
    gr.Markdown(f"## {TITLE}")
    with gr.Column(visible=True, elem_id="agent-login") as login_view:
        gr.Markdown("### 工作人员登录")
        username = gr.Textbox(label="用户名", elem_id="agent-username", autofocus=True, max_lines=1)
        password = gr.Textbox(label="密码", type="password", elem_id="agent-password", max_lines=1)
        login = gr.Button("登录", variant="primary", elem_id="agent-login-button")
        login_msg = gr.Markdown(elem_id="agent-login-message")
    with gr.Column(visible=False, elem_id="agent-console") as console_view:
        with gr.Row():
            user_line = gr.Markdown(elem_id="agent-user")
            logout = gr.Button("退出登录", elem_id="agent-logout", size="sm", min_width=0)
        status = gr.Markdown(elem_id="agent-status")
        with gr.Row():
            with gr.Column(scale=2, min_width=320):
                gr.Markdown("### 工单队列")
                statuses = gr.CheckboxGroup(
                    [s.value for s in TicketStatus], label="状态", elem_id="filter-status"
                )
                with gr.Row():
                    categories = [ALL, *(c.value for c in Category)]
                    category = gr.Dropdown(categories, value=ALL, label="分类", elem_id="filter-category")
                    department_filter = gr.Textbox(label="部门", elem_id="filter-department", max_lines=1)
                scope = gr.Radio(list(SCOPES), value=ALL, label="范围", elem_id="filter-scope")
                with gr.Row():
                    breached = gr.Checkbox(label="只看已超时", elem_id="filter-breached")
                    page = gr.Number(1, label="页码", minimum=1, precision=0, elem_id="filter-page")
                refresh = gr.Button("刷新队列", elem_id="refresh-queue")
                queue = gr.HTML(elem_id="agent-queue")
                picker = gr.Dropdown(
                    [], label="打开工单（选择或输入工单号）", allow_custom_value=True, elem_id="ticket-picker"
                )
                open_ = gr.Button("打开工单", elem_id="open-ticket")
            with gr.Column(scale=3, min_width=320):
                header = gr.Markdown("请在工单队列中选择工单。", elem_id="ticket-header")
                with gr.Row():
                    buttons = {
                        action: gr.Button(action.value, visible=False, elem_id=f"action-{name}", min_width=0)
                        for action, name in LIFECYCLE_BUTTONS.items()
                    }
                action_text = gr.Textbox(
                    label="办理说明（办结时填写办理结果，重新打开时填写原因）", lines=2, elem_id="action-text"
                )
                satisfaction = gr.Radio(
                    [s.value for s in Satisfaction], label="回访结果", visible=False, elem_id="revisit-result"
                )
                gr.Markdown("#### 对话记录（个人信息已遮盖）")
                transcript = gr.Markdown(elem_id="ticket-transcript")
                gr.Markdown("#### 建议答复")
                suggestion_pick = gr.Radio(
                    [], type="index", label="选择问题", visible=False, elem_id="suggestion-pick"
                )
                suggestion = gr.Markdown(elem_id="ticket-suggestion")
                with gr.Row():
                    accept = gr.Button("采用建议", elem_id="accept-suggestion", min_width=0)
                    discard = gr.Button("不采用", elem_id="discard-suggestion", min_width=0)
                reply = gr.Textbox(label="回复市民（市民会在对话中看到）", lines=4, elem_id="reply-box")
                send = gr.Button("发送回复", variant="primary", elem_id="send-reply")
                with gr.Row():
                    department = gr.Textbox(label="转办部门", elem_id="transfer-department", max_lines=1)
                    transfer = gr.Button("转办", elem_id="transfer-button", min_width=0)
                note = gr.Textbox(label="内部备注（市民看不到）", lines=2, elem_id="note-box")
                add_note = gr.Button("添加备注", elem_id="add-note")
                with gr.Accordion("办理记录", open=False):
                    history = gr.Markdown(elem_id="ticket-history")
        with gr.Accordion("电话来电辅助", open=False, elem_id="phone-assist"):
            phone_text = gr.Textbox(label="来电内容（记录市民的问题）", lines=3, elem_id="phone-text")
            with gr.Row():
                phone_suggest = gr.Button("获取建议答复", elem_id="phone-suggest")
                phone_ticket = gr.Button("创建电话工单", elem_id="phone-ticket")
            phone_md = gr.Markdown(elem_id="phone-suggestion")
    console = Console(
        login_view, console_view, login_msg, token, user_line, status, queue, picker, ticket_id, header,
        buttons, satisfaction, action_text, transcript, history, suggestions, suggestion_pick, suggestion,
        pending, reply, draft, department, note, phone_md, phone,
    )  # fmt: skip
    controls = Controls(
        username, password, login, logout, [statuses, category, department_filter, scope, breached, page],
        refresh, open_, accept, discard, send, transfer, add_note, phone_text, phone_suggest, phone_ticket,
    )  # fmt: skip
    return console, controls
