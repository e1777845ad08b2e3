"""Tests for assistant.followup: recognising a follow-up and resolving it against the previous topic."""

from __future__ import annotations

import pytest

from assistant.followup import MAX_FOLLOW_UP_CHARS, is_follow_up, resolve_follow_up

TOPIC = "什么是跨省通办？"


@pytest.mark.parametrize(
    "message",
    [
        "那要多久？",
        "那么需要带什么？",
        "要多少钱？",
        "收费吗",
        "在哪里办？",
        "能网上办吗？",
        "还有呢",
        "具体呢？",
        "那要多久?",
    ],
)
def test_short_questions_leaning_on_a_topic_are_follow_ups(message: str) -> None:
    assert is_follow_up(message)


@pytest.mark.parametrize(
    "message",
    [
        "什么是跨省通办？",
        "电子证照能在全国通用吗？",
        "政务服务好差评怎么评？",
        "",
        "   ",
        "那么请问一网通办平台和全国一体化政务服务平台是什么关系，要多久？",  # too long to be a follow-up
    ],
)
def test_full_questions_are_not_follow_ups(message: str) -> None:
    assert not is_follow_up(message)


def test_long_messages_are_never_follow_ups() -> None:
    message = "那" + "跨" * MAX_FOLLOW_UP_CHARS
    assert len(message) > MAX_FOLLOW_UP_CHARS and message.startswith("那")
    assert not is_follow_up(message)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("那要多久？", "什么是跨省通办？ 要多久？"),  # the leading 那 is dropped
        ("那么，需要带什么？", "什么是跨省通办？ 需要带什么？"),
        ("要多少钱？", "什么是跨省通办？ 要多少钱？"),
    ],
)
def test_a_follow_up_is_resolved_with_the_previous_topic(message: str, expected: str) -> None:
    assert resolve_follow_up(message, TOPIC) == expected


def test_a_full_new_question_is_left_alone() -> None:
    assert resolve_follow_up("电子证照能在全国通用吗？", TOPIC) == "电子证照能在全国通用吗？"


@pytest.mark.parametrize("previous", [None, ""])
def test_without_a_previous_topic_the_message_is_unchanged(previous: str | None) -> None:
    assert resolve_follow_up("那要多久？", previous) == "那要多久？"


def test_the_topic_is_trimmed() -> None:
    assert resolve_follow_up("那要多久？", "  跨省通办  ") == "跨省通办 要多久？"


@pytest.mark.parametrize("message", ["居住证怎么申请？", "营业执照要多少钱？"])
def test_a_short_question_with_its_own_subject_is_left_alone(message: str) -> None:
    assert resolve_follow_up(message, TOPIC) == message
