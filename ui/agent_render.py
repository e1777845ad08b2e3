"""How the agent console shows tickets: the queue table with SLA colours, a ticket's header, its transcript
and history, and agent-assist suggestions. Pure functions of service records; no Gradio, no services.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from assistant.handoff.lifecycle import Action, MessageKind
from assistant.handoff.records import Page, Ticket, TicketEvent, TicketMessage
from ui.citizen import escape_markdown, format_citations

DUE_SOON = timedelta(hours=1)
"""An open ticket whose deadline is this close is shown amber."""
SLA_STYLES = {
    "overdue": "background:#fde2e1;color:#7f1d1d;",
    "due-soon": "background:#fef3c7;color:#78350f;",
    "on-time": "",
    "closed": "color:#4b5563;",
}
ROLE_NAMES = {"user": "市民", "assistant": "智能助手", "agent": "工作人员"}
PRIORITY_NAMES = {1: "特急", 2: "紧急", 3: "一般", 4: "较低"}
SOURCE_NAMES = {"chat": "在线对话", "button": "转人工按钮", "phone": "电话来电"}


@dataclass(frozen=True)
class TicketView:
    """Everything the console shows of one ticket (``suggestions`` are ``Suggestion.to_dict()``)."""

    ticket: Ticket
    transcript: list[dict[str, Any]]
    messages: list[TicketMessage]
    events: list[TicketEvent]
    actions: list[Action]
    can_reply: bool


def sla_class(ticket: Ticket, now: datetime) -> str:
    """``overdue`` (red), ``due-soon`` (amber, within the hour), ``on-time`` or ``closed``."""
    if ticket.sla_breached(now):
        return "overdue"
    if not ticket.is_open:
        return "closed"
    return "due-soon" if ticket.due_at - now <= DUE_SOON else "on-time"


def _duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} 分钟"
    hours, rest = divmod(minutes, 60)
    return f"{hours} 小时" + (f" {rest} 分钟" if rest and hours < 24 else "")


def sla_label(ticket: Ticket, now: datetime) -> str:
    """The SLA state in words, so that colour is never the only cue."""
    kind = sla_class(ticket, now)
    if kind == "overdue":
        return "已办结（超时）" if not ticket.is_open else f"已超时 {_duration(now - ticket.due_at)}"
    if kind == "closed":
        return "已办结"
    prefix = "即将到期，剩余" if kind == "due-soon" else "剩余"
    return f"{prefix} {_duration(ticket.due_at - now)}"


def _cell(text: str) -> str:
    return f"<td>{html.escape(text)}</td>"


def queue_html(page: Page[Ticket], now: datetime, selected: str = "") -> str:
    """The queue as an accessible HTML table; each row is coloured and labelled by its SLA state."""
    if not page.items:
        return '<p class="agent-queue-empty">没有符合条件的工单。</p>'
    head = "".join(
        f'<th scope="col">{name}</th>'
        for name in ("工单号", "状态", "时限", "分类", "部门", "处理人", "优先级", "问题摘要")
    )
    rows = []
    for ticket in page.items:
        kind = sla_class(ticket, now)
        current = ' aria-current="true"' if ticket.id == selected else ""
        cells = [
            ticket.id,
            ticket.status.value,
            sla_label(ticket, now),
            ticket.category.value,
            ticket.department or "未指定",
            ticket.assignee or "未分配",
            PRIORITY_NAMES.get(int(ticket.priority), str(int(ticket.priority))),
            ticket.summary[:60],
        ]
        rows.append(
            f'<tr class="sla-{kind}" style="{SLA_STYLES[kind]}"{current}>'
            + "".join(_cell(c) for c in cells)
            + "</tr>"
        )
    caption = (
        f"工单队列：共 {page.total} 条，第 {page.page}/{page.pages} 页（红色为已超时，黄色为一小时内到期）"
    )
    return (  # scrolls sideways inside its column rather than spilling over the ticket beside it
        '<div class="agent-queue-scroll" role="region" aria-label="工单队列" tabindex="0"'
        ' style="max-width:100%;overflow-x:auto;">'
        '<table class="agent-queue" style="width:100%;border-collapse:collapse;word-break:keep-all;">'
        f"<caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def ticket_choices(page: Page[Ticket], now: datetime) -> list[tuple[str, str]]:
    """``(label, id)`` pairs for the 打开工单 picker."""
    return [(f"{t.id} · {t.status.value} · {sla_label(t, now)} · {t.summary[:24]}", t.id) for t in page.items]


def ticket_header(view: TicketView, now: datetime) -> str:
    """The ticket's facts as Markdown: status, deadline, category, department, who has it."""
    t = view.ticket
    lines = [
        f"### 工单 {escape_markdown(t.id)}",
        f"- 状态：**{t.status.value}** · 时限：**{sla_label(t, now)}**"
        f"（截止 {t.due_at.astimezone().strftime('%Y-%m-%d %H:%M')}）",
        f"- 分类：{t.category.value} · 优先级：{PRIORITY_NAMES.get(int(t.priority), '')}"
        f" · 来源：{SOURCE_NAMES.get(t.source.value, t.source.value)}",
        f"- 承办部门：{escape_markdown(t.department or '未指定')}"
        f" · 建议部门：{escape_markdown(t.suggested_department or '无')}"
        f" · 处理人：{escape_markdown(t.assignee or '未分配')}",
        f"- 问题：{escape_markdown(t.question)}",
    ]
    if t.resolution:
        lines.append(f"- 办理结果：{escape_markdown(t.resolution)}")
    if t.satisfaction:
        lines.append(f"- 回访结果：{escape_markdown(t.satisfaction)}")
    return "\n".join(lines)


def transcript_markdown(view: TicketView) -> str:
    """The (masked) chat before the handoff, then the citizen's later messages and the replies."""
    parts = []
    for entry in view.transcript:
        role = str(entry.get("role") or "")
        who = ROLE_NAMES.get(role, role or "未知")
        parts.append(f"**{who}**：{escape_markdown(str(entry.get('content', '')))}")
    for m in view.messages:
        if m.kind is MessageKind.CITIZEN:
            who = "市民（留言）"
        elif m.kind is MessageKind.REPLY:
            who = f"工作人员 {m.author}（回复）"
        else:
            who = f"内部备注 · {m.author}"
        parts.append(f"**{escape_markdown(who)}**：{escape_markdown(m.body)}")
    return "\n\n".join(parts) if parts else "（没有对话记录）"


def events_markdown(events: Sequence[TicketEvent]) -> str:
    """The audit trail, oldest first."""
    if not events:
        return "（暂无记录）"
    lines = []
    for e in events:
        moved = f"{e.from_status.value} → {e.to_status.value}" if e.from_status else e.to_status.value
        at = e.at.astimezone().strftime("%m-%d %H:%M")
        lines.append(f"- {at} {escape_markdown(e.actor)} {e.action.value}（{moved}）")
    return "\n".join(lines)


def reply_text(suggestion: Mapping[str, Any]) -> str:
    """A suggestion as reply text: the answer, then the sources its ``[n]`` markers point to."""
    answer = str(suggestion.get("answer") or "").strip()
    sources = []
    for citation in suggestion.get("citations") or []:
        section = " ".join(str(citation.get("section") or "").split())
        sources.append(
            f"[{citation.get('index', '')}]《{citation.get('title') or '未命名文件'}》{section}".rstrip()
        )
    return answer + ("\n\n参考依据：\n" + "\n".join(sources) if sources else "")


def suggestion_markdown(suggestion: Mapping[str, Any] | None) -> str:
    """One suggestion: question, cited answer, matching service guide, routing hint, similar tickets."""
    if not suggestion:
        return "（暂无建议答复）"
    outcome = "可直接参考" if suggestion.get("outcome") == "answered" else "资料不足，请人工核实"
    parts = [
        f"**市民问题**：{escape_markdown(str(suggestion.get('question', '')))}",
        f"**建议答复**（{outcome}）：\n\n{escape_markdown(str(suggestion.get('answer', '')))}",
    ]
    sources = format_citations(suggestion.get("citations") or [])
    if sources:
        parts.append(sources)
    parts.append(routing_markdown(suggestion))
    similar = suggestion.get("similar_tickets") or []
    if similar:
        items = [
            f"- {escape_markdown(str(s.get('ticket_id')))}："
            f"{escape_markdown(str(s.get('question', ''))[:40])}"
            f" → {escape_markdown(str(s.get('resolution', ''))[:60])}"
            for s in similar
        ]
        parts.append("**相似的已办结工单**\n\n" + "\n".join(items))
    return "\n\n".join(p for p in parts if p)


def routing_markdown(suggestion: Mapping[str, Any]) -> str:
    """The suggested department and category (routing model, then the matching service guide)."""
    facts = []
    routing = suggestion.get("routing") or {}
    if routing.get("department"):
        confidence = float(routing.get("department_confidence") or 0)
        facts.append(f"建议部门：{escape_markdown(str(routing['department']))}（置信度 {confidence:.0%}）")
    if routing.get("category"):
        facts.append(f"建议分类：{escape_markdown(str(routing['category']))}")
    guide = suggestion.get("guide") or {}
    if guide.get("name"):
        dept = f"，{escape_markdown(str(guide.get('department')))}" if guide.get("department") else ""
        facts.append(f"相关事项：{escape_markdown(str(guide['name']))}{dept}")
    return "**派单建议**：" + "；".join(facts) if facts else ""


def suggested_department(view: TicketView | None, suggestions: Sequence[Mapping[str, Any]]) -> str:
    """The department to prefill the 转办 box with: the routing model's, else the ticket's suggestion."""
    for suggestion in reversed(suggestions):
        department = (suggestion.get("routing") or {}).get("department")
        if department:
            return str(department)
    return view.ticket.suggested_department if view is not None else ""
