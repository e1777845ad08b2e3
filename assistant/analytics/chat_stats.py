"""Reads of the chat records for analytics: answers with their verdicts, questions, unanswered questions.

Every query is SQLAlchemy Core over ``chat_messages`` (and ``answer_feedback`` when it exists), filtered
by the period's UTC bounds; bucketing by local day happens in Python so it is the same on every database.
The question of an assistant message is the latest user message before it in the same session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, func, select
from sqlalchemy.orm import aliased

from assistant.analytics.feedback import RATING_ALIASES, AnswerFeedbackRow
from assistant.analytics.period import Period, as_utc
from assistant.sessions.models import MessageRow

UNANSWERED_OUTCOMES = ("refused", "handoff")
NOT_A_FAILURE = frozenset({"awaiting_agent"})
"""Reasons of a refused/handoff message that say nothing about the question (the bot waits for an agent)."""

_User = aliased(MessageRow, name="earlier")
_Asked = aliased(MessageRow, name="asked")


@dataclass(frozen=True)
class Answer:
    """One assistant message in the period, with its verdict (好/差/None) and feedback reason."""

    pk: int
    id: str
    session_id: str
    outcome: str
    reason: str
    created_at: datetime
    rating: str | None = None
    feedback_reason: str = ""
    comment: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Feedback:
    rating: str
    reason: str
    comment: str


def in_period(column: Any, period: Period) -> ColumnElement[bool]:
    """``column`` (a stored timestamp) within the period's UTC bounds."""
    conditions: list[ColumnElement[bool]] = []
    if period.start is not None:
        conditions.append(column >= period.start)
    if period.end is not None:
        conditions.append(column < period.end)
    return and_(True, *conditions)


def canonical_rating(value: str | None) -> str | None:
    """好 / 差 from a stored rating (the API stores ``good`` / ``bad``); None for anything else."""
    return RATING_ALIASES.get(value.strip().lower()) if value else None


def question_pk_of() -> Any:
    """A scalar subquery: the pk of the latest user message before ``MessageRow`` in its session."""
    return (
        select(func.max(_User.pk))
        .where(_User.session_id == MessageRow.session_id, _User.role == "user", _User.pk < MessageRow.pk)
        .correlate(MessageRow)
        .scalar_subquery()
    )


def question_of() -> Any:
    """A scalar subquery: the content of the latest user message before ``MessageRow`` in its session."""
    return select(_Asked.content).where(_Asked.pk == question_pk_of()).correlate(MessageRow).scalar_subquery()


def latest_feedback(connection: Connection, period: Period, has_feedback: bool) -> dict[str, Feedback]:
    """The latest ``answer_feedback`` row of each assistant message of the period, by message id."""
    if not has_feedback:
        return {}
    query = (
        select(
            AnswerFeedbackRow.message_id,
            AnswerFeedbackRow.rating,
            AnswerFeedbackRow.reason,
            AnswerFeedbackRow.comment,
        )
        .join(MessageRow, MessageRow.id == AnswerFeedbackRow.message_id)
        .where(in_period(MessageRow.created_at, period))
        .order_by(AnswerFeedbackRow.pk)
    )
    return {
        row.message_id: Feedback(row.rating, row.reason, row.comment) for row in connection.execute(query)
    }


def answers(
    connection: Connection,
    period: Period,
    has_feedback: bool,
    *,
    with_citations: bool = False,
    where: ColumnElement[bool] | None = None,
) -> list[Answer]:
    """Assistant messages of the period (oldest first), each with its verdict and feedback."""
    feedback = latest_feedback(connection, period, has_feedback)
    columns: list[Any] = [
        MessageRow.pk,
        MessageRow.id,
        MessageRow.session_id,
        MessageRow.outcome,
        MessageRow.reason,
        MessageRow.rating,
        MessageRow.created_at,
    ]
    if with_citations:
        columns.append(MessageRow.citations)
    query: Select[Any] = select(*columns).where(
        MessageRow.role == "assistant", in_period(MessageRow.created_at, period)
    )
    if where is not None:
        query = query.where(where)
    out: list[Answer] = []
    for row in connection.execute(query.order_by(MessageRow.pk)):
        extra = feedback.get(row.id)
        rating = canonical_rating(row.rating) or (extra.rating if extra else None)
        same = extra is not None and extra.rating == rating
        out.append(
            Answer(
                row.pk,
                row.id,
                row.session_id,
                row.outcome or "",
                row.reason or "",
                as_utc(row.created_at),
                rating,
                extra.reason if same and extra else "",
                extra.comment if same and extra else "",
                list(row.citations or []) if with_citations else [],
            )
        )
    return out


def question_times(connection: Connection, period: Period) -> list[tuple[str, datetime]]:
    """(session id, time) of every citizen message of the period."""
    query = select(MessageRow.session_id, MessageRow.created_at).where(
        MessageRow.role == "user", in_period(MessageRow.created_at, period)
    )
    return [(row.session_id, as_utc(row.created_at)) for row in connection.execute(query)]


def unanswered_questions(connection: Connection, period: Period) -> list[tuple[str, str]]:
    """(question, reason) for each citizen question the assistant refused or handed off, oldest first.

    A question followed by several such replies (a refusal, then a handoff) counts once, with the
    first reason.
    """
    question_pk = question_pk_of().label("question_pk")
    query = (
        select(question_pk, question_of().label("question"), MessageRow.reason)
        .where(
            MessageRow.role == "assistant",
            MessageRow.outcome.in_(UNANSWERED_OUTCOMES),
            MessageRow.reason.not_in(NOT_A_FAILURE),
            in_period(MessageRow.created_at, period),
        )
        .order_by(MessageRow.pk)
    )
    seen: set[int] = set()
    out: list[tuple[str, str]] = []
    for row in connection.execute(query):
        if row.question_pk is None or row.question_pk in seen or not row.question:
            continue
        seen.add(row.question_pk)
        out.append((row.question, row.reason or ""))
    return out


def texts_by_pk(connection: Connection, message_pks: list[int]) -> dict[int, tuple[str, str]]:
    """(question, answer) of each of these assistant messages, by the assistant message's pk."""
    if not message_pks:
        return {}
    query = select(MessageRow.pk, question_of().label("question"), MessageRow.content).where(
        MessageRow.pk.in_(message_pks)
    )
    return {row.pk: (row.question or "", row.content) for row in connection.execute(query)}
