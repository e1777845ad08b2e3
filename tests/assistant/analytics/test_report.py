"""AnalyticsService aggregations on a seeded database (SQLite and PostgreSQL); see conftest for the story."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from assistant.analytics.period import InvalidPeriodError, Period
from assistant.analytics.report import AnalyticsService
from assistant.tokenization import ChineseTokenizer
from tests.assistant.analytics.conftest import PHONE, Seeded


def test_summary_counts_the_whole_story(analytics: AnalyticsService, seeded: Seeded) -> None:
    s = analytics.summary(Period())
    assert (s.sessions, s.questions, s.answers) == (5, 9, 9)
    assert (s.answered, s.clarify, s.refused, s.handoff) == (3, 0, 3, 3)
    assert s.answer_rate == pytest.approx(3 / 9, abs=1e-4)
    assert (s.answers_good, s.answers_bad) == (1, 2)
    assert s.answer_satisfaction == pytest.approx(1 / 3, abs=1e-4)
    assert s.unanswered_questions == 5  # 还在吗 (waiting for the agent) is not a failure
    assert (s.tickets_opened, s.tickets_closed, s.tickets_overdue_open) == (3, 2, 1)
    assert (s.tickets_good, s.tickets_bad, s.ticket_satisfaction) == (1, 0, 1.0)


def test_days_are_counted_in_china_time(analytics: AnalyticsService, seeded: Seeded) -> None:
    # D's question was asked at 17:30 UTC on 03-02, which is 01:30 on 03-03 in Beijing.
    march_3 = analytics.summary(analytics.period("2026-03-03", "2026-03-03"))
    assert (march_3.questions, march_3.answered, march_3.refused, march_3.handoff) == (4, 1, 1, 2)
    assert (march_3.answers_good, march_3.answers_bad) == (0, 1)
    assert (march_3.tickets_opened, march_3.tickets_good) == (2, 0)
    march_2 = analytics.summary(analytics.period("2026-03-02", "2026-03-02"))
    assert (march_2.questions, march_2.answered, march_2.answers_bad, march_2.tickets_opened) == (4, 2, 1, 1)
    assert march_2.tickets_good == 1  # a ticket's rating counts for the day the ticket was opened


def test_open_ended_periods(analytics: AnalyticsService, seeded: Seeded) -> None:
    assert analytics.summary(analytics.period("2026-03-04", None)).questions == 1
    assert analytics.summary(analytics.period(None, "2026-03-02")).questions == 4
    assert analytics.summary(analytics.period("2026-04-01", None)).questions == 0


def test_bad_periods_are_refused() -> None:
    with pytest.raises(InvalidPeriodError, match="since"):
        Period.parse("2026-13-01", None)
    with pytest.raises(InvalidPeriodError, match="until"):
        Period.parse(None, "13/01/2026")
    with pytest.raises(InvalidPeriodError, match="after"):
        Period.parse("2026-03-05", "2026-03-01")


def test_unanswered_topics_group_the_social_insurance_questions(
    analytics: AnalyticsService, seeded: Seeded
) -> None:
    topics = analytics.unanswered_topics(Period())
    assert sum(t.count for t in topics) == 5
    top = topics[0]
    assert top.count == 3 and "社会保险" in top.terms
    assert top.reasons == {"no_evidence": 2, "repeated_refusals": 1}
    assert top.examples[0] == "社保断缴了怎么补缴？" and len(top.examples) == 3
    assert all("还在吗" not in e for t in topics for e in t.examples)
    assert len(analytics.unanswered_topics(Period(), limit=1)) == 1
    late = analytics.unanswered_topics(analytics.period("2026-03-05", "2026-03-05"))
    assert [(t.count, t.examples) for t in late] == [(1, ("社保补缴去哪里办",))]


def test_worst_answers_have_question_reason_and_sources(analytics: AnalyticsService, seeded: Seeded) -> None:
    worst = analytics.worst_answers(Period())
    assert [w.message_id for w in worst] == [seeded.bad_answer_without_reason, seeded.bad_answer_with_reason]
    bad = worst[1]
    assert bad.question == "身份证补领多久能拿到"
    assert bad.feedback_reason == "信息过时"
    assert "没人接" in bad.comment and PHONE not in bad.comment
    assert [s.describe() for s in bad.sources] == [
        "居民身份证办理指南 · 办理时限",
        "居民身份证办理指南 · 申请材料",
    ]
    assert worst[0].feedback_reason == "" and worst[0].sources[0].doc_id == "d2"
    assert len(analytics.worst_answers(Period(), limit=1)) == 1


def test_worst_sources_rank_documents_by_bad_ratings(analytics: AnalyticsService, seeded: Seeded) -> None:
    rows = analytics.worst_sources(Period())
    assert [(r.doc_id, r.answers, r.good, r.bad, r.bad_share) for r in rows] == [
        ("d2", 1, 0, 1, 1.0),
        ("d1", 2, 1, 1, 0.5),  # one answer citing two sections of d1 counts once
    ]
    assert rows[1].sections == ("申请材料", "办理时限")


def test_handoff_reasons_from_tickets_and_chat(analytics: AnalyticsService, seeded: Seeded) -> None:
    rows = {
        (r.origin, r.source, r.reason): (r.count, r.share, r.label)
        for r in analytics.handoff_reasons(Period())
    }
    assert rows[("ticket", "chat", "repeated_refusals")] == (1, 0.3333, "连续未能解答")
    assert rows[("ticket", "chat", "complaint")][0] == 1
    assert rows[("ticket", "phone", "")][2] == "未注明"
    assert rows[("chat", "chat", "complaint")] == (1, 0.5, "投诉")
    assert ("chat", "chat", "awaiting_agent") not in rows
    assert len(rows) == 5


def test_sla_compliance_by_category_and_department(analytics: AnalyticsService, seeded: Seeded) -> None:
    report = analytics.sla(Period())
    rows = {(r.dimension, r.group): r for r in report.rows}
    total = rows[("all", "全部")]
    assert (total.tickets, total.accept_on_time, total.accept_late, total.accept_pending) == (3, 1, 2, 0)
    assert total.accept_rate == pytest.approx(1 / 3, abs=1e-4)
    assert (total.resolve_on_time, total.resolve_late, total.overdue_open) == (1, 2, 1)
    assert rows[("category", "求助")].resolve_rate == 1.0
    assert rows[("category", "咨询")].accept_rate == 0.0  # claimed after 3 h, the limit is 2 h
    assert rows[("department", "（未分派）")].overdue_open == 1
    assert {g for d, g in rows if d == "department"} == {"人社局", "公积金中心", "（未分派）"}
    assert [t.id for t in report.overdue] == [seeded.ticket_c]
    assert report.overdue[0].hours_overdue > 24 * 16


def test_sla_pending_before_the_deadline(tokenizer: ChineseTokenizer, seeded: Seeded) -> None:
    an_hour_after_ticket_c = datetime(2026, 3, 3, 4, tzinfo=UTC)  # neither on time nor late yet
    early = AnalyticsService(seeded.engine, tokenizer, clock=lambda: an_hour_after_ticket_c)
    report = early.sla(Period(date(2026, 3, 3)))
    complaint = next(r for r in report.rows if r.group == "投诉")
    assert (complaint.accept_pending, complaint.accept_rate, complaint.overdue_open) == (1, None, 0)


def test_trends_fill_every_day(analytics: AnalyticsService, seeded: Seeded) -> None:
    days = analytics.trends(Period())
    assert [d.day.isoformat() for d in days] == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
    march_2, march_3, march_4, march_5 = days
    assert (march_2.questions, march_2.answered, march_2.refused, march_2.handoffs) == (4, 2, 1, 1)
    assert (march_2.good, march_2.bad, march_2.tickets) == (1, 1, 1)
    assert (march_3.questions, march_3.answered, march_3.refused, march_3.handoffs, march_3.bad) == (
        4,
        1,
        1,
        2,
        1,
    )
    assert march_3.tickets == 2
    assert march_4.questions == 0 and march_5.refused == 1
    bounded = analytics.trends(analytics.period("2026-03-01", "2026-03-02"))
    assert [(d.day.day, d.questions) for d in bounded] == [(1, 0), (2, 4)]


def test_feedback_reasons_on_answers_and_tickets(analytics: AnalyticsService, seeded: Seeded) -> None:
    rows = {(r.target, r.rating, r.reason): r.count for r in analytics.feedback_reasons(Period())}
    assert rows == {
        ("answer", "好", "准确"): 1,
        ("answer", "差", "信息过时"): 1,
        ("answer", "差", "未注明"): 1,
        ("ticket", "好", "办理及时"): 1,
    }


def test_period_bounds_and_description() -> None:
    period = Period.parse("2026-03-02", "2026-03-03")
    assert period.start == datetime(2026, 3, 1, 16, tzinfo=UTC)  # Beijing midnight
    assert period.end == datetime(2026, 3, 3, 16, tzinfo=UTC)
    assert period.contains(datetime(2026, 3, 1, 16, tzinfo=UTC))
    assert not period.contains(datetime(2026, 3, 3, 16, tzinfo=UTC))
    assert period.day_of(datetime(2026, 3, 2, 17, 30)) == date(2026, 3, 3)  # naive means UTC
    assert period.describe() == "2026-03-02 — 2026-03-03"
    assert Period().describe() == "全部日期" and Period.parse("", " ") == Period()
    with pytest.raises(InvalidPeriodError, match="longer"):
        Period.parse("1900-01-01", "2100-01-01")
