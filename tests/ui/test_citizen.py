"""Tests for ui.citizen: Markdown helpers, the chat handlers against a fake ChatService, and mounting at "/".

No model, index or database: the fake service scripts its replies, and a guard fails any attempt to open
a socket to anything but this machine.
"""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import ast
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

import ui.citizen as citizen
from assistant.chat import STARTER_QUESTIONS, ChatReply, MessageError
from assistant.llm_answering import LlmDelta
from ui.citizen import (
    FAILURE_TEXT,
    HANDOFF_LABEL,
    THINKING_TEXT,
    build_citizen_app,
    escape_markdown,
    format_citations,
    format_handoff,
    handoff,
    pick,
    render_reply,
    respond,
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

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
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

    def stream(self, message: str, session_id: str | None = None) -> Iterator[LlmDelta | ChatReply]:
        text = self.validate(message)
        self.calls.append((text, session_id))
        sid = session_id or "sess-1"
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


# ----------------------------------------------------------------------------------------- handlers


def test_respond_streams_deltas_then_shows_the_final_reply() -> None:
    chat = FakeChat()
    history = [{"role": "assistant", "content": "早先的消息"}]
    turns = list(respond("  什么是无差别受理？ ", history, None, chat))  # type: ignore[arg-type]

    assert contents(turns[0].history)[-2:] == [("user", "什么是无差别受理？"), ("assistant", THINKING_TEXT)]
    assert [t.history[-1]["content"] for t in turns[1:3]] == [
        "推动政务服务事项",
        "推动政务服务事项无差别受理 [1]",
    ]
    final = turns[-1]
    assert contents(final.history)[0] == ("assistant", "早先的消息")
    assert final.history[-1]["content"] == render_reply(chat.reply("什么是无差别受理？"))
    assert "[1] 《关于加快推进政务服务标准化规范化便利化的指导意见》" in final.history[-1]["content"]
    assert final.session_id == "sess-1"
    assert all(t.message == "" and t.notice == "" for t in turns)
    assert final.options == [] and final.options_view["visible"] is False
    assert history == [{"role": "assistant", "content": "早先的消息"}]  # the caller's list is not mutated
    assert chat.calls[0] == ("什么是无差别受理？", None)


def test_respond_keeps_the_session_id_from_the_first_reply() -> None:
    chat = FakeChat()
    first = list(respond("问题一", [], None, chat))[-1]  # type: ignore[arg-type]
    second = list(respond("问题二", first.history, first.session_id, chat))[-1]  # type: ignore[arg-type]
    assert chat.calls == [("问题一", None), ("问题二", "sess-1")]
    assert second.session_id == "sess-1"
    assert [role for role, _ in contents(second.history)] == ["user", "assistant", "user", "assistant"]


def test_respond_clarify_offers_the_options_as_clickable_samples() -> None:
    final = list(respond("你好", [], None, FakeChat()))[-1]  # type: ignore[arg-type]
    assert final.options == ["什么是跨省通办？", "电子证照能在全国通用吗？"]
    assert final.options_view["samples"] == [["什么是跨省通办？"], ["电子证照能在全国通用吗？"]]
    assert final.options_view["visible"] is True


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
        "clarify-options",
        "privacy-notice",
        "chat-notice",
    } <= by_id.keys()
    assert by_id["question-input"]["props"]["label"] == "您的问题"
    assert by_id["chat-window"]["props"]["label"] == "对话记录"
    assert by_id["handoff-button"]["props"]["value"] == "转人工"
    assert "身份证号" in by_id["privacy-notice"]["props"]["value"]
    assert [s[0] for s in by_id["starter-questions"]["props"]["samples"]] == STARTER_QUESTIONS
    assert by_id["clarify-options"]["props"]["visible"] is False
    assert "share" not in by_id["chat-window"]["props"]["buttons"]


def test_ui_module_is_a_thin_client_of_the_chat_service() -> None:
    tree = ast.parse(Path(citizen.__file__).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= {
        "__future__",
        "html",
        "logging",
        "re",
        "collections.abc",
        "typing",
        "gradio",
        "assistant.chat",
    }


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
