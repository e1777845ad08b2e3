"""好差评 and 堵点 analytics (发现—解决—分析): answer feedback, unanswered-question topics, worst-rated
answers and their sources, handoff reasons, SLA compliance, daily trends, CSV export and a Markdown report.

``AnalyticsService`` (report.py) reads; ``record_answer_feedback`` (feedback.py) is the only write.
"""

from assistant.analytics.feedback import (
    ANSWER_REASONS,
    InvalidFeedbackError,
    UnknownMessageError,
    record_answer_feedback,
)
from assistant.analytics.period import InvalidPeriodError, Period
from assistant.analytics.report import AnalyticsService

__all__ = [
    "ANSWER_REASONS",
    "AnalyticsService",
    "InvalidFeedbackError",
    "InvalidPeriodError",
    "Period",
    "UnknownMessageError",
    "record_answer_feedback",
]
