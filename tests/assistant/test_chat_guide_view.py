"""The guided flow's options and checklist rebuilt from the stored session (``ChatService.guide_view``,
used by the citizen page after a reload) are the ones the chat gave with its last reply, at every step."""

from __future__ import annotations

import pytest

from assistant.chat import ChatReply, ChatService
from assistant.chat_guide_view import GuideView
from assistant.chat_prereview import UPLOAD_OPTION
from assistant.container import Services
from assistant.guide import dialogue_text as say
from assistant.sessions import SessionStore
from tests.assistant.test_chat_guide import make_chat


@pytest.fixture
def chat(chat_services: Services, chat_store: SessionStore) -> ChatService:
    return make_chat(chat_services, chat_store)


def shown_after(chat: ChatService, reply: ChatReply) -> GuideView:
    """The rebuilt view, checked against what ``reply`` gave the page."""
    view = chat.guide_view(reply.session_id)
    assert view.options == reply.options, reply.answer
    if reply.checklist:
        assert view.checklist == reply.checklist
    return view


def test_every_step_of_a_flow_is_rebuilt_as_the_page_showed_it(chat: ChatService) -> None:
    reply = chat.reply("孩子刚出生要办什么手续")
    session = reply.session_id
    assert shown_after(chat, reply).checklist is None and reply.options
    steps = 0
    while reply.checklist is None:
        reply = chat.reply(reply.options[0], session)
        shown_after(chat, reply)
        steps += 1
        assert steps < 10
    assert steps >= 2 and say.BACK in chat.reply("上一步", session).options  # a step back offers 上一步 again
    reply = chat.reply(chat.guide_view(session).options[0], session)  # answered again: the checklist
    done = shown_after(chat, reply)
    assert done.options == [say.EDIT, say.SWITCH, UPLOAD_OPTION] and done.checklist is not None

    editing = chat.reply(say.EDIT, session)  # which answer to change: the questions as buttons
    assert shown_after(chat, editing).checklist == done.checklist  # the finished list stays shown
    assert editing.options and editing.options[0].endswith("？")
    shown_after(chat, chat.reply(editing.options[0], session))

    invited = chat.reply(UPLOAD_OPTION, session)  # no buttons under the invitation
    assert invited.reason == "prereview_invite" and invited.options == []
    assert chat.guide_view(session) == GuideView([], None)  # the flow was re-opened by the edit


def test_choosing_the_item_and_starting_again_are_rebuilt(chat: ChatService) -> None:
    reply = chat.reply("办理手续需要什么材料")
    assert reply.reason == "guide_clarify_item", reply.answer
    assert shown_after(chat, reply).options[-1] == say.NONE_OF_THEM
    chosen = chat.reply(reply.options[1], reply.session_id)
    assert say.BACK in shown_after(chat, chosen).options  # back to the list of items
    switched = chat.reply(say.SWITCH, reply.session_id)
    shown_after(chat, switched)


def test_a_finished_flow_keeps_its_checklist_under_other_replies(chat: ChatService) -> None:
    reply = chat.reply("孩子刚出生要办什么手续")
    while reply.checklist is None:
        reply = chat.reply(reply.options[0], reply.session_id)
    handed = chat.request_handoff(reply.session_id)
    view = chat.guide_view(handed.session_id)
    assert view.options == [] and view.checklist == reply.checklist


def test_no_flow_no_view(chat: ChatService) -> None:
    answered = chat.reply("什么是跨省通办？")
    assert chat.guide_view(answered.session_id) == GuideView()
    assert chat.guide_view("s_no_such_session") == GuideView()
    left = chat.reply("孩子刚出生要办什么手续")
    chat.reply("退出", left.session_id)
    assert chat.guide_view(left.session_id) == GuideView()
