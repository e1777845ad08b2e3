"""智能导办 inside the chat: the flow starts from a request, survives across requests (state in the
session store, masked), ends in a cited checklist, and hands back to Q&A or a person when asked."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from assistant.chat import ChatService, ExtractiveStreamer
from assistant.chat_prereview import NoItemInSession, UnknownSession
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
        services.settings,
        store,
        ExtractiveStreamer(services.extractive),
        guides,
        services.extractive.strength,
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
    assert (
        last.citations[0]["snippet"] in last.answer
    )  # every figure of the checklist is in the cited passage


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


def test_a_field_question_is_answered_from_the_guide_with_its_field_cited(
    services: Services, store: SessionStore
) -> None:
    chat = make_chat(services, store)
    reply = chat.reply("信用修复需要满足什么条件")
    assert reply.outcome == "answered" and reply.reason == "guide_facts"
    assert reply.guide is not None and reply.guide["id"] == "yjs-credit-repair"
    assert reply.citations[0]["doc_id"] == "yjs-credit-repair"
    assert reply.citations[0]["section"] == "办理条件"
    assert reply.citations[0]["snippet"].rsplit("（信息来源：", 1)[0] in reply.answer
    assert reply.options == ["信用修复需要什么材料"]
    # A follow-up leans on the item just answered; the offered option starts the guided flow.
    fee = chat.reply("那要多少钱", reply.session_id)
    assert fee.reason == "guide_facts" and fee.citations[0]["section"] == "收费标准"
    assert "不收费" in fee.answer
    flow = chat.reply(reply.options[0], reply.session_id)
    assert flow.guide is not None and flow.guide["id"] == "yjs-credit-repair"
    assert flow.outcome == "clarify"


def test_after_a_checklist_a_field_question_is_about_that_item(
    services: Services, store: SessionStore
) -> None:
    chat = make_chat(services, store)
    first = chat.reply("我想开个小饭馆")
    reply = first
    for _ in range(6):
        if reply.outcome != "clarify":
            break
        reply = chat.reply("1", first.session_id)
    assert reply.reason == "guide_checklist"
    where = chat.reply("要走哪些步骤？", first.session_id)
    assert where.reason == "guide_facts" and where.guide and where.guide["id"] == "yjs-restaurant"
    assert where.citations[0]["section"] == "办理流程"


def test_a_field_the_guide_does_not_state_is_refused_not_invented(
    services: Services, store: SessionStore
) -> None:
    chat = make_chat(services, store)
    reply = chat.reply("退休一件事要多久办完")
    assert reply.outcome == "refused" and reply.reason == "guide_fact_missing"
    assert reply.citations == []
    assert "未列出" in reply.answer and "12345" in reply.answer


def test_after_a_checklist_the_chat_invites_an_upload_for_that_item(
    services: Services, store: SessionStore
) -> None:
    chat = make_chat(services, store)
    first = chat.reply("我想开个小饭馆")
    reply = first
    for _ in range(6):
        if reply.outcome != "clarify":
            break
        reply = chat.reply("1", first.session_id)
    assert reply.reason == "guide_checklist" and "上传材料预审" in reply.options
    invited = chat.reply("上传材料预审", first.session_id)
    assert invited.outcome == "clarify" and invited.reason == "prereview_invite"
    assert invited.guide and invited.guide["id"] == "yjs-restaurant" and invited.guide["stage"] == "prereview"
    assert "开办餐饮店" in invited.answer and "自动删除" in invited.answer
    context = chat.prereview_context(first.session_id)
    assert context.guide_id == "yjs-restaurant" and reply.checklist is not None
    for line in reply.checklist["answers"]:
        assert context.answers[line["situation_id"]] == line["option_id"]
    unknown = ChatService(services.settings, store, ExtractiveStreamer(services.extractive))
    with pytest.raises(UnknownSession):
        unknown.prereview_context("s_nope")
    other = chat.reply("你好")
    with pytest.raises(NoItemInSession):
        chat.prereview_context(other.session_id)


def test_an_upload_request_without_an_item_asks_for_the_item(services: Services, store: SessionStore) -> None:
    chat = make_chat(services, store)
    reply = chat.reply("上传材料预审")
    assert reply.outcome == "clarify" and reply.reason == "prereview_no_item"
    question = chat.reply("什么是智能预审？", reply.session_id)
    assert question.reason != "prereview_no_item"  # a question about 预审 is answered as a question
