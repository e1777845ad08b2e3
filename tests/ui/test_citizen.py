"""Tests for the citizen page (ui.citizen*): rendering, the handlers against a fake ChatService, mounting at "/".

No model, index or database: the fake service scripts its replies, and a guard fails any attempt to open
a socket to anything but this machine.
"""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import ast
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

import ui.citizen as citizen
import ui.citizen_parts as citizen_parts
from assistant.chat import STARTER_QUESTIONS, ChatReply, MessageError
from assistant.llm_answering import LlmDelta
from ui.citizen import build_citizen_app
from ui.citizen_handlers import (
    FAILURE_TEXT,
    HANDOFF_LABEL,
    NO_CONSENT_TEXT,
    THINKING_TEXT,
    UNCHANGED,
    CitizenBackend,
    client_message_id,
    handoff,
    message_id_at,
    poll_ticket,
    rate_answer,
    respond,
    run_prereview,
    say,
)
from ui.citizen_parts import (
    OPTION_SLOTS,
    entry_question,
    option_updates,
    pick,
    restore_script,
    save_checklist,
)
from ui.citizen_render import (
    SIMPLIFIED,
    TRADITIONAL,
    agent_message,
    checklist_document,
    checklist_filename,
    display_history,
    escape_markdown,
    format_checklist,
    format_checklist_summary,
    format_citations,
    format_handoff,
    format_sources,
    format_ticket,
    render_reply,
    to_script,
)

CITATIONS = [
    {
        "index": 1,
        "doc_id": "d1",
        "title": "关于加快推进政务服务标准化规范化便利化的指导意见",
        "section": "二、推进政务服务标准化",
        "snippet": "推动政务服务事项实现同一事项无差别受理、同标准办理。",
        "score": 0.8,
    },
    {
        "index": 2,
        "doc_id": "d2",
        "title": "全国一体化政务服务平台",
        "section": "",
        "snippet": "电子证照全国互通互认。",
        "score": 0.5,
    },
]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Fail (and record) any connection to a host other than this machine."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost") and self.family != socket.AF_UNIX:
            attempts.append(address)
            raise OSError(f"network access in a test: {address!r}")
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield attempts
    assert attempts == []


class FakeChat:
    """Scripted stand-in for ChatService: the same methods, no store or answerer behind them."""

    max_chars = 50

    def __init__(self, *, fail: bool = False, gate: threading.Event | None = None) -> None:
        self.fail = fail
        self.gate = gate  # the answer starts once this is set (a slow answerer)
        self.calls: list[tuple[str, str | None]] = []
        self.handoffs: list[str | None] = []

    def validate(self, message: str) -> str:
        text = message.strip()
        if not text:
            raise MessageError("消息不能为空 (message must not be empty)")
        if len(text) > self.max_chars:
            raise MessageError(
                f"消息过长：{len(text)} 字，上限 {self.max_chars} 字 (message too long: {len(text)} > {self.max_chars} characters)"
            )
        return text

    def stream(
        self, message: str, session_id: str | None = None, *, client_id: str | None = None
    ) -> Iterator[LlmDelta | ChatReply]:
        text = self.validate(message)
        self.calls.append((text, session_id))
        sid = session_id or "sess-1"
        if self.gate is not None:
            assert self.gate.wait(10)
        if self.fail:
            yield LlmDelta("半句")
            raise RuntimeError("answerer down")
        if text == "你好":
            yield ChatReply(
                sid,
                "m-greet",
                "clarify",
                "您好！请问您想了解什么？",
                options=["什么是跨省通办？", "电子证照能在全国通用吗？"],
            )
            return
        yield LlmDelta("推动政务服务事项")
        yield LlmDelta("无差别受理 [1]")
        yield ChatReply(
            sid,
            f"m-{len(self.calls)}",
            "answered",
            "推动政务服务事项无差别受理、同标准办理。 [1]",
            citations=CITATIONS[:1],
        )

    def reply(self, message: str, session_id: str | None = None) -> ChatReply:
        final = [e for e in self.stream(message, session_id) if isinstance(e, ChatReply)]
        return final[-1]

    def request_handoff(self, session_id: str | None, reason: str = "button") -> ChatReply:
        self.handoffs.append(session_id)
        return ChatReply(
            session_id or "sess-1",
            "m-h",
            "handoff",
            "已为您转接人工服务。",
            reason=reason,
            handoff={"ticket_id": "HO-42", "reason": reason},
        )


def contents(history: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in history]


# ----------------------------------------------------------------------------------------- helpers


def test_escape_markdown_shows_markup_and_html_literally() -> None:
    escaped = escape_markdown("*注意* <script>alert(1)</script> [链接](http://x) # 1. _a_ `c` | ~ & $$x$$")
    assert "<" not in escaped and ">" not in escaped
    assert "&lt;script&gt;" in escaped and "&amp;" in escaped
    for mark in (
        "\\*注意\\*",
        "\\[链接\\]\\(http://x\\)",
        "\\#",
        "1\\.",
        "\\_a\\_",
        "\\`c\\`",
        "\\|",
        "\\~",
        "\\$\\$",
    ):
        assert mark in escaped
    assert escape_markdown("一网通办：全程网办") == "一网通办：全程网办"


def test_format_citations_numbers_titles_sections_and_quotes_snippets() -> None:
    text = format_citations(CITATIONS)
    assert "[1] 《关于加快推进政务服务标准化规范化便利化的指导意见》 二、推进政务服务标准化" in text
    assert "> 推动政务服务事项实现同一事项无差别受理、同标准办理。" in text
    assert "[2] 《全国一体化政务服务平台》\n" in text  # no section: nothing after the title
    assert "> 电子证照全国互通互认。" in text
    assert text.index("[1]") < text.index("[2]")


def test_format_citations_escapes_snippet_title_and_section() -> None:
    citation = {
        "index": 3,
        "title": "<b>标题</b>",
        "section": "**第一条**",
        "snippet": "第一行 <img src=x onerror=alert(1)>\n\n# 不是标题\n- 不是列表",
    }
    text = format_citations([citation])
    assert "<b>" not in text and "<img" not in text
    assert "[3] 《&lt;b&gt;标题&lt;/b&gt;》 \\*\\*第一条\\*\\*" in text
    quoted = [line for line in text.splitlines() if line.startswith(">")]
    assert quoted == [
        "> 第一行 &lt;img src\\=x onerror\\=alert\\(1\\)&gt;",
        "> \\# 不是标题",
        "> \\- 不是列表",
    ]


def test_format_citations_empty_and_missing_fields() -> None:
    assert format_citations([]) == ""
    text = format_citations([{"snippet": ""}])
    assert "[1] 《未命名文件》" in text and ">" not in text


def test_render_reply_answer_sources_and_handoff_notice() -> None:
    answered = ChatReply("s", "m", "answered", "答案 [1] <i>x</i>", citations=CITATIONS)
    shown = render_reply(answered)
    assert shown.startswith("答案 [1] &lt;i&gt;x&lt;/i&gt;")
    assert "**参考来源**" in shown and "[2] 《全国一体化政务服务平台》" in shown

    refused = render_reply(ChatReply("s", "m", "refused", "抱歉，我没有找到依据。"))
    assert refused == "抱歉，我没有找到依据。"

    handed = render_reply(
        ChatReply("s", "m", "handoff", "已转接。", handoff={"ticket_id": "HO-7", "reason": "button"})
    )
    assert "HO\\-7" in handed and "工单号" in handed
    assert "工作人员" in format_handoff(None)


def test_pick_ignores_stale_indexes() -> None:
    assert pick(1, ["a", "b"]) == "b"
    assert pick(None, ["a"]) == pick(2, ["a"]) == pick(-1, ["a"]) == pick(0, []) == ""


CHECKLIST: dict[str, Any] = {
    "guide_id": "yjs-newborn",
    "name": "新生儿出生",
    "region": "全国（示例）",
    "answers": [{"question": "孩子随父亲还是随母亲落户？", "label": "随父落户"}],
    "pending": [],
    "materials": [
        {
            "name": "父母的居民身份证",
            "form": "original",
            "form_label": "原件",
            "copies": 1,
            "e_license": True,
            "deferrable": False,
            "note": "线上办理时通过电子证照核验",
            "for_item_names": ["户口登记（出生登记）"],
        },
        {
            "name": "《出生医学证明》",
            "form": "original",
            "form_label": "原件",
            "copies": 0,
            "e_license": False,
            "deferrable": True,
            "note": "",
            "for_item_names": [],
        },
    ],
    "steps": [{"title": "提交申请", "detail": "填写一张联办申请表"}],
    "channels": [{"label": "窗口办理", "detail": "政务服务中心综合窗口"}],
    "locations": ["户籍所在地派出所"],
    "time_limit_statutory": "",
    "time_limit_promised": "5个工作日",
    "fee": "不收费",
    "consult_phone": "12345",
    "source_name": "中国政府网",
    "as_of": "2024-10-01",
}


def test_format_sources_open_on_the_passage_and_escape_html() -> None:
    text = format_sources([*CITATIONS, {"index": 3, "title": "<b>x</b>", "snippet": "a <img src=x>\nb"}])
    assert text.count('<details class="citation">') == 3
    assert (
        "<summary>[1] 《关于加快推进政务服务标准化规范化便利化的指导意见》 二、推进政务服务标准化</summary>"
        in text
    )
    assert "<blockquote>推动政务服务事项实现同一事项无差别受理、同标准办理。</blockquote>" in text
    assert "&lt;b&gt;x&lt;/b&gt;" in text and "<img" not in text and "a &lt;img src=x&gt;<br>b" in text
    assert format_sources([]) == ""


def test_format_checklist_lists_materials_where_how_long_and_fee() -> None:
    text = format_checklist(CHECKLIST)
    assert text.startswith("### 【新生儿出生】办事清单｜全国（示例）")
    assert "- 孩子随父亲还是随母亲落户：随父落户" in text
    assert "**需要准备的材料（2项）**" in text
    assert "- **父母的居民身份证**（原件1份；**可用电子证照**）" in text
    assert "用于：户口登记（出生登记）" in text
    assert "- **《出生医学证明》**（原件核验；可容缺后补）" in text
    assert "- 窗口办理：政务服务中心综合窗口" in text and "- 户籍所在地派出所" in text
    assert "**办理时限**：承诺 5个工作日" in text
    assert "**收费标准**：不收费" in text and "**咨询电话**：12345" in text
    assert "信息截至 2024\\-10\\-01" in text


def test_format_checklist_defaults_and_pending_questions() -> None:
    text = format_checklist({"name": "某事项", "pending": ["是否已婚"], "materials": []})
    assert "**还需确认**：是否已婚" in text
    assert "- 无需提交材料" in text
    assert "以当地办事指南公布的时限为准" in text and "**收费标准**：以当地办事指南为准" in text


def test_checklist_summary_download_and_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = format_checklist_summary(CHECKLIST)
    assert "需要准备的材料（2项）" in summary and "可下载或打印" in summary and "收费标准" not in summary
    assert checklist_filename(CHECKLIST) == "办事清单-新生儿出生.md"
    assert checklist_filename({"name": "../a/b c"}) == "办事清单-abc.md"
    document = checklist_document(CHECKLIST)
    assert document.startswith(format_checklist(CHECKLIST)) and "以当地政务服务机构" in document
    monkeypatch.setattr(citizen_parts, "CHECKLIST_DIR", tmp_path)
    path = Path(save_checklist(CHECKLIST, "sess-1"))
    assert path == tmp_path / "sess-1" / "办事清单-新生儿出生.md"
    assert path.read_text(encoding="utf-8") == document


def test_render_reply_of_a_checklist_shows_the_materials_and_its_source() -> None:
    reply = ChatReply(
        "s",
        "m",
        "answered",
        "好的，已记下：随父落户。根据您的情况，为您整理了办事清单：\n【新生儿出生】…（很长的纯文本）",
        citations=[{"index": 1, "title": "新生儿出生", "section": "办事指南", "snippet": "清单原文"}],
        checklist=CHECKLIST,
    )
    shown = render_reply(reply)
    assert shown.startswith("好的，已记下：随父落户。根据您的情况，为您整理了办事清单：")
    assert "很长的纯文本" not in shown
    assert "**父母的居民身份证**" in shown and "<summary>[1] 《新生儿出生》 办事指南</summary>" in shown


def test_format_ticket_status_deadline_resolution_and_replies() -> None:
    view = {
        "ticket_id": "T-20240101-0001",
        "status": "待受理",
        "status_code": "pending",
        "resolve_due_at": "2024-01-02T09:30:00+00:00",
        "resolution": "",
        "replies": [],
    }
    text = format_ticket(view)
    assert "**工单号**：T\\-20240101\\-0001" in text and "**当前状态**：待受理" in text
    assert "**办理期限**：2024\\-01\\-02 09:30" in text and "请稍候" in text
    closed = format_ticket(
        {**view, "status": "已办结", "status_code": "closed", "resolution": "已办好", "replies": [{}]}
    )
    assert "办理期限" not in closed and "**办理结果**：已办好" in closed and "已回复 1 条" in closed
    assert format_ticket(None) == ""


def test_script_conversion_is_for_display_only() -> None:
    assert to_script("国务院办公厅关于电子证照", TRADITIONAL) == "國務院辦公廳關於電子證照"
    assert to_script("國務院辦公廳", SIMPLIFIED) == "国务院办公厅"
    assert to_script("", TRADITIONAL) == ""
    assert to_script('<details class="citation"><summary>[1] 发展</summary>', TRADITIONAL) == (
        '<details class="citation"><summary>[1] 發展</summary>'
    )
    history = [say("user", "办理户口"), say("assistant", "请带户口簿 [1]", "m-1")]
    shown = display_history(history, TRADITIONAL)
    assert shown == [
        {"role": "user", "content": "辦理戶口"},
        {"role": "assistant", "content": "請帶戶口簿 [1]"},
    ]
    assert history[0]["content"] == "办理户口"  # the stored conversation keeps its text
    assert restore_script(TRADITIONAL) == TRADITIONAL and restore_script("klingon") == SIMPLIFIED
    assert restore_script(None) == SIMPLIFIED


def test_agent_message_and_message_ids_for_ratings() -> None:
    assert agent_message(" <b>您好</b> ") == "**工作人员回复：**&lt;b&gt;您好&lt;/b&gt;"
    history = [say("user", "问"), say("assistant", "答", "m-7"), say("assistant", "人工", "agent:r1")]
    assert message_id_at(history, 1) == "m-7"
    assert message_id_at(history, [1, 0]) == "m-7"
    assert message_id_at(history, 0) is None  # a user message
    assert message_id_at(history, 2) is None  # an agent's reply is not the bot's answer
    assert message_id_at(history, 9) is None and message_id_at(history, None) is None


# ----------------------------------------------------------------------------------------- handlers


def test_respond_streams_deltas_then_shows_the_final_reply() -> None:
    chat = FakeChat()
    history = [{"role": "assistant", "content": "早先的消息"}]
    turns = list(respond("  什么是无差别受理？ ", history, None, chat))  # type: ignore[arg-type]

    # the answer starts at once: no "thinking" placeholder; the question shows with the first words
    assert contents(turns[0].history)[-2:] == [
        ("user", "什么是无差别受理？"),
        ("assistant", "推动政务服务事项"),
    ]
    assert [t.history[-1]["content"] for t in turns[0:2]] == [
        "推动政务服务事项",
        "推动政务服务事项无差别受理 [1]",
    ]
    final = turns[-1]
    assert contents(final.history)[0] == ("assistant", "早先的消息")
    assert final.history[-1]["content"] == render_reply(chat.reply("什么是无差别受理？"))
    assert "[1] 《关于加快推进政务服务标准化规范化便利化的指导意见》" in final.history[-1]["content"]
    assert final.session_id == "sess-1"
    assert all(t.notice == "" for t in turns)
    assert turns[0].message == "" and final.message == ""  # cleared once; the deltas leave it alone
    assert turns[0].options == [] and all(t.options == UNCHANGED for t in turns[1:-1])
    assert all(t.message == UNCHANGED for t in turns[1:-1])  # only the answer grows while streaming
    assert final.options == [] and final.checklist == UNCHANGED
    assert history == [{"role": "assistant", "content": "早先的消息"}]  # the caller's list is not mutated
    assert chat.calls[0] == ("什么是无差别受理？", None)


def test_respond_shows_a_placeholder_while_a_slow_answer_has_not_started() -> None:
    gate = threading.Event()
    chat = FakeChat(gate=gate)
    turns = respond("什么是无差别受理？", [], None, chat, clear_input=False)  # type: ignore[arg-type]
    waiting = next(turns)  # the answerer is already called, and has not answered within the moment
    assert chat.calls == [("什么是无差别受理？", None)]
    assert contents(waiting.history) == [("user", "什么是无差别受理？"), ("assistant", THINKING_TEXT)]
    assert waiting.options == [] and waiting.message == UNCHANGED
    gate.set()
    rest = list(turns)
    assert rest[0].history[-1]["content"] == "推动政务服务事项"
    assert rest[0].options == UNCHANGED  # already hidden by the placeholder's update
    assert "[1]" in rest[-1].history[-1]["content"] and rest[-1].session_id == "sess-1"


def test_read_ahead_hands_over_items_and_the_error_in_order() -> None:
    from ui.citizen_stream import ReadAhead

    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise LookupError("gone")

    ahead = ReadAhead(source())
    assert ahead.ready(5) and ahead.ready(0)  # peeking twice keeps the one item
    got: list[int] = []
    with pytest.raises(LookupError, match="gone"):
        got.extend(ahead)
    assert got == [1, 2]
    assert list(ReadAhead(iter(()))) == []


def test_respond_keeps_the_session_id_from_the_first_reply() -> None:
    chat = FakeChat()
    first = list(respond("问题一", [], None, chat))[-1]  # type: ignore[arg-type]
    second = list(respond("问题二", first.history, first.session_id, chat))[-1]  # type: ignore[arg-type]
    assert chat.calls == [("问题一", None), ("问题二", "sess-1")]
    assert second.session_id == "sess-1"
    assert [role for role, _ in contents(second.history)] == ["user", "assistant", "user", "assistant"]


def test_respond_clarify_offers_the_options_as_buttons() -> None:
    final = list(respond("你好", [], None, FakeChat()))[-1]  # type: ignore[arg-type]
    assert final.options == ["什么是跨省通办？", "电子证照能在全国通用吗？"]
    updates = option_updates(final.options)
    assert len(updates) == OPTION_SLOTS
    assert [u["value"] for u in updates[:2]] == final.options
    assert all(u["visible"] is True for u in updates[:2])
    assert all(u == {"__type__": "update", "visible": False} for u in updates[2:])
    assert option_updates(UNCHANGED) == [UNCHANGED] * OPTION_SLOTS
    assert final.history[-1]["message_id"] == "m-greet"


@pytest.mark.parametrize(("message", "expected"), [("   ", "消息不能为空"), ("办" * 51, "消息过长：51 字")])
def test_respond_rejected_message_warns_and_loses_nothing(message: str, expected: str) -> None:
    chat = FakeChat()
    history = [{"role": "user", "content": "旧问题"}, {"role": "assistant", "content": "旧回答"}]
    with pytest.warns(UserWarning, match=expected):
        turns = list(respond(message, history, "sess-9", chat))  # type: ignore[arg-type]
    assert len(turns) == 1
    turn = turns[0]
    assert turn.history == history
    assert turn.session_id == "sess-9"
    assert turn.message == message  # the text stays in the input box
    assert expected in turn.notice
    assert chat.calls == []


def test_respond_failure_restores_the_chat_and_the_input() -> None:
    history = [{"role": "user", "content": "旧问题"}]
    with pytest.warns(UserWarning, match="系统暂时无法回答"):
        turns = list(respond("什么是一网通办？", history, "sess-3", FakeChat(fail=True)))  # type: ignore[arg-type]
    final = turns[-1]
    assert final.history == history
    assert final.message == "什么是一网通办？"
    assert final.notice == FAILURE_TEXT
    assert final.session_id == "sess-3"
    assert final.failed is True and not any(t.failed for t in turns[:-1])  # the page offers 重试


def test_respond_from_a_clicked_example_leaves_the_input_box_alone() -> None:
    turns = list(respond(STARTER_QUESTIONS[0], [], None, FakeChat(), clear_input=False))  # type: ignore[arg-type]
    assert all(t.message == gr.update() for t in turns)
    assert contents(turns[-1].history)[0] == ("user", STARTER_QUESTIONS[0])


def test_handoff_button_shows_the_reply_with_its_ticket() -> None:
    chat = FakeChat()
    turn = handoff([{"role": "user", "content": "问题"}], "sess-5", chat)  # type: ignore[arg-type]
    assert chat.handoffs == ["sess-5"]
    assert contents(turn.history)[1] == ("user", HANDOFF_LABEL)
    assert turn.history[-1]["role"] == "assistant"
    assert "已为您转接人工服务。" in turn.history[-1]["content"] and "HO\\-42" in turn.history[-1]["content"]
    assert turn.session_id == "sess-5"
    assert turn.message == gr.update()


# ----------------------------------------------------------------------------------------- the page


def test_build_citizen_app_lays_out_labelled_inputs_and_starters() -> None:
    app = build_citizen_app(FakeChat())  # type: ignore[arg-type]
    assert isinstance(app, gr.Blocks)
    components = app.config["components"]
    by_id = {c["props"].get("elem_id"): c for c in components if c["props"].get("elem_id")}
    assert {
        "chat-window",
        "question-input",
        "send-button",
        "handoff-button",
        "starter-questions",
        "guide-options",
        "privacy-notice",
        "chat-notice",
        "large-text-toggle",
        "script-toggle",
        "ticket-panel",
        "checklist-panel",
        "checklist-download",
        "checklist-print",
        "yijianshi",
        "upload-notice",
    } <= by_id.keys()
    assert by_id["question-input"]["props"]["label"] == "您的问题"
    assert by_id["chat-window"]["props"]["label"] == "对话记录"
    assert by_id["handoff-button"]["props"]["value"] == "转人工"
    assert "身份证号" in by_id["privacy-notice"]["props"]["value"]
    assert [s[0] for s in by_id["starter-questions"]["props"]["samples"]] == STARTER_QUESTIONS
    assert by_id["yijianshi"]["props"]["visible"] is False  # a bare ChatService has no catalogue
    assert "share" not in by_id["chat-window"]["props"]["buttons"]
    assert "aria-label" in by_id["large-text-toggle"]["props"]["value"]
    assert [tuple(c) for c in by_id["script-toggle"]["props"]["choices"]] == [
        (SIMPLIFIED, SIMPLIFIED),
        (TRADITIONAL, TRADITIONAL),
    ]


def test_ui_modules_are_thin_clients_of_the_services() -> None:
    allowed = {
        "__future__",
        "functools",
        "html",
        "json",
        "logging",
        "re",
        "tempfile",
        "collections.abc",
        "dataclasses",
        "pathlib",
        "typing",
        "gradio",
        "opencc",
        "assistant.chat",
        "assistant.chat_handoff",
        "assistant.chat_prereview",
        "assistant.container",
        "assistant.analytics.feedback",
        "assistant.prereview.models",
        "assistant.prereview.report",
        "assistant.prereview.service",
        "assistant.prereview.storage",  # StorageFull: the exception the service raises when uploads do not fit
        "assistant.sessions",
        "assistant.textnorm",
        "ui.citizen_assets",
        "ui.citizen_handlers",
        "ui.citizen_parts",
        "ui.citizen_render",
        "ui.citizen_restore",
        "ui.citizen_script",
        "ui.citizen_stream",
        "ui.file_cache",  # where files written for download go (the swept page cache)
        "ui.page_messages",
        "queue",
        "threading",
    }
    folder = Path(citizen.__file__).parent
    for module in sorted(folder.glob("citizen*.py")):
        source = module.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 350, module.name
        tree = ast.parse(source)
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert imported <= allowed, (module.name, imported - allowed)
        assert "sqlalchemy" not in source


def test_mounted_at_root_of_a_fastapi_app() -> None:
    api = FastAPI()

    @api.get("/api/ping")
    def ping() -> dict[str, str]:
        return {"status": "ok"}

    app = gr.mount_gradio_app(api, build_citizen_app(FakeChat()), path="/")  # type: ignore[arg-type]
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]
        assert client.get("/api/ping").json() == {"status": "ok"}
        config = client.get("/config")
        assert config.status_code == 200
        assert "question-input" in config.text


# ----------------------------------------------------------------------------------------- real services


@pytest.fixture
def page_services(chat_services: Any, tmp_path: Path) -> Iterator[Any]:
    """The shared indexed services with their records on a SQLite file of this test."""
    from assistant.components.database import make_engine
    from tests.handoff_db import services_on

    engine = make_engine(f"sqlite:///{tmp_path / 'citizen.db'}")
    yield services_on(chat_services, engine)
    engine.dispose()


def test_a_retried_message_is_stored_and_shown_once(page_services: Any) -> None:
    chat = page_services.chat
    cid = "0123456789abcdef0123456789abcdef"
    first = list(respond("什么是跨省通办？", [], None, chat, client_id=cid))[-1]
    assert [m["role"] for m in first.history] == ["user", "assistant"] and not first.failed
    again = list(respond("什么是跨省通办？", first.history, first.session_id, chat, client_id=cid))[-1]
    assert again.history == first.history  # the answer the page has already: not added again
    reloaded = list(respond("什么是跨省通办？", [], None, chat, client_id=cid))[-1]  # the page lost it
    assert reloaded.history == first.history and reloaded.session_id == first.session_id
    assert [m.role for m in page_services.store.messages(first.session_id)] == ["user", "assistant"]


def test_client_message_id_accepts_only_plain_ids() -> None:
    assert client_message_id(" 0123456789abcdef0123 ") == "0123456789abcdef0123"
    assert client_message_id("1b4e28ba-2fa1-11d2-883f-0016d3cca427") == "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    for bad in (None, "", "short", "x" * 65, "0123456789abcdef<script>"):
        assert client_message_id(bad) is None


def test_every_yijianshi_entry_starts_its_guided_flow(page_services: Any) -> None:
    backend = CitizenBackend.of(page_services)
    names = backend.yijianshi()
    assert len(names) == 13 and "新生儿出生" in names
    for name in names:
        reply = page_services.chat.reply(entry_question(name))
        assert reply.guide is not None and reply.guide["id"].startswith("yjs-"), name
        assert reply.guide["name"] == name


def test_rating_an_answer_records_feedback_like_the_api(page_services: Any) -> None:
    from sqlalchemy import text

    final = list(respond("什么是跨省通办？", [], None, page_services.chat))[-1]
    message_id = message_id_at(final.history, len(final.history) - 1)
    assert message_id
    store = CitizenBackend.of(page_services).store
    assert rate_answer(store, message_id, False) == "感谢反馈，我们会改进这条回答。"
    rated = [m for m in page_services.store.messages(final.session_id) if m.id == message_id]
    assert rated[0].rating == "bad"
    with page_services.store.engine.connect() as db:
        count = db.execute(text("SELECT COUNT(*) FROM answer_feedback")).scalar_one()
    assert count == 1
    assert rate_answer(store, "no-such-id", True) == "这条消息不能评价。"
    assert rate_answer(None, message_id, True) == "这条消息不能评价。"


def test_handoff_then_poll_shows_status_agent_replies_and_closure(page_services: Any) -> None:
    backend = CitizenBackend.of(page_services)
    assert poll_ticket(backend.handoff, None, []).view is None
    turn = handoff([], None, page_services.chat)
    assert turn.session_id and "已转人工服务" in turn.history[-1]["content"]
    polled = poll_ticket(backend.handoff, turn.session_id, turn.history)
    assert polled.view is not None and polled.view["status"] == "待受理" and polled.active
    assert polled.history == turn.history

    ticket_id = polled.view["ticket_id"]
    page_services.handoff.reply(ticket_id, "坐席小林", "您好，请问您要办理什么事项？")
    polled = poll_ticket(backend.handoff, turn.session_id, polled.history)
    assert polled.history[-1]["content"] == "**工作人员回复：**您好，请问您要办理什么事项？"
    again = poll_ticket(backend.handoff, turn.session_id, polled.history)
    assert len(again.history) == len(polled.history)  # each reply once

    for step in (page_services.tickets.claim, page_services.tickets.start, page_services.tickets.respond):
        step(ticket_id, "坐席小林")
    page_services.handoff.close(ticket_id, "坐席小林", "已电话告知办理流程")
    closed = poll_ticket(backend.handoff, turn.session_id, again.history)
    assert closed.active is False and "已办结" in closed.history[-1]["content"]
    assert "已电话告知办理流程" in format_ticket(closed.view)
    assert len(poll_ticket(backend.handoff, turn.session_id, closed.history).history) == len(closed.history)


def test_prereview_needs_files_and_an_item_chosen_in_the_session(page_services: Any, tmp_path: Path) -> None:
    backend = CitizenBackend.of(page_services)
    sample = tmp_path / "身份证.png"
    sample.write_bytes(b"not really a picture")
    assert run_prereview(backend, "s", [], [], consented=True).notice == "请先选择要预审的文件。"
    refused = run_prereview(backend, "s", [str(sample)], [], consented=False)
    assert refused.notice == NO_CONSENT_TEXT and refused.history == []
    assert (
        "请先在对话中选择要办理的事项"
        in run_prereview(backend, None, [str(sample)], [], consented=True).notice
    )
    asked = page_services.chat.reply("什么是跨省通办？")
    result = run_prereview(backend, asked.session_id, [str(sample)], [], consented=True)
    assert "请先在对话中选择要办理的事项" in result.notice and result.history == []
    bare = CitizenBackend.of(FakeChat())  # type: ignore[arg-type]
    assert bare.prereview is None and bare.yijianshi() == []
    assert run_prereview(bare, "s", [str(sample)], [], consented=True).notice == "智能预审暂未开通。"


def test_a_full_upload_store_says_so_and_keeps_the_conversation(tmp_path: Path) -> None:
    from assistant.prereview.storage import StorageFull
    from ui.citizen_handlers import STORAGE_FULL_TEXT

    class ChatWithItem(FakeChat):
        def prereview_context(self, session_id: str) -> Any:
            return SimpleNamespace(guide_id="g1", answers={})

    class FullStore:
        def review(self, guide_id: str, answers: dict[str, str], uploads: list[tuple[str, bytes]]) -> Any:
            raise StorageFull("no space left on device")

    sample = tmp_path / "身份证.png"
    sample.write_bytes(b"made-up sample")
    backend = CitizenBackend(chat=ChatWithItem(), prereview=FullStore())  # type: ignore[arg-type]
    before = [{"role": "assistant", "content": "办事清单……"}]

    result = run_prereview(backend, "s1", [str(sample)], before, consented=True)

    assert result.notice == STORAGE_FULL_TEXT
    assert result.history == before
