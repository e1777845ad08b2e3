"""Answer feedback: verdict, reason vocabulary, masked comment, and the latest submission wins."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from assistant.analytics.feedback import (
    ANSWER_REASONS,
    MAX_COMMENT_CHARS,
    InvalidFeedbackError,
    UnknownMessageError,
    record_answer_feedback,
)
from assistant.analytics.period import Period
from assistant.analytics.report import AnalyticsService
from assistant.sessions import SessionStore
from tests.assistant.analytics.conftest import PHONE, Clock

ID_NUMBER = "110101199003074514"


@pytest.fixture
def answer(engine: Engine, clock: Clock) -> tuple[str, str]:
    store = SessionStore(engine)
    state = store.start_turn(None, "怎么补领身份证")
    message = store.add_message(state.id, "assistant", "携带户口簿……[1]", outcome="answered")
    return state.id, message.id


def test_vocabulary_is_fixed() -> None:
    assert ANSWER_REASONS["差"] == ("答非所问", "信息有误", "信息过时", "看不懂", "没解决问题", "其他")
    assert ANSWER_REASONS["好"] == ("准确", "清楚", "快捷", "其他")


def test_feedback_is_masked_and_read_back(
    engine: Engine, answer: tuple[str, str], service: AnalyticsService
) -> None:
    _, message_id = answer
    saved = record_answer_feedback(engine, message_id, "bad", "信息有误", f"我电话{PHONE}，身份证{ID_NUMBER}")
    assert saved.rating == "差" and saved.reason == "信息有误"
    assert PHONE not in saved.comment and ID_NUMBER not in saved.comment
    worst = service.worst_answers(Period())
    assert [(w.message_id, w.feedback_reason) for w in worst] == [(message_id, "信息有误")]
    assert worst[0].question == "怎么补领身份证"


def test_latest_feedback_wins(engine: Engine, answer: tuple[str, str], service: AnalyticsService) -> None:
    _, message_id = answer
    record_answer_feedback(engine, message_id, "差", "看不懂")
    record_answer_feedback(engine, message_id, "好", "清楚")
    assert service.worst_answers(Period()) == []
    summary = service.summary(Period())
    assert (summary.answers_good, summary.answers_bad) == (1, 0)


def test_the_stored_rating_decides_and_a_stale_reason_is_dropped(
    engine: Engine, answer: tuple[str, str], service: AnalyticsService
) -> None:
    _, message_id = answer
    record_answer_feedback(engine, message_id, "好", "准确")
    SessionStore(engine).rate_message(message_id, "bad")  # changed their mind without a reason
    worst = service.worst_answers(Period())
    assert [(w.message_id, w.feedback_reason) for w in worst] == [(message_id, "")]


@pytest.mark.parametrize(
    ("rating", "reason", "comment", "match"),
    [
        ("一般", "", "", "unknown rating"),
        ("差", "准确", "", "unknown reason"),
        ("好", "答非所问", "", "unknown reason"),
        ("差", "其他", "长" * (MAX_COMMENT_CHARS + 1), "at most"),
    ],
)
def test_invalid_feedback_is_refused(
    engine: Engine, answer: tuple[str, str], rating: str, reason: str, comment: str, match: str
) -> None:
    with pytest.raises(InvalidFeedbackError, match=match):
        record_answer_feedback(engine, answer[1], rating, reason, comment)


def test_unknown_or_citizen_message_is_refused(engine: Engine, answer: tuple[str, str]) -> None:
    session_id, _ = answer
    user_message = SessionStore(engine).messages(session_id)[0]
    for message_id in ("m_nope", user_message.id):
        with pytest.raises(UnknownMessageError):
            record_answer_feedback(engine, message_id, "好")
