"""好差评 on answers: the citizen's verdict with a reason from a fixed vocabulary and an optional comment.

``chat_messages.rating`` keeps the verdict itself (``SessionStore.rate_message``); this module's own
table ``answer_feedback`` adds the reason and the (masked) comment, one row per submission, so a citizen
who changes their mind leaves a history and the analytics read the latest row of each message.

Reasons (``ANSWER_REASONS``)::

    差: 答非所问 · 信息有误 · 信息过时 · 看不懂 · 没解决问题 · 其他
    好: 准确 · 清楚 · 快捷 · 其他

The verdict is 好 or 差; the API's ``good`` / ``bad`` are accepted as the same.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Engine, Integer, String, Text, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assistant.components.tables import create_tables
from assistant.handoff.models import UtcDateTime, utcnow
from assistant.privacy import mask_pii
from assistant.sessions.migrate import add_missing_columns
from assistant.sessions.models import MessageRow

GOOD = "好"
BAD = "差"
RATING_ALIASES: dict[str, str] = {"好": GOOD, "good": GOOD, "差": BAD, "bad": BAD}
ANSWER_REASONS: dict[str, tuple[str, ...]] = {
    BAD: ("答非所问", "信息有误", "信息过时", "看不懂", "没解决问题", "其他"),
    GOOD: ("准确", "清楚", "快捷", "其他"),
}
"""The reasons a citizen may pick, by verdict (show them as buttons; 其他 invites a comment)."""
MAX_COMMENT_CHARS = 500


class AnalyticsBase(DeclarativeBase):
    pass


class AnswerFeedbackRow(AnalyticsBase):
    __tablename__ = "answer_feedback"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(64), index=True)
    rating: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(16), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class InvalidFeedbackError(ValueError):
    """An unknown verdict or reason, or a comment that is too long (the API answers 422)."""


class UnknownMessageError(LookupError):
    """No assistant message has this id (the API answers 404)."""


@dataclass(frozen=True)
class AnswerFeedback:
    message_id: str
    rating: str
    reason: str
    comment: str
    created_at: datetime


def create_schema(engine: Engine) -> None:
    """Create the ``answer_feedback`` table if missing (and add columns an older one lacks)."""
    create_tables(AnalyticsBase.metadata, engine)
    add_missing_columns(engine, AnalyticsBase)


def normalize_rating(rating: str) -> str:
    """好 or 差 from 好/差/good/bad; :class:`InvalidFeedbackError` otherwise."""
    verdict = RATING_ALIASES.get(rating.strip().lower())
    if verdict is None:
        raise InvalidFeedbackError(f"unknown rating {rating!r}; use 好 / 差 (or good / bad)")
    return verdict


def check_reason(verdict: str, reason: str) -> str:
    """The reason stripped, or :class:`InvalidFeedbackError` when it is not one of the verdict's reasons."""
    reason = reason.strip()
    if reason and reason not in ANSWER_REASONS[verdict]:
        choices = " / ".join(ANSWER_REASONS[verdict])
        raise InvalidFeedbackError(f"unknown reason {reason!r} for {verdict}评; use one of {choices}")
    return reason


def record_answer_feedback(
    engine: Engine,
    message_id: str,
    rating: str,
    reason: str = "",
    comment: str = "",
    *,
    now: datetime | None = None,
) -> AnswerFeedback:
    """Store one 好/差评 with its reason and masked comment for an assistant message.

    Raises :class:`InvalidFeedbackError` (bad verdict, reason or comment length) and
    :class:`UnknownMessageError` (no assistant message with this id). Call ``create_schema`` at startup.
    """
    verdict = normalize_rating(rating)
    reason = check_reason(verdict, reason)
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise InvalidFeedbackError(f"comment is {len(comment)} characters; at most {MAX_COMMENT_CHARS}")
    feedback = AnswerFeedback(message_id, verdict, reason, mask_pii(comment), now or utcnow())
    with engine.begin() as connection:
        found = connection.execute(
            select(MessageRow.pk).where(MessageRow.id == message_id, MessageRow.role == "assistant")
        ).first()
        if found is None:
            raise UnknownMessageError(f"unknown assistant message id: {message_id}")
        connection.execute(insert(AnswerFeedbackRow).values(**asdict(feedback)))
    return feedback
