"""Tests for the agent console: its handlers against real services on a temp SQLite database, the queue's
SLA colours, how a step becomes component updates, and the page mounted at ``/agent``.

The index is the shared one of ``chat_services`` (bundled policies, hash embeddings); the records live on
a fresh database per test. All people and phone numbers are made up.
"""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from fastapi.testclient import TestClient
from gradio.state_holder import SessionState

from assistant.api.app import create_app
from assistant.container import Services
from assistant.handoff.auth import AuthService
from assistant.handoff.lifecycle import Action, Category, Priority, TicketSource, TicketStatus
from assistant.handoff.models import utcnow
from assistant.handoff.records import Page, Ticket
from assistant.handoff.triage import RoutingHint
from tests.handoff_db import database_engine, services_on
from ui import agent_actions as actions
from ui.agent_actions import DRAFT_KEPT_TEXT
from ui.agent_console import build_agent_console, render
from ui.agent_layout import Console, layout
from ui.agent_render import queue_html, reply_text, sla_class, sla_label, transcript_markdown
from ui.agent_state import EXPIRED_TEXT, Pending, QueueQuery, Step

PASSWORD = "correct-horse-battery"
PHONE = "13912345678"  # made up
SOCIAL = "市人力资源和社会保障局"


def fake_routing(text: str) -> RoutingHint | None:
    return RoutingHint(SOCIAL, Category.HELP, 0.9, 0.7) if "社保" in text else None


@pytest.fixture
def services(chat_services: Services, tmp_path: Path) -> Iterator[Services]:
    with database_engine("sqlite", tmp_path) as engine:
        built = services_on(
            chat_services,
            engine,
            fake_routing,
            handoff_accept_sla_hours={"urgent": 0.0, "high": 1.0, "normal": 2.0, "low": 4.0},
            handoff_max_text_chars=2000,  # a suggested answer with its sources must fit
        )
        built.auth.create_user("agent.zhao", PASSWORD, "agent", display_name="赵晓明")
        built.auth.create_user("agent.qian", PASSWORD, "agent", display_name="钱丽华")
        built.auth.create_user(
            "lead.sun", PASSWORD, "supervisor", display_name="孙建国", department="12345热线"
        )
        yield built


def token_of(services: Services, username: str) -> str:
    step = actions.login(services, username, PASSWORD)
    assert step.view == "console" and step.token, step
    return step.token


def citizen_handoff(services: Services, question: str = "什么是跨省通办？") -> tuple[str, str]:
    """A citizen asks, then presses 转人工; returns (session id, ticket id)."""
    first = services.chat.reply(question)
    handed = services.chat.request_handoff(first.session_id)
    assert handed.handoff is not None
    return first.session_id, str(handed.handoff["ticket_id"])


def phone_ticket(services: Services, question: str = "来电咨询", **fields: object) -> Ticket:
    return services.tickets.open_ticket(question, source=TicketSource.PHONE, actor="agent.zhao", **fields)  # type: ignore[arg-type]


def ids(step: Step) -> list[str]:
    assert step.queue is not None, step
    return [t.id for t in step.queue.items]


# ------------------------------------------------------------------------------------- log-in


def test_login_success_failure_and_logout(services: Services) -> None:
    wrong = actions.login(services, "agent.zhao", "not-the-password")
    assert wrong.view is None and wrong.token is None and wrong.error
    assert wrong.login_notice is not None and "用户名或密码错误" in wrong.login_notice
    unknown = actions.login(services, "nobody.here", PASSWORD)
    assert unknown.login_notice == wrong.login_notice  # does not reveal which usernames exist

    ok = actions.login(services, "Agent.Zhao", PASSWORD, draft="未发送的草稿")
    assert ok.view == "console" and ok.token and ok.token.startswith("gst_")
    assert ok.user is not None and ok.user.username == "agent.zhao" and ok.queue is not None
    assert ok.draft == "未发送的草稿"  # the kept draft comes back into the reply box

    out = actions.logout(services, ok.token)
    assert out.view == "login" and out.token == ""
    again = actions.refresh_queue(services, ok.token, QueueQuery())
    assert again.view == "login" and again.login_notice == EXPIRED_TEXT


def test_supervisor_may_use_the_console(services: Services) -> None:
    step = actions.login(services, "lead.sun", PASSWORD)
    assert step.view == "console" and step.user is not None and step.user.role.value == "supervisor"


# -------------------------------------------------------------------------------------- queue


def test_queue_filters(services: Services) -> None:
    zhao, qian = token_of(services, "agent.zhao"), token_of(services, "agent.qian")
    _, chat_ticket = citizen_handoff(services)
    complaint = phone_ticket(services, "投诉窗口态度差", category="投诉", department="市政务服务中心")
    social = phone_ticket(services, "社保断缴怎么办", category="求助", department=SOCIAL, priority="urgent")
    assert not actions.claim(services, zhao, complaint.id).error

    every = ids(actions.refresh_queue(services, qian, QueueQuery()))
    assert sorted(every) == sorted([chat_ticket, complaint.id, social.id])
    assert every[0] == social.id  # most urgent first
    assert ids(actions.refresh_queue(services, qian, QueueQuery(statuses=("已受理",)))) == [complaint.id]
    assert ids(actions.refresh_queue(services, qian, QueueQuery(category="投诉"))) == [complaint.id]
    assert ids(actions.refresh_queue(services, qian, QueueQuery(department=f" {SOCIAL} "))) == [social.id]
    assert ids(actions.refresh_queue(services, zhao, QueueQuery(scope="我的"))) == [complaint.id]
    assert ids(actions.refresh_queue(services, qian, QueueQuery(scope="我的"))) == []
    unassigned = ids(actions.refresh_queue(services, qian, QueueQuery(scope="未分配")))
    assert sorted(unassigned) == sorted([chat_ticket, social.id])
    assert ids(actions.refresh_queue(services, qian, QueueQuery(sla_breached=True))) == [social.id]

    bad = actions.refresh_queue(services, qian, QueueQuery(statuses=("闲聊",)))
    assert bad.error and bad.notice is not None and "输入有误" in bad.notice


def test_sla_colour_classes(services: Services) -> None:
    overdue = phone_ticket(services, "特急来电", priority=Priority.URGENT)  # 0 h to accept
    soon = phone_ticket(services, "紧急来电", priority=Priority.HIGH)  # 1 h
    later = phone_ticket(services, "一般来电", priority=Priority.NORMAL)  # 2 h
    now = utcnow()
    assert [sla_class(t, now) for t in (overdue, soon, later)] == ["overdue", "due-soon", "on-time"]
    assert sla_label(overdue, now).startswith("已超时")
    assert sla_label(soon, now).startswith("即将到期")
    assert sla_class(later, later.due_at + timedelta(minutes=1)) == "overdue"

    table = queue_html(Page([overdue, soon, later], 3, 1, 50), now, selected=soon.id)
    assert table.count('class="sla-overdue"') == 1 and table.count('class="sla-due-soon"') == 1
    assert 'class="sla-on-time"' in table and "<caption>" in table and 'scope="col"' in table
    assert "#fde2e1" in table and "#fef3c7" in table  # red and amber
    assert table.count('aria-current="true"') == 1
    assert "没有符合条件的工单" in queue_html(Page([], 0, 1, 50), now)


# ----------------------------------------------------------------------------- ticket, claim


def test_open_ticket_shows_masked_transcript_actions_and_cited_suggestion(services: Services) -> None:
    zhao = token_of(services, "agent.zhao")
    session_id, ticket_id = citizen_handoff(services)
    services.chat.reply(f"我的电话是{PHONE}，请尽快回电", session_id)  # added to the ticket while waiting
    step = actions.open_ticket(services, zhao, ticket_id)
    assert step.ticket is not None and not step.error
    assert [e["role"] for e in step.ticket.transcript] == ["user", "assistant"]
    assert [m.kind.value for m in step.ticket.messages] == ["citizen"]
    shown = transcript_markdown(step.ticket)
    assert "跨省通办" in shown and "139\\*\\*\\*\\*5678" in shown and PHONE not in shown  # masked
    assert step.ticket.actions == [Action.CLAIM, Action.TRANSFER] and step.ticket.can_reply
    assert (
        step.suggestions and step.suggestions[0]["citations"] and step.suggestions[0]["outcome"] == "answered"
    )
    assert step.pending == Pending() and step.notice == f"已打开工单 {ticket_id}。"
    with_draft = actions.open_ticket(services, zhao, ticket_id, draft="写给上一位市民的回复")
    assert with_draft.draft is None and with_draft.notice == DRAFT_KEPT_TEXT
    missing = actions.open_ticket(services, zhao, "tk_nope")
    assert missing.error and missing.notice is not None and "找不到" in missing.notice


def test_the_picker_opens_a_picked_ticket_and_an_empty_pick_changes_nothing(services: Services) -> None:
    zhao = token_of(services, "agent.zhao")
    _, ticket_id = citizen_handoff(services)
    assert actions.open_picked(services, zhao, "") == Step()  # Tab passing through: no warning
    picked = actions.open_picked(services, zhao, ticket_id)
    assert picked.ticket is not None and picked.ticket.ticket.id == ticket_id and not picked.error
    button = actions.open_ticket(services, zhao, "")  # the 打开工单 button with nothing picked still warns
    assert button.error and button.notice == "请先在队列中选择一个工单。"


def test_claim_race_one_wins_the_other_is_told_who(services: Services) -> None:
    tokens = {name: token_of(services, name) for name in ("agent.zhao", "agent.qian")}
    ticket = phone_ticket(services, "来电咨询居住证办理")
    barrier = threading.Barrier(2)
    steps: dict[str, Step] = {}

    def claim(name: str) -> None:
        barrier.wait()
        steps[name] = actions.claim(services, tokens[name], ticket.id)

    threads = [threading.Thread(target=claim, args=(name,)) for name in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [name for name, step in steps.items() if not step.error]
    assert len(winners) == 1
    (loser,) = set(tokens) - set(winners)
    notice = steps[loser].notice or ""
    assert "已被" in notice and winners[0] in notice and "Traceback" not in notice
    assert services.tickets.get(ticket.id).assignee == winners[0]


def test_lifecycle_buttons_transfer_and_notes(services: Services) -> None:
    zhao = token_of(services, "agent.zhao")
    session_id, ticket_id = citizen_handoff(services)
    query = QueueQuery()
    step = actions.transfer(services, zhao, ticket_id, "", "")
    assert step.error and step.notice == "请填写要转办的部门。"
    step = actions.transfer(services, zhao, ticket_id, "市医疗保障局", "医保问题", query)
    assert step.ticket is not None and step.ticket.ticket.status is TicketStatus.TRANSFERRED
    assert step.queue is not None and step.clear_inputs
    step = actions.add_note(services, zhao, ticket_id, f"市民留了电话{PHONE}", query)
    assert step.ticket is not None and step.ticket.messages[-1].kind.value == "note"
    assert PHONE not in step.ticket.messages[-1].body

    step = actions.lifecycle(services, zhao, ticket_id, Action.START)
    assert step.ticket is not None and step.ticket.actions == [Action.TRANSFER, Action.RESPOND]
    assert actions.lifecycle(services, zhao, ticket_id, Action.RESPOND, "已电话告知").ticket is not None
    empty = actions.lifecycle(services, zhao, ticket_id, Action.CLOSE, "  ")
    assert empty.error and empty.notice == "请填写办理结果后再办结。"
    closed = actions.lifecycle(services, zhao, ticket_id, Action.CLOSE, "已告知跨省通办办理渠道")
    assert closed.ticket is not None and closed.ticket.ticket.status is TicketStatus.CLOSED
    assert not closed.ticket.can_reply and closed.ticket.actions == [Action.REVISIT, Action.REOPEN]
    assert services.store.messages(session_id)[-1].role == "agent"  # the citizen is told it is closed

    refused = actions.send_reply(services, zhao, ticket_id, "还有一件事")
    assert refused.error and refused.notice is not None and "已办结" in refused.notice
    no_verdict = actions.lifecycle(services, zhao, ticket_id, Action.REVISIT)
    assert no_verdict.error
    revisited = actions.lifecycle(services, zhao, ticket_id, Action.REVISIT, "", "满意")
    assert revisited.ticket is not None and revisited.ticket.ticket.satisfaction == "满意"
    illegal = actions.lifecycle(services, zhao, ticket_id, Action.START)
    assert illegal.error and illegal.notice is not None and "已办结" in illegal.notice
    reopened = actions.lifecycle(services, zhao, ticket_id, Action.REOPEN, "市民仍有疑问")
    assert reopened.ticket is not None and reopened.ticket.ticket.status is TicketStatus.IN_PROGRESS


# --------------------------------------------------------------------------- replies, assist


def test_reply_reaches_the_citizen_session(services: Services) -> None:
    zhao = token_of(services, "agent.zhao")
    session_id, ticket_id = citizen_handoff(services)
    actions.claim(services, zhao, ticket_id)
    step = actions.send_reply(services, zhao, ticket_id, "您好，跨省通办可在全国一体化政务服务平台办理。")
    assert not step.error and step.draft == "" and step.pending == Pending()
    last = services.store.messages(session_id)[-1]
    assert last.role == "agent" and "跨省通办" in last.content
    empty = actions.send_reply(services, zhao, ticket_id, "   ")
    assert empty.error and empty.notice == "回复内容不能为空。"


def test_suggestion_accept_edit_and_discard_are_recorded(services: Services) -> None:
    zhao = token_of(services, "agent.zhao")
    _, ticket_id = citizen_handoff(services)
    opened = actions.open_ticket(services, zhao, ticket_id)
    suggestions = opened.suggestions or []
    assert suggestions

    accepted = actions.accept_suggestion(services, zhao, ticket_id, suggestions)
    assert accepted.pending is not None and accepted.draft == reply_text(suggestions[-1])
    assert accepted.draft is not None and "参考依据" in accepted.draft
    actions.send_reply(services, zhao, ticket_id, accepted.draft, accepted.pending)

    again = actions.accept_suggestion(services, zhao, ticket_id, suggestions, 0)
    assert again.draft is not None and again.pending is not None
    actions.send_reply(services, zhao, ticket_id, again.draft + "\n如有疑问请再联系我们。", again.pending)

    discarded = actions.discard_suggestion(services, zhao, ticket_id, suggestions, 0, again.pending)
    assert discarded.pending == Pending()
    verdicts = services.assist.store.feedback(ticket_id)
    assert [f.action.value for f in verdicts] == ["used", "edited", "discarded"]
    assert verdicts[1].final_text.endswith("如有疑问请再联系我们。")
    assert actions.accept_suggestion(services, zhao, ticket_id, []).error


def test_expired_login_returns_to_login_and_keeps_the_draft(services: Services) -> None:
    _, ticket_id = citizen_handoff(services)
    past = utcnow() - timedelta(hours=services.settings.staff_token_ttl_hours + 1)
    stale = AuthService(services.auth.engine, services.settings, clock=lambda: past).login(
        "agent.zhao", PASSWORD
    )
    draft = "您好，您的问题我们正在核实"
    step = actions.send_reply(services, stale.token, ticket_id, draft)
    assert step.view == "login" and step.login_notice == EXPIRED_TEXT and step.token == ""
    assert step.draft is None  # the reply box is left as it is
    assert services.tickets.messages(ticket_id) == []  # nothing was sent
    back = actions.login(services, "agent.zhao", PASSWORD, draft=draft)
    assert back.view == "console" and back.draft == draft


def test_phone_call_gets_a_cited_suggestion_and_a_ticket(services: Services) -> None:
    zhao = token_of(services, "agent.zhao")
    assert actions.phone_assist(services, zhao, "  ").error
    step = actions.phone_assist(services, zhao, "什么是跨省通办")
    assert step.phone is not None and step.phone.suggestion["outcome"] == "answered"
    assert step.phone.suggestion["citations"]

    created = actions.create_phone_ticket(services, zhao, "社保断缴怎么办", None, QueueQuery())
    assert created.ticket is not None and created.ticket.ticket.source is TicketSource.PHONE
    assert created.ticket.ticket.department == SOCIAL and created.suggestions is not None
    phone = actions.phone_assist(services, zhao, "什么是跨省通办").phone
    first = actions.create_phone_ticket(services, zhao, "什么是跨省通办", phone)
    twice = actions.create_phone_ticket(services, zhao, "什么是跨省通办", phone)  # a double click
    assert first.ticket is not None and twice.ticket is not None
    assert first.ticket.ticket.id == twice.ticket.ticket.id


# --------------------------------------------------------------------------------- the page


def console() -> Console:
    with gr.Blocks():
        ui, _ = layout()
    return ui


def test_render_expired_step_shows_login_and_leaves_the_reply_box() -> None:
    ui = console()
    out = render(Step(view="login", login_notice=EXPIRED_TEXT, token=""), ui)
    assert out[ui.login_view]["visible"] is True and out[ui.console_view]["visible"] is False
    assert ui.reply not in out and ui.draft not in out and out[ui.token] == ""
    restored = render(Step(view="console", draft="草稿"), ui)
    assert restored[ui.reply]["value"] == "草稿" and restored[ui.draft] == "草稿"


def test_render_of_a_step_that_changes_nothing_is_one_no_op_update() -> None:
    ui = console()
    assert render(Step(), ui) == {ui.status: gr.update()}


def test_render_ticket_shows_only_allowed_lifecycle_buttons(services: Services) -> None:
    zhao = token_of(services, "agent.zhao")
    _, ticket_id = citizen_handoff(services)
    step = actions.open_ticket(services, zhao, ticket_id)
    ui = console()
    out = render(step, ui)
    shown = {a for a, b in ui.buttons.items() if out[b]["visible"]}
    assert shown == {Action.CLAIM}
    assert out[ui.ticket_id] == ticket_id and "跨省通办" in out[ui.transcript]
    assert "参考来源" in out[ui.suggestion]


def test_console_builds_and_is_served_at_agent(services: Services) -> None:
    assert isinstance(build_agent_console(services), gr.Blocks)
    with TestClient(create_app(services=services, mount_ui=True)) as client:
        page = client.get("/agent/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        config = client.get("/agent/config")
        assert config.status_code == 200 and "reply-box" in config.text and "agent-login" in config.text
        assert client.get("/").status_code == 200  # the citizen page is still at the root
        assert (
            client.post("/api/agent/login", json={"username": "agent.zhao", "password": PASSWORD}).status_code
            == 200
        )


class Page_:
    """Drives the built page through Gradio's own event processing (pre- and post-processing, session
    state), the way the browser's events reach it; inputs are given by the components' ``elem_id``."""

    def __init__(self, blocks: gr.Blocks) -> None:
        self.blocks = blocks
        self.state = SessionState(blocks)

    def component(self, elem_id: str) -> Any:
        return next(b for b in self.blocks.blocks.values() if getattr(b, "elem_id", None) == elem_id)

    def fire(self, elem_id: str, event: str = "click", **values: Any) -> dict[str, Any]:
        """Trigger ``event`` on ``elem_id``; returns the updates by output ``elem_id`` (or block id)."""
        target = self.component(elem_id)
        fn = next(f for f in self.blocks.fns.values() if (target._id, event) in [tuple(t) for t in f.targets])
        inputs = [values.get(getattr(b, "elem_id", None) or "", getattr(b, "value", None)) for b in fn.inputs]
        result = asyncio.run(self.blocks.process_api(fn, inputs, state=self.state, session_hash="agent-test"))
        keys: list[Any] = [getattr(block, "elem_id", None) or block._id for block in fn.outputs]
        return dict(zip(keys, result["data"], strict=True))


def test_the_page_logs_in_opens_replies_and_returns_to_login_keeping_the_draft(services: Services) -> None:
    session_id, ticket_id = citizen_handoff(services)
    page = Page_(build_agent_console(services))
    wrong = page.fire("agent-login-button", **{"agent-username": "agent.zhao", "agent-password": "nope"})
    assert "用户名或密码错误" in wrong["agent-login-message"]
    shown = page.fire("agent-login-button", **{"agent-username": "agent.zhao", "agent-password": PASSWORD})
    assert shown["agent-console"]["visible"] is True and shown["agent-login"]["visible"] is False
    assert ticket_id in shown["agent-queue"] and "赵晓明" in shown["agent-user"]

    opened = page.fire("open-ticket", **{"ticket-picker": ticket_id})
    assert "待受理" in opened["ticket-header"] and opened["action-claim"]["visible"] is True
    assert "参考来源" in opened["ticket-suggestion"]
    accepted = page.fire("accept-suggestion")
    draft = accepted["reply-box"]["value"]
    assert "参考依据" in draft
    sent = page.fire("send-reply", **{"reply-box": draft})
    assert sent["reply-box"]["value"] == "" and "回复已发送" in sent["agent-status"]
    assert services.store.messages(session_id)[-1].role == "agent"
    assert [f.action.value for f in services.assist.store.feedback(ticket_id)] == ["used"]

    page.fire("agent-logout")
    expired = page.fire("send-reply", **{"reply-box": "还没发出的回复"})
    assert expired["agent-login"]["visible"] is True and expired["agent-console"]["visible"] is False
    assert expired["reply-box"] == {"__type__": "update"}  # the typed reply stays where it was
    assert "草稿已保留" in expired["agent-login-message"]
