"""The analytics service (发现—解决—分析): where citizens get stuck (堵点), how answers and tickets are rated.

Reads the chat records, the tickets and the ratings on one engine; writes nothing but its own
``answer_feedback`` table (see :mod:`assistant.analytics.feedback`). Every method takes a
:class:`~assistant.analytics.period.Period`; an empty database gives zero counts and None rates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, tzinfo

from sqlalchemy import ColumnElement, Connection, Engine, inspect

from assistant.analytics import chat_stats, ticket_stats
from assistant.analytics.feedback import BAD, GOOD, AnswerFeedbackRow, create_schema
from assistant.analytics.period import CHINA_TZ, Period
from assistant.analytics.records import (
    DayTrend,
    FeedbackReason,
    HandoffReason,
    OverdueTicket,
    SlaReport,
    Source,
    SourceRating,
    Summary,
    WorstAnswer,
    reason_label,
)
from assistant.analytics.ticket_stats import rate
from assistant.analytics.topics import Question, Topic, group_topics
from assistant.handoff.models import utcnow
from assistant.sessions.models import MessageRow
from assistant.tokenization import ChineseTokenizer

ANSWER_PREVIEW_CHARS = 300


class AnalyticsService:
    """Aggregations over one database; build it once (with the index's tokenizer) and share it."""

    def __init__(
        self,
        engine: Engine,
        tokenizer: ChineseTokenizer,
        *,
        clock: Callable[[], datetime] = utcnow,
        tz: tzinfo = CHINA_TZ,
    ) -> None:
        self.engine = engine
        self.tokenizer = tokenizer
        self.tz = tz
        self._clock = clock

    def create_schema(self) -> None:
        """Create the ``answer_feedback`` table if missing."""
        create_schema(self.engine)

    def period(self, since: str | None = None, until: str | None = None) -> Period:
        """A period from ISO dates in the service's time zone (raises ``InvalidPeriodError``)."""
        return Period.parse(since, until, self.tz)

    def _tables(self, connection: Connection) -> tuple[bool, bool]:
        """Whether ``chat_messages`` and ``answer_feedback`` exist."""
        inspector = inspect(connection)
        return (
            inspector.has_table(MessageRow.__tablename__),
            inspector.has_table(AnswerFeedbackRow.__tablename__),
        )

    def _answers(
        self,
        connection: Connection,
        period: Period,
        *,
        with_citations: bool = False,
        where: ColumnElement[bool] | None = None,
    ) -> list[chat_stats.Answer]:
        has_messages, has_feedback = self._tables(connection)
        if not has_messages:
            return []
        return chat_stats.answers(
            connection, period, has_feedback, with_citations=with_citations, where=where
        )

    def _questions(self, connection: Connection, period: Period) -> list[tuple[str, datetime]]:
        return chat_stats.question_times(connection, period) if self._tables(connection)[0] else []

    def _unanswered(self, connection: Connection, period: Period) -> list[tuple[str, str]]:
        return chat_stats.unanswered_questions(connection, period) if self._tables(connection)[0] else []

    # ------------------------------------------------------------------------------------ summary

    def summary(self, period: Period) -> Summary:
        """Headline counts of the period."""
        now = self._clock()
        with self.engine.connect() as connection:
            answers = self._answers(connection, period)
            questions = self._questions(connection, period)
            unanswered = self._unanswered(connection, period)
            tickets = ticket_stats.tickets(connection, period)
            ratings = ticket_stats.ticket_ratings(connection, period)
        outcomes = Counter(a.outcome for a in answers)
        verdicts = Counter(a.rating for a in answers)
        ticket_verdicts = Counter(r.rating for r in ratings)
        decided = outcomes["answered"] + outcomes["refused"] + outcomes["handoff"]
        return Summary(
            since=period.since,
            until=period.until,
            sessions=len({s for s, _ in questions} | {a.session_id for a in answers}),
            questions=len(questions),
            answers=len(answers),
            answered=outcomes["answered"],
            clarify=outcomes["clarify"],
            refused=outcomes["refused"],
            handoff=outcomes["handoff"],
            answer_rate=rate(outcomes["answered"], decided),
            answers_good=verdicts[GOOD],
            answers_bad=verdicts[BAD],
            answer_satisfaction=rate(verdicts[GOOD], verdicts[GOOD] + verdicts[BAD]),
            unanswered_questions=len(unanswered),
            tickets_opened=len(tickets),
            tickets_closed=sum(not t.is_open for t in tickets),
            tickets_overdue_open=sum(t.overdue(now) for t in tickets),
            tickets_good=ticket_verdicts[GOOD],
            tickets_bad=ticket_verdicts[BAD],
            ticket_satisfaction=rate(ticket_verdicts[GOOD], ticket_verdicts[GOOD] + ticket_verdicts[BAD]),
        )

    # ------------------------------------------------------------------------------------- chat

    def unanswered_topics(self, period: Period, limit: int = 20) -> list[Topic]:
        """The questions refused or handed off, grouped into topics (largest first; 其他 last)."""
        with self.engine.connect() as connection:
            rows = self._unanswered(connection, period)
        topics = group_topics((Question(text, reason) for text, reason in rows), self.tokenizer)
        return topics[:limit]

    def worst_answers(self, period: Period, limit: int = 20) -> list[WorstAnswer]:
        """Answers rated 差, newest first, with their questions, the citizen's reason and their sources."""
        with self.engine.connect() as connection:
            rated = self._answers(connection, period, with_citations=True)
            bad = sorted(
                (a for a in rated if a.rating == BAD), key=lambda a: (a.created_at, a.pk), reverse=True
            )
            bad = bad[:limit]
            texts = chat_stats.texts_by_pk(connection, [a.pk for a in bad])
        return [
            WorstAnswer(
                a.id,
                a.session_id,
                a.created_at,
                texts.get(a.pk, ("", ""))[0],
                texts.get(a.pk, ("", ""))[1][:ANSWER_PREVIEW_CHARS],
                a.outcome,
                a.feedback_reason,
                a.comment,
                _sources(a.citations),
            )
            for a in bad
        ]

    def worst_sources(self, period: Period, limit: int = 20) -> list[SourceRating]:
        """Documents cited by rated answers, the most 差 first (then the highest 差 share)."""
        with self.engine.connect() as connection:
            rated = [a for a in self._answers(connection, period, with_citations=True) if a.rating]
        stats: dict[str, SourceRating] = {}
        for answer in rated:
            cited: dict[str, list[Source]] = {}
            for source in _sources(answer.citations):
                cited.setdefault(source.doc_id or source.title, []).append(source)
            for key, sources in cited.items():
                current = stats.get(key) or SourceRating(sources[0].doc_id, sources[0].title, 0, 0, 0, None)
                new_sections = [x.section for x in sources if x.section and x.section not in current.sections]
                stats[key] = replace(
                    current,
                    answers=current.answers + 1,
                    good=current.good + (answer.rating == GOOD),
                    bad=current.bad + (answer.rating == BAD),
                    sections=(*current.sections, *dict.fromkeys(new_sections)),
                )
        rows = [replace(s, bad_share=rate(s.bad, s.answers)) for s in stats.values()]
        rows.sort(key=lambda s: (-s.bad, -(s.bad_share or 0.0), s.doc_id))
        return rows[:limit]

    # ---------------------------------------------------------------------------------- tickets

    def handoff_reasons(self, period: Period) -> list[HandoffReason]:
        """Why conversations reached a person: tickets by source and reason; the chat's handoff replies."""
        with self.engine.connect() as connection:
            tickets = ticket_stats.tickets(connection, period)
            replies = [
                a
                for a in self._answers(connection, period, where=MessageRow.outcome == "handoff")
                if a.reason not in chat_stats.NOT_A_FAILURE
            ]
        rows: list[HandoffReason] = []
        for origin, counts in (
            ("ticket", Counter((t.source, t.reason) for t in tickets)),
            ("chat", Counter(("chat", a.reason) for a in replies)),
        ):
            total = sum(counts.values())
            for (source, reason), n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                rows.append(HandoffReason(origin, source, reason, reason_label(reason), n, rate(n, total)))
        return rows

    def sla(self, period: Period, limit: int = 50) -> SlaReport:
        """SLA compliance of the tickets opened in the period, and those of them open past their deadline."""
        now = self._clock()
        with self.engine.connect() as connection:
            tickets = ticket_stats.tickets(connection, period)
        overdue = sorted((t for t in tickets if t.overdue(now)), key=lambda t: (t.due_at, t.id))
        return SlaReport(
            ticket_stats.sla_rows(tickets, now),
            [
                OverdueTicket(
                    t.id,
                    t.category,
                    t.department,
                    t.status,
                    t.priority,
                    t.summary,
                    t.due_at,
                    round((now - t.due_at).total_seconds() / 3600, 2),
                )
                for t in overdue[:limit]
            ],
        )

    def feedback_reasons(self, period: Period) -> list[FeedbackReason]:
        """Counts of each (verdict, reason) on answers and on tickets; most frequent first."""
        with self.engine.connect() as connection:
            answers = [a for a in self._answers(connection, period) if a.rating]
            ratings = ticket_stats.ticket_ratings(connection, period)
        rows: list[FeedbackReason] = []
        for target, counts in (
            ("answer", Counter((a.rating or "", a.feedback_reason) for a in answers)),
            ("ticket", Counter((r.rating, r.reason) for r in ratings)),
        ):
            for (verdict, reason), n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                rows.append(FeedbackReason(target, verdict, reason or "未注明", n))
        return rows

    # ----------------------------------------------------------------------------------- trends

    def trends(self, period: Period) -> list[DayTrend]:
        """One row per local day of the period (open ends: the first and last day with data)."""
        with self.engine.connect() as connection:
            answers = self._answers(connection, period)
            questions = self._questions(connection, period)
            tickets = ticket_stats.tickets(connection, period)
        counts: dict[date, Counter[str]] = {}

        def bump(moment: datetime, key: str) -> None:
            counts.setdefault(period.day_of(moment), Counter())[key] += 1

        for _session, moment in questions:
            bump(moment, "questions")
        for answer in answers:
            key = {"handoff": "handoffs"}.get(answer.outcome, answer.outcome)
            if key in ("answered", "clarify", "refused", "handoffs"):
                bump(answer.created_at, key)
            if answer.rating:
                bump(answer.created_at, "good" if answer.rating == GOOD else "bad")
        for ticket in tickets:
            bump(ticket.created_at, "tickets")
        return [DayTrend(day, **counts.get(day, Counter())) for day in period.days(set(counts))]


def _sources(citations: list[dict[str, object]]) -> tuple[Source, ...]:
    """The distinct sources an answer cited, in citation order."""
    found = (
        Source(str(c.get("doc_id") or ""), str(c.get("title") or ""), str(c.get("section") or ""))
        for c in citations
        if isinstance(c, dict)
    )
    return tuple(dict.fromkeys(found))
