"""智能导办 inside the chat: the flow starts from a request, survives across requests (state in the
session store, masked), ends in a cited checklist, and hands back to Q&A or a person when asked."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from assistant.chat import ChatService, ExtractiveStreamer
from assistant.container import Services
from assistant.guide.service import GuideService
from assistant.sessions import SessionStore
from assistant.settings import PROJECT_ROOT

YIJIANSHI = PROJECT_ROOT / "knowledge" / "guides" / "yijianshi"
ID_NUMBER = "110101199003071233"  # made up (valid check digit)


@pytest.fixture
def services(chat_services: Services) -> Services:
    return chat_services


@pytest.fixture
def store(chat_store: SessionStore) -> SessionStore:
    return chat_store


def make_chat(services: Services, store: SessionStore) -> ChatService:
    guides = GuideService(YIJIANSHI, services.index.tokenizer)
    return ChatService(
        services.settings, store, ExtractiveStreamer(services.extractive), guides, services.extractive.strength
    )


def test_a_guided_flow_ends_in_a_cited_checklist(services: Services, store: SessionStore) -> None:
    chat = make_chat(services, store)
    first = chat.reply("孩子刚出生要办什么手续")
    assert first.outcome == "clarify" and first.guide and first.guide["id"] == "yjs-newborn"
    assert "已办理结婚登记" in first.options
    # A new ChatService (another worker) continues the same session from the stored state.
    chat = make_chat(services, store)
    second = chat.reply("我们没领结婚证", first.session_id)
    assert second.outcome == "clarify" and "随母落户" in second.options
    third = chat.reply("随妈妈", first.session_id)
    last = chat.reply("暂不办理", first.session_id)
    assert third.outcome == "clarify"
    assert last.outcome == "answered" and last.reason == "guide_checklist"
    assert last.checklist is not None and last.checklist["guide_id"] == "yjs-newborn"
    assert "非婚生育" in last.answer and "[1]" in last.answer
    assert last.citations[0]["doc_id"] == "yjs-newborn"


def test_the_opening_answers_questions_and_is_stored_masked(services: Services, store: SessionStore) -> None:
    chat = make_chat(services, store)
    reply = chat.reply(f"我们没结婚，孩子刚出生怎么上户口，我身份证{ID_NUMBER}")
    assert reply.outcome == "clarify"
    assert "结婚登记" not in reply.answer.split("\n")[-3]  # the marriage question was not asked
    with store.engine.connect() as connection:
        rows = connection.execute(text("select guide_state from chat_sessions")).all()
    assert rows and ID_NUMBER not in str(rows)


def test_a_new_question_leaves_the_flow_and_is_answered(services: Services, store: SessionStore) -> None:
    chat = make_chat(services, store)
    first = chat.reply("孩子刚出生要办什么手续")
    reply = chat.reply("什么是跨省通办？", first.session_id)
    assert reply.outcome == "answered" and reply.guide is None and reply.citations
    assert store.get_session(first.session_id).guide_state is None  # type: ignore[union-attr]


def test_asking_for_a_person_inside_the_flow_hands_off(services: Services, store: SessionStore) -> None:
    chat = make_chat(services, store)
    first = chat.reply("孩子刚出生要办什么手续")
    reply = chat.reply("转人工", first.session_id)
    assert reply.outcome == "handoff" and reply.handoff


def test_a_reply_that_is_no_option_is_asked_again(services: Services, store: SessionStore) -> None:
    chat = make_chat(services, store)
    first = chat.reply("孩子刚出生要办什么手续")
    reply = chat.reply("嗯嗯", first.session_id)
    assert reply.outcome == "clarify" and reply.reason == "guide_reask"
    assert "已办理结婚登记" in reply.options


def test_policy_questions_do_not_start_a_flow(services: Services, store: SessionStore) -> None:
    chat = make_chat(services, store)
    reply = chat.reply("电子证照能全国通用吗？")
    assert reply.outcome == "answered" and reply.guide is None


def test_a_policy_question_that_names_a_service_is_answered_not_guided(
    services: Services, store: SessionStore
) -> None:
    question = "社保卡能在全国异地申领吗"
    guides = GuideService(YIJIANSHI, services.index.tokenizer)
    assert guides.start(question).kind != "not_a_guide"  # the matcher alone would start a flow
    reply = make_chat(services, store).reply(question)
    assert reply.outcome == "answered" and reply.guide is None and reply.citations
