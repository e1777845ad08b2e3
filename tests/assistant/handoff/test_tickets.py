"""The ticket store on SQLite and PostgreSQL: opening, lifecycle, replies, audit trail, queue and SLA."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from assistant.handoff.errors import (
    IllegalTransitionError,
    InvalidValueError,
    TextTooLongError,
    TicketAlreadyClaimedError,
    TicketClosedError,
    TicketConflictError,
    TicketNotFoundError,
)
from assistant.handoff.lifecycle import (
    Action,
    Category,
    MessageKind,
    Priority,
    Satisfaction,
    TicketSource,
    TicketStatus,
)
from assistant.handoff.records import QueueFilter
from assistant.handoff.tickets import TicketService
from assistant.settings import Settings
from tests.assistant.handoff.conftest import FakeClock

PHONE = "13800138000"
ID_NUMBER = "110101199003074514"
QUESTION = f"我是张晓明，电话{PHONE}，身份证{ID_NUMBER}，想问新生儿怎么上户口？"
TRANSCRIPT = [
    {"role": "user", "content": f"我的电话是{PHONE}", "outcome": ""},
    {"role": "assistant", "content": "抱歉，暂未找到相关依据。", "outcome": "refused"},
]


def _walk_to_closed(tickets: TicketService, ticket_id: str) -> None:
    tickets.claim(ticket_id, "agent_li")
    tickets.start(ticket_id, "agent_li")
    tickets.respond(ticket_id, "agent_li")
    tickets.close(ticket_id, "agent_li", "已电话答复")


class TestOpenTicket:
    def test_text_is_masked_and_deadlines_come_from_settings(
        self, tickets: TicketService, clock: FakeClock
    ) -> None:
        ticket = tickets.open_ticket(
            QUESTION, session_id="s_1", transcript=TRANSCRIPT, reason="repeated_refusals"
        )
        assert ticket.status is TicketStatus.PENDING and ticket.assignee is None
        assert ticket.source is TicketSource.CHAT and ticket.category is Category.CONSULTATION
        assert PHONE not in ticket.question and ID_NUMBER not in ticket.question
        assert PHONE not in ticket.summary and ticket.summary
        stored = tickets.transcript(ticket.id)
        assert [m["role"] for m in stored] == ["user", "assistant"]
        assert PHONE not in stored[0]["content"] and stored[1]["outcome"] == "refused"
        assert ticket.accept_due_at == clock.now + timedelta(hours=2)  # normal priority
        assert ticket.resolve_due_at == clock.now + timedelta(hours=24)  # 咨询
        assert ticket.due_at == ticket.accept_due_at
        [event] = tickets.events(ticket.id)
        assert (event.action, event.from_status, event.to_status, event.actor) == (
            Action.CREATE,
            None,
            TicketStatus.PENDING,
            "system",
        )

    def test_agent_records_a_phone_call(self, tickets: TicketService, clock: FakeClock) -> None:
        ticket = tickets.open_ticket(
            "小区路灯坏了一个月没人修",
            source="phone",
            category="投诉",
            priority="urgent",
            department="区城管委",
            actor="agent_wang",
        )
        assert ticket.session_id is None and ticket.source is TicketSource.PHONE
        assert ticket.priority is Priority.URGENT and ticket.category is Category.COMPLAINT
        assert ticket.suggested_department == ticket.department == "区城管委"
        assert ticket.created_by == "agent_wang"
        assert ticket.accept_due_at == clock.now + timedelta(minutes=30)
        assert ticket.resolve_due_at == clock.now + timedelta(hours=168)

    def test_a_retried_create_returns_the_original(self, tickets: TicketService) -> None:
        first = tickets.open_ticket("社保怎么转移", source="button", idempotency_key="req-1")
        again = tickets.open_ticket("社保怎么转移？", source="button", idempotency_key="req-1")
        assert again == first
        assert tickets.list_queue().total == 1

    def test_one_open_ticket_per_chat_session(self, tickets: TicketService, clock: FakeClock) -> None:
        first = tickets.open_ticket("公积金提取", session_id="s_2")
        assert tickets.open_ticket("还是不会", session_id="s_2", source="button").id == first.id
        assert tickets.active_ticket_for_session("s_2") == tickets.get(first.id)
        _walk_to_closed(tickets, first.id)
        assert tickets.active_ticket_for_session("s_2") is None
        clock.advance(minutes=1)
        second = tickets.open_ticket("又有新问题", session_id="s_2")
        assert second.id != first.id
        assert [t.id for t in tickets.tickets_for_session("s_2")] == [first.id, second.id]

    def test_transcript_keeps_the_latest_messages(
        self, engine: Engine, make_settings: Callable[..., Settings], clock: FakeClock
    ) -> None:
        service = TicketService(engine, make_settings(handoff_transcript_max_messages=2), clock=clock)
        entries = [{"role": "user", "content": f"第{i}条"} for i in range(5)]
        ticket = service.open_ticket("问题", transcript=entries)
        assert [m["content"] for m in service.transcript(ticket.id)] == ["第3条", "第4条"]

    def test_sla_hours_are_configurable(
        self, engine: Engine, make_settings: Callable[..., Settings], clock: FakeClock
    ) -> None:
        settings = make_settings(
            handoff_accept_sla_hours={"normal": 1}, handoff_resolve_sla_hours={"建议": 48}
        )
        ticket = TicketService(engine, settings, clock=clock).open_ticket("建议增设公交站", category="建议")
        assert ticket.accept_due_at == clock.now + timedelta(hours=1)
        assert ticket.resolve_due_at == clock.now + timedelta(hours=48)

    def test_oversized_question_is_refused_with_the_limit(
        self, engine: Engine, make_settings: Callable[..., Settings]
    ) -> None:
        service = TicketService(engine, make_settings(handoff_max_text_chars=10))
        with pytest.raises(TextTooLongError) as caught:
            service.open_ticket("长" * 11)
        assert (caught.value.limit, caught.value.length, caught.value.http_status) == (10, 11, 413)
        assert service.list_queue().total == 0

    @pytest.mark.parametrize(
        "bad", [{"category": "闲聊"}, {"source": "fax"}, {"priority": "whenever"}, {"department": "部" * 200}]
    )
    def test_values_outside_the_vocabulary_are_refused(
        self, tickets: TicketService, bad: dict[str, str]
    ) -> None:
        with pytest.raises(InvalidValueError):
            tickets.open_ticket("问题", **bad)  # type: ignore[arg-type]


class TestLifecycle:
    def test_the_closed_loop_with_an_audit_trail(self, tickets: TicketService, clock: FakeClock) -> None:
        ticket = tickets.open_ticket("户口迁移需要什么材料", session_id="s_3")
        clock.advance(minutes=5)
        claimed = tickets.claim(ticket.id, "agent_li")
        assert claimed.status is TicketStatus.ACCEPTED and claimed.assignee == "agent_li"
        assert claimed.accepted_at == clock.now and claimed.due_at == claimed.resolve_due_at
        tickets.start(ticket.id, "agent_li")
        tickets.reply(ticket.id, "agent_li", "您好，需要户口簿和身份证。")
        responded = tickets.respond(ticket.id, "agent_li", note="已答复")
        assert responded.status is TicketStatus.RESPONDED and responded.responded_at == clock.now
        tickets.revisit(ticket.id, "supervisor_zhao", Satisfaction.SATISFIED)
        closed = tickets.close(ticket.id, "agent_li", f"已答复，回访电话{PHONE}")
        assert closed.status is TicketStatus.CLOSED and closed.closed_at == clock.now
        assert PHONE not in closed.resolution and closed.satisfaction == "满意"
        trail = [(e.actor, e.action, e.from_status, e.to_status) for e in tickets.events(ticket.id)]
        S = TicketStatus
        assert trail == [
            ("system", Action.CREATE, None, S.PENDING),
            ("agent_li", Action.CLAIM, S.PENDING, S.ACCEPTED),
            ("agent_li", Action.START, S.ACCEPTED, S.IN_PROGRESS),
            ("agent_li", Action.REPLY, S.IN_PROGRESS, S.IN_PROGRESS),
            ("agent_li", Action.RESPOND, S.IN_PROGRESS, S.RESPONDED),
            ("supervisor_zhao", Action.REVISIT, S.RESPONDED, S.RESPONDED),
            ("agent_li", Action.CLOSE, S.RESPONDED, S.CLOSED),
        ]
        assert closed.version == 6  # one bump per lifecycle action; replies do not count

    def test_transfer_hands_the_ticket_to_a_department(self, tickets: TicketService) -> None:
        ticket = tickets.open_ticket("楼上漏水", category="求助", department="街道办")
        tickets.claim(ticket.id, "agent_li")
        moved = tickets.transfer(ticket.id, "agent_li", "区住建委", note="属住建职责")
        assert moved.status is TicketStatus.TRANSFERRED and moved.assignee is None
        assert (moved.department, moved.suggested_department) == ("区住建委", "街道办")
        started = tickets.start(ticket.id, "agent_zhou")
        assert started.status is TicketStatus.IN_PROGRESS and started.assignee == "agent_zhou"
        transfer = tickets.events(ticket.id)[2]
        assert transfer.detail == {"to_department": "区住建委", "note": "属住建职责"}

    def test_a_named_assignee_keeps_the_transferred_ticket(self, tickets: TicketService) -> None:
        ticket = tickets.open_ticket("噪音扰民", category="投诉")
        tickets.transfer(ticket.id, "supervisor_zhao", "区生态环境局", assignee="agent_zhou")
        with pytest.raises(TicketAlreadyClaimedError):
            tickets.start(ticket.id, "agent_li")
        assert tickets.start(ticket.id, "agent_zhou").assignee == "agent_zhou"

    def test_illegal_transition_changes_nothing(self, tickets: TicketService) -> None:
        ticket = tickets.open_ticket("问题")
        with pytest.raises(IllegalTransitionError) as caught:
            tickets.close(ticket.id, "agent_li", "办结")
        assert (caught.value.from_status, caught.value.to_status) == ("待受理", "已办结")
        assert tickets.get(ticket.id) == ticket
        assert len(tickets.events(ticket.id)) == 1

    def test_claim_is_idempotent_for_the_winner_only(self, tickets: TicketService) -> None:
        ticket = tickets.open_ticket("问题")
        first = tickets.claim(ticket.id, "agent_li")
        assert tickets.claim(ticket.id, "agent_li") == first
        with pytest.raises(TicketAlreadyClaimedError) as caught:
            tickets.claim(ticket.id, "agent_zhou")
        assert caught.value.assignee == "agent_li" and caught.value.http_status == 409
        assert [e.action for e in tickets.events(ticket.id)].count(Action.CLAIM) == 1

    def test_a_closed_ticket_refuses_replies_and_work_until_reopened(
        self, tickets: TicketService, clock: FakeClock
    ) -> None:
        ticket = tickets.open_ticket("问题", session_id="s_4")
        _walk_to_closed(tickets, ticket.id)
        with pytest.raises(TicketClosedError) as caught:
            tickets.reply(ticket.id, "agent_li", "补充一句")
        assert caught.value.http_status == 409
        with pytest.raises(TicketClosedError):
            tickets.transfer(ticket.id, "agent_li", "区民政局")
        tickets.add_note(ticket.id, "supervisor_zhao", "回访：群众不满意")
        tickets.revisit(ticket.id, "supervisor_zhao", "不满意")
        clock.advance(hours=30)
        reopened = tickets.reopen(ticket.id, "supervisor_zhao", "群众不满意，重新办理")
        assert reopened.status is TicketStatus.IN_PROGRESS and reopened.closed_at is None
        assert reopened.resolve_due_at == reopened.due_at == clock.now + timedelta(hours=24)
        assert tickets.reply(ticket.id, "agent_li", "已重新核实").visible_to_citizen
        assert tickets.active_ticket_for_session("s_4") == reopened

    def test_reopening_while_the_session_has_another_open_ticket_conflicts(
        self, tickets: TicketService
    ) -> None:
        old = tickets.open_ticket("旧问题", session_id="s_5")
        _walk_to_closed(tickets, old.id)
        tickets.open_ticket("新问题", session_id="s_5")
        with pytest.raises(TicketConflictError):
            tickets.reopen(old.id, "supervisor_zhao", "重新办理")
        assert tickets.get(old.id).status is TicketStatus.CLOSED

    def test_unknown_ticket_is_not_found(self, tickets: TicketService) -> None:
        for call in (
            lambda: tickets.get("tk_missing"),
            lambda: tickets.claim("tk_missing", "agent_li"),
            lambda: tickets.reply("tk_missing", "agent_li", "你好"),
            lambda: tickets.add_note("tk_missing", "agent_li", "备注"),
            lambda: tickets.events("tk_missing"),
        ):
            with pytest.raises(TicketNotFoundError) as caught:
                call()
            assert caught.value.http_status == 404


class TestRepliesAndNotes:
    def test_replies_reach_the_citizen_and_notes_stay_internal(self, tickets: TicketService) -> None:
        ticket = tickets.open_ticket("问题", session_id="s_6")
        tickets.claim(ticket.id, "agent_li")
        reply = tickets.reply(ticket.id, "agent_li", f"已收到，如有疑问请回电{PHONE}")
        note = tickets.add_note(ticket.id, "agent_li", "群众情绪激动")
        assert reply.kind is MessageKind.REPLY and reply.visible_to_citizen and PHONE not in reply.body
        assert note.kind is MessageKind.NOTE and not note.visible_to_citizen
        assert tickets.messages(ticket.id) == [reply, note]
        assert tickets.messages(ticket.id, include_notes=False) == [reply]
        [reply_event] = [e for e in tickets.events(ticket.id) if e.action is Action.REPLY]
        assert reply_event.detail == {"message_id": reply.id}

    def test_a_retried_reply_returns_the_original(self, tickets: TicketService) -> None:
        ticket = tickets.open_ticket("问题")
        other = tickets.open_ticket("另一个问题")
        first = tickets.reply(ticket.id, "agent_li", "您好", idempotency_key="r-1")
        assert tickets.reply(ticket.id, "agent_li", "您好！", idempotency_key="r-1") == first
        assert tickets.reply(other.id, "agent_li", "您好", idempotency_key="r-1").ticket_id == other.id
        assert len(tickets.messages(ticket.id)) == 1

    def test_a_retry_after_closing_still_returns_the_original(self, tickets: TicketService) -> None:
        ticket = tickets.open_ticket("问题")
        first = tickets.reply(ticket.id, "agent_li", "您好", idempotency_key="r-2")
        _walk_to_closed(tickets, ticket.id)
        assert tickets.reply(ticket.id, "agent_li", "您好", idempotency_key="r-2") == first

    def test_empty_and_oversized_messages_are_refused(
        self, engine: Engine, make_settings: Callable[..., Settings]
    ) -> None:
        service = TicketService(engine, make_settings(handoff_max_text_chars=20))
        ticket = service.open_ticket("问题")
        with pytest.raises(InvalidValueError):
            service.reply(ticket.id, "agent_li", "   ")
        with pytest.raises(TextTooLongError) as caught:
            service.add_note(ticket.id, "agent_li", "字" * 21)
        assert caught.value.field == "body" and caught.value.limit == 20
        assert service.messages(ticket.id) == []


class TestQueue:
    def test_ordered_by_priority_then_due_time(self, tickets: TicketService, clock: FakeClock) -> None:
        low = tickets.open_ticket("低", priority="low")
        normal_late = tickets.open_ticket("普通，后到", priority="normal")
        clock.advance(minutes=-30)
        normal_early = tickets.open_ticket("普通，先到", priority="normal")
        urgent = tickets.open_ticket("紧急", priority="urgent")
        ids = [t.id for t in tickets.list_queue().items]
        assert ids == [urgent.id, normal_early.id, normal_late.id, low.id]

    def test_filters(self, tickets: TicketService) -> None:
        a = tickets.open_ticket("咨询社保", category="咨询", department="区人社局", session_id="s_7")
        b = tickets.open_ticket("投诉噪音", category="投诉", department="区生态环境局", priority="high")
        c = tickets.open_ticket("求助", source="phone", category="求助", department="区人社局")
        tickets.claim(b.id, "agent_li")

        def ids(**filters: object) -> set[str]:
            return {t.id for t in tickets.list_queue(QueueFilter(**filters)).items}  # type: ignore[arg-type]

        assert ids(statuses=["待受理"]) == {a.id, c.id}
        assert ids(statuses=[TicketStatus.ACCEPTED, TicketStatus.CLOSED]) == {b.id}
        assert ids(category="投诉") == {b.id}
        assert ids(department="区人社局") == {a.id, c.id}
        assert ids(assignee="agent_li") == {b.id}
        assert ids(unassigned=True) == {a.id, c.id}
        assert ids(priority="high") == {b.id}
        assert ids(source=TicketSource.PHONE) == {c.id}
        assert ids(session_id="s_7") == {a.id}
        assert ids(department="区人社局", category="求助") == {c.id}
        with pytest.raises(InvalidValueError):
            ids(statuses=["已归档"])

    def test_pagination(self, tickets: TicketService, clock: FakeClock) -> None:
        created = []
        for i in range(5):
            created.append(tickets.open_ticket(f"问题{i}").id)
            clock.advance(minutes=1)
        pages = [tickets.list_queue(page=n, page_size=2) for n in (1, 2, 3)]
        assert [p.total for p in pages] == [5, 5, 5] and pages[0].pages == 3
        assert [t.id for p in pages for t in p.items] == created
        assert tickets.list_queue(page=4, page_size=2).items == []
        with pytest.raises(InvalidValueError):
            tickets.list_queue(page=0)
        with pytest.raises(InvalidValueError):
            tickets.list_queue(page_size=1000)

    def test_sla_breaches(self, tickets: TicketService, clock: FakeClock) -> None:
        waiting = tickets.open_ticket("没人受理", priority="normal")  # 受理 within 2 h
        claimed = tickets.open_ticket("已受理", priority="normal")  # 办结 within 24 h
        late = tickets.open_ticket("办结晚了", priority="normal")
        tickets.claim(claimed.id, "agent_li")
        clock.advance(hours=3)
        assert {t.id for t in tickets.sla_breaches().items} == {waiting.id, late.id}
        clock.advance(hours=22)
        _walk_to_closed(tickets, late.id)  # closed after its 24 h deadline
        breaches = tickets.sla_breaches().items
        assert [t.id for t in breaches] == [waiting.id, claimed.id]
        assert all(t.sla_breached(clock.now) for t in breaches)
        everything = {t.id for t in tickets.list_queue(QueueFilter(sla_breached=True)).items}
        assert everything == {waiting.id, claimed.id, late.id}
        assert tickets.get(late.id).sla_breached(clock.now)
        assert tickets.list_queue(QueueFilter(sla_breached=False)).total == 0
