"""The conversation, the guided flow's buttons and its checklist rebuilt after a reload
(``ui.citizen_restore``) and Gradio's notices in Chinese (``ui.page_messages``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio
import pytest

from ui.citizen_handlers import CitizenBackend, handoff, poll_ticket, respond, unchanged
from ui.citizen_render import TRADITIONAL, escape_markdown, format_sources, to_script
from ui.citizen_restore import restore_guide, restore_history
from ui.page_messages import GRADIO_MESSAGES, messages_js


@pytest.fixture
def page_services(chat_services: Any, tmp_path: Path) -> Iterator[Any]:
    """The shared indexed services with their records on a SQLite file of this test."""
    from assistant.components.database import make_engine
    from tests.handoff_db import services_on

    engine = make_engine(f"sqlite:///{tmp_path / 'restore.db'}")
    yield services_on(chat_services, engine)
    engine.dispose()


def test_a_restored_conversation_is_the_one_the_page_showed(page_services: Any) -> None:
    chat = page_services.chat
    first = list(respond("什么是跨省通办？", [], None, chat))[-1]
    second = list(respond("电子证照能在全国通用吗？", first.history, first.session_id, chat))[-1]
    assert 'details class="citation"' in second.history[-1]["content"]
    history, session_id = restore_history(page_services.store, first.session_id)
    assert session_id == first.session_id
    assert history == second.history  # texts, sources and message ids (for ratings) alike


def test_restored_agent_replies_are_not_added_again_by_the_ticket_poll(page_services: Any) -> None:
    backend = CitizenBackend.of(page_services)
    asked = list(respond("新生儿落户需要什么材料", [], None, page_services.chat))[-1]
    turn = handoff(asked.history, asked.session_id, page_services.chat)
    view = poll_ticket(backend.handoff, turn.session_id, turn.history).view
    assert view is not None
    ticket_id = view["ticket_id"]
    page_services.handoff.reply(ticket_id, "坐席小林", "您好，请携带出生医学证明办理。")
    for step in (page_services.tickets.claim, page_services.tickets.start, page_services.tickets.respond):
        step(ticket_id, "坐席小林")
    page_services.handoff.close(ticket_id, "坐席小林", "已电话告知")

    history, _ = restore_history(page_services.store, turn.session_id)
    roles = [m["role"] for m in history]
    assert history[:3] == turn.history[:3]  # the question, its answer, the 转人工 click
    assert roles == ["user", "assistant", "user", "assistant", "assistant", "assistant"]
    assert f"工单号：{escape_markdown(ticket_id)}" in history[3]["content"]  # the notice with its ticket
    assert history[4]["content"] == "**工作人员回复：**您好，请携带出生医学证明办理。"
    assert "已办结" in history[5]["content"]
    polled = poll_ticket(backend.handoff, turn.session_id, history)
    assert polled.history == history  # each agent message once, the poll knows them by key


def test_a_finished_guided_flow_is_restored_as_the_page_showed_it(page_services: Any) -> None:
    chat = page_services.chat
    dates = CitizenBackend.of(page_services).source_dates()
    turn = list(respond("孩子刚出生要办什么", [], None, chat, dates=dates))[-1]
    asked = turn.options
    assert restore_guide(chat, turn.session_id) == (asked, None)  # mid-flow: the question's buttons
    while unchanged(turn.checklist):
        turn = list(respond(turn.options[0], turn.history, turn.session_id, chat, dates=dates))[-1]
    options, checklist = restore_guide(chat, turn.session_id)
    assert (options, checklist) == (turn.options, turn.checklist)
    history, _ = restore_history(page_services.store, turn.session_id, dates, checklist)
    assert history == turn.history  # the checklist answer summarised, as the page showed it
    assert restore_guide(chat, "s_1'; DROP TABLE chat_messages;--") == ([], None)


@pytest.mark.parametrize("kept", [None, "", "s_no_such_session", "s_1'; DROP TABLE chat_messages;--"])
def test_nothing_is_restored_for_a_missing_unknown_or_malformed_id(page_services: Any, kept: Any) -> None:
    assert restore_history(page_services.store, kept) == ([], None)


def test_nothing_is_restored_without_a_store() -> None:
    assert restore_history(None, "s_0123456789abcdef") == ([], None)


def test_every_replaced_gradio_text_is_in_gradios_bundle() -> None:
    """The replaced texts are exactly Gradio's: a Gradio upgrade that rewords one fails here."""
    assets = Path(gradio.__file__).parent / "templates" / "frontend" / "assets"
    bundle = "\n".join(p.read_text(encoding="utf-8", errors="ignore") for p in assets.glob("*.js"))
    missing = [english for english in GRADIO_MESSAGES if f"`{english}" not in bundle]
    assert missing == []
    assert "Server returned ${" in bundle


def test_the_page_script_carries_simplified_and_traditional_texts() -> None:
    script = messages_js("#script-toggle")
    table = json.loads(script.split("const TABLE = ", 1)[1].split(";\n", 1)[0])
    for english, chinese in GRADIO_MESSAGES.items():
        assert table[english] == [chinese, to_script(chinese, TRADITIONAL)]
        assert all("\u4e00" <= ch <= "\u9fff" for ch in chinese if ch.isalpha())  # Chinese only
    assert table["Connection Lost"] == ["连接中断", "連接中斷"]
    assert '"#script-toggle"' in script
    assert "const SCRIPT_SELECTOR = null;" in messages_js()


def test_sources_show_their_documents_date(page_services: Any) -> None:
    backend = CitizenBackend.of(page_services)
    dates = backend.source_dates()
    assert dates and backend.source_dates() is dates  # worked out once per index generation
    assert all(label.startswith(("成文日期 ", "信息截至 ")) for label in dates.values())
    final = list(respond("什么是跨省通办？", [], None, page_services.chat, dates=dates))[-1]
    reply = page_services.store.messages(final.session_id)[-1]
    cited = [dates[c["doc_id"]] for c in reply.citations if c["doc_id"] in dates]
    assert cited, "the answer cites no dated document"
    shown = final.history[-1]["content"]
    assert f'<p class="citation-date">{cited[0]}</p>' in shown
    restored, _ = restore_history(page_services.store, final.session_id, dates)
    assert restored == final.history


def test_format_sources_dates_only_the_documents_it_knows() -> None:
    citations = [
        {"index": 1, "doc_id": "a", "title": "甲", "snippet": "一"},
        {"index": 2, "doc_id": "b", "title": "乙"},
    ]
    text = format_sources(citations, {"a": "成文日期 2024-01-09 <x>"})
    assert text.count("citation-date") == 1 and "成文日期 2024-01-09 &lt;x&gt;" in text
    assert "citation-date" not in format_sources(citations)
