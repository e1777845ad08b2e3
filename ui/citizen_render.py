"""Pure rendering for the citizen page: replies, citations, checklists, ticket status, script conversion.

Nothing here touches Gradio or a service; every function takes plain data (a ``ChatReply`` or the dicts
of the HTTP contract) and returns the Markdown/HTML the page shows, so each is unit-testable.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from assistant.chat import ChatReply
from assistant.textnorm import to_simplified

SIMPLIFIED = "简体"
TRADITIONAL = "繁體"
SCRIPTS = (SIMPLIFIED, TRADITIONAL)
AGENT_PREFIX = "**工作人员回复：**"
CHECKLIST_TITLE = "办事清单"
History = list[dict[str, Any]]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-=.!|~$])")


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


def escape_html(text: str) -> str:
    """Text whose ``<``, ``>`` and ``&`` show literally (Markdown formatting still applies)."""
    return html.escape(text, quote=False)


def escape_markdown(text: str) -> str:
    """Text shown literally in Markdown: punctuation backslash-escaped, ``<>&`` as HTML entities."""
    return escape_html(_MARKDOWN_SPECIAL.sub(r"\\\1", text))


def _citation_number(citation: Mapping[str, Any], position: int) -> int:
    try:
        return int(citation.get("index", position))
    except (TypeError, ValueError):
        return position


def format_citations(citations: Sequence[Mapping[str, Any]]) -> str:
    """The numbered sources as Markdown: ``[n] 《title》 section`` and the snippet as a quote."""
    blocks: list[str] = []
    for position, citation in enumerate(citations, start=1):
        number = _citation_number(citation, position)
        title = escape_markdown(str(citation.get("title") or "").strip() or "未命名文件")
        section = escape_markdown(" ".join(str(citation.get("section") or "").split()))
        heading = f"[{number}] 《{title}》" + (f" {section}" if section else "")
        lines = [line.strip() for line in str(citation.get("snippet") or "").splitlines()]
        quote = "\n".join(f"> {escape_markdown(line)}" for line in lines if line)
        blocks.append(f"{heading}\n\n{quote}" if quote else heading)
    if not blocks:
        return ""
    return "**参考来源**\n\n" + "\n\n".join(blocks)


def format_sources(citations: Sequence[Mapping[str, Any]], dates: Mapping[str, str] | None = None) -> str:
    """The numbered sources, each a ``<details>`` that opens on its passage (title, section, the
    document's date from ``dates`` by doc id, snippet)."""
    blocks: list[str] = []
    for position, citation in enumerate(citations, start=1):
        dated = (dates or {}).get(str(citation.get("doc_id") or ""), "")
        number = _citation_number(citation, position)
        title = html.escape(str(citation.get("title") or "").strip() or "未命名文件")
        section = html.escape(" ".join(str(citation.get("section") or "").split()))
        heading = f"[{number}] 《{title}》" + (f" {section}" if section else "")
        lines = [line.strip() for line in str(citation.get("snippet") or "").splitlines()]
        snippet = "<br>".join(html.escape(line) for line in lines if line)
        body = f"<blockquote>{snippet}</blockquote>" if snippet else ""
        if dated:
            body = f'<p class="citation-date">{html.escape(dated)}</p>{body}'
        blocks.append(f'<details class="citation"><summary>{heading}</summary>{body}</details>')
    if not blocks:
        return ""
    return "**参考来源**（点击查看原文）\n\n" + "\n".join(blocks)


def format_handoff(handoff: Mapping[str, Any] | None) -> str:
    """The notice that the conversation is with a person now, with the ticket id to quote."""
    ticket = str((handoff or {}).get("ticket_id") or "").strip()
    if not ticket:
        return "**已转人工服务**，工作人员会在这里回复您。"
    return f"**已转人工服务**，工单号：{escape_markdown(ticket)}。请保留工单号，工作人员会在这里回复您。"


def _material_line(material: Mapping[str, Any]) -> str:
    """One material as a Markdown list item: name, form and copies, 电子证照, note, what it is for."""
    name = escape_markdown(str(material.get("name") or ""))
    form = str(material.get("form") or "")
    copies = int(material.get("copies") or 0)
    label = str(material.get("form_label") or "")
    amount = "电子件" if form == "electronic" else (f"{label}{copies}份" if copies else f"{label}核验")
    details = [escape_markdown(amount)]
    if material.get("e_license"):
        details.append("**可用电子证照**")
    if material.get("deferrable"):
        details.append("可容缺后补")
    line = f"- **{name}**（{'；'.join(details)}）"
    note = str(material.get("note") or "").strip()
    if note:
        line += f"  \n  {escape_markdown(note)}"
    used_for = [str(n) for n in material.get("for_item_names") or []]
    if used_for:
        line += f"  \n  用于：{escape_markdown('、'.join(used_for))}"
    return line


def _time_limit(checklist: Mapping[str, Any]) -> str:
    parts = []
    if checklist.get("time_limit_statutory"):
        parts.append(f"法定 {checklist['time_limit_statutory']}")
    if checklist.get("time_limit_promised"):
        parts.append(f"承诺 {checklist['time_limit_promised']}")
    return escape_markdown("；".join(parts)) if parts else "以当地办事指南公布的时限为准"


def format_checklist(checklist: Mapping[str, Any]) -> str:
    """The 一次告知清单 as Markdown: answers, materials (copies, 原件, 电子证照), where, how long, fee."""
    name = escape_markdown(str(checklist.get("name") or "办事"))
    region = str(checklist.get("region") or "")
    lines = [f"### 【{name}】办事清单" + (f"｜{escape_markdown(region)}" if region else "")]
    answers = checklist.get("answers") or []
    if answers:
        lines.append("**您的情况**")
        for answer in answers:
            question = escape_markdown(str(answer.get("question", "")).rstrip("？?"))
            lines.append(f"- {question}：{escape_markdown(str(answer.get('label', '')))}")
    pending = [str(p) for p in checklist.get("pending") or []]
    if pending:
        lines.append(f"**还需确认**：{escape_markdown('；'.join(pending))}（清单可能随回答调整）")
    materials = checklist.get("materials") or []
    lines.append(f"**需要准备的材料（{len(materials)}项）**")
    lines += [_material_line(m) for m in materials] or ["- 无需提交材料"]
    steps = checklist.get("steps") or []
    if steps:
        lines.append("**办理流程**")
        lines += [
            f"{i}. {escape_markdown(str(s.get('title', '')))}：{escape_markdown(str(s.get('detail', '')))}"
            for i, s in enumerate(steps, 1)
        ]
    channels = checklist.get("channels") or []
    where = [f"{c.get('label', '')}：{c.get('detail', '')}".rstrip("：") for c in channels]
    where += [str(location) for location in checklist.get("locations") or []]
    lines.append("**在哪里办**")
    lines += [f"- {escape_markdown(w)}" for w in where] or ["- 以当地办事指南为准"]
    lines.append(f"**办理时限**：{_time_limit(checklist)}")
    lines.append(f"**收费标准**：{escape_markdown(str(checklist.get('fee') or '以当地办事指南为准'))}")
    if checklist.get("consult_phone"):
        lines.append(f"**咨询电话**：{escape_markdown(str(checklist['consult_phone']))}")
    source = str(checklist.get("source_name") or "")
    as_of = str(checklist.get("as_of") or "")
    if source or as_of:
        lines.append(f"_信息来源：{escape_markdown(source)}；信息截至 {escape_markdown(as_of)}_")
    return "\n\n".join(lines)


def format_checklist_summary(checklist: Mapping[str, Any]) -> str:
    """The checklist as the chat shows it: the materials, and where the full list is."""
    name = escape_markdown(str(checklist.get("name") or "办事"))
    materials = checklist.get("materials") or []
    lines = [f"**【{name}】需要准备的材料（{len(materials)}项）**"]
    lines += [_material_line(m) for m in materials] or ["- 无需提交材料"]
    lines.append(f"办理地点、时限和收费见下方“{CHECKLIST_TITLE}”，可下载或打印。")
    return "\n\n".join(lines)


def checklist_filename(checklist: Mapping[str, Any]) -> str:
    """A safe file name for the downloaded checklist (``办事清单-新生儿出生.md``)."""
    name = re.sub(r"[^\w\u4e00-\u9fff-]+", "", str(checklist.get("name") or "")) or "事项"
    return f"办事清单-{name}.md"


def checklist_document(checklist: Mapping[str, Any]) -> str:
    """The downloadable Markdown file: the rendered list and the caveat that local rules prevail."""
    return (
        format_checklist(checklist) + "\n\n以上为参考信息，具体以当地政务服务机构的最新规定和窗口答复为准。\n"
    )


def render_reply(reply: ChatReply, dates: Mapping[str, str] | None = None) -> str:
    """The assistant's message: the answer (or the checklist), then the handoff notice or the sources
    (dated by ``dates``, doc id → e.g. ``成文日期 2024-01-09``)."""
    if reply.checklist:
        first_line = reply.answer.strip().splitlines()[0] if reply.answer.strip() else ""
        parts = [escape_html(first_line), format_checklist_summary(reply.checklist)]
    else:
        parts = [escape_html(reply.answer.strip())]
    if reply.outcome == "handoff":
        parts.append(format_handoff(reply.handoff))
    sources = format_sources(reply.citations, dates)
    if sources:
        parts.append(sources)
    return "\n\n".join(part for part in parts if part)


def format_ticket(view: Mapping[str, Any] | None) -> str:
    """The ticket panel: number, status, deadline and, once closed, the resolution."""
    if not view:
        return ""
    ticket = escape_markdown(str(view.get("ticket_id") or ""))
    status = escape_markdown(str(view.get("status") or ""))
    lines = [f"**工单号**：{ticket}　**当前状态**：{status}"]
    due = str(view.get("resolve_due_at") or view.get("due_at") or "")
    if due and view.get("status_code") != "closed":
        lines.append(f"**办理期限**：{escape_markdown(due[:16].replace('T', ' '))}")
    if view.get("resolution"):
        lines.append(f"**办理结果**：{escape_markdown(str(view['resolution']))}")
    count = len(view.get("replies") or [])
    lines.append(f"工作人员已回复 {count} 条。" if count else "请稍候，工作人员回复后会显示在对话中。")
    return "\n\n".join(lines)


def agent_message(body: str) -> str:
    """An agent's reply as shown in the conversation."""
    return f"{AGENT_PREFIX}{escape_html(body.strip())}"


@functools.cache
def _s2t() -> _Converter:
    import opencc  # lazy: the dictionary loads on first use

    converter: _Converter = opencc.OpenCC("s2t")
    return converter


def to_script(text: str, script: str) -> str:
    """``text`` in the chosen script for display (繁體 via OpenCC s2t, else 简体); markup is untouched."""
    if not text:
        return text
    return _s2t().convert(text) if script == TRADITIONAL else to_simplified(text)


def display_history(history: History, script: str) -> History:
    """The stored conversation as the chatbot shows it: roles and text only, in the chosen script."""
    return [{"role": m["role"], "content": to_script(str(m["content"]), script)} for m in history]
