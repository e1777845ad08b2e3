"""The analytics results: plain frozen records, JSON- and CSV-friendly (``dataclasses.asdict``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from assistant.analytics.ticket_stats import SlaRow

REASON_LABELS: dict[str, str] = {
    "no_evidence": "政策文件中无依据",
    "no_evidence_for_type": "政策文件未写明所问事项",
    "out_of_scope": "超出服务范围",
    "personal_data_request": "索要个人信息",
    "instruction_override": "试图改变规则",
    "human_requested": "要求转人工",
    "complaint": "投诉",
    "frustration": "多次求助不满",
    "repeated_refusals": "连续未能解答",
    "button": "点击转人工",
    "awaiting_agent": "等待人工回复",
}
"""Chinese names of the machine-readable reasons the chat and the tickets record."""


def reason_label(reason: str) -> str:
    """The reason's Chinese name, or the reason itself (or 未注明 when empty)."""
    return REASON_LABELS.get(reason, reason or "未注明")


@dataclass(frozen=True)
class Summary:
    """Headline counts of a period; rates are None when there is nothing to divide."""

    since: date | None
    until: date | None
    sessions: int
    questions: int
    answers: int
    answered: int
    clarify: int
    refused: int
    handoff: int
    answer_rate: float | None  # answered / (answered + refused + handoff)
    answers_good: int
    answers_bad: int
    answer_satisfaction: float | None  # 好 / (好 + 差)
    unanswered_questions: int
    tickets_opened: int
    tickets_closed: int
    tickets_overdue_open: int
    tickets_good: int
    tickets_bad: int
    ticket_satisfaction: float | None


@dataclass(frozen=True)
class Source:
    """One cited passage of an answer."""

    doc_id: str
    title: str
    section: str

    def describe(self) -> str:
        return f"{self.title} · {self.section}" if self.section else self.title or self.doc_id


@dataclass(frozen=True)
class WorstAnswer:
    """An answer rated 差, the question it answered, why it was rated so, and what it cited."""

    message_id: str
    session_id: str
    created_at: datetime
    question: str
    answer: str
    outcome: str
    feedback_reason: str
    comment: str
    sources: tuple[Source, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SourceRating:
    """How the rated answers citing one document fared."""

    doc_id: str
    title: str
    answers: int
    good: int
    bad: int
    bad_share: float | None
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class HandoffReason:
    """How often one reason sent citizens to a person (``origin`` ticket: by ticket source; chat: replies)."""

    origin: str
    source: str
    reason: str
    label: str
    count: int
    share: float | None


@dataclass(frozen=True)
class OverdueTicket:
    """An open ticket past the deadline that applies now."""

    id: str
    category: str
    department: str
    status: str
    priority: int
    summary: str
    due_at: datetime
    hours_overdue: float


@dataclass(frozen=True)
class SlaReport:
    rows: list[SlaRow]
    overdue: list[OverdueTicket]


@dataclass(frozen=True)
class DayTrend:
    """One local day: citizen questions, the assistant's outcomes, verdicts and tickets opened."""

    day: date
    questions: int = 0
    answered: int = 0
    clarify: int = 0
    refused: int = 0
    handoffs: int = 0
    good: int = 0
    bad: int = 0
    tickets: int = 0


@dataclass(frozen=True)
class FeedbackReason:
    """How often a reason was given with a verdict, on answers or on closed tickets."""

    target: str
    rating: str
    reason: str
    count: int
