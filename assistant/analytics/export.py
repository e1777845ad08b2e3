"""Every analytics result as a flat table, and CSV export (UTF-8 with a BOM, so Excel reads the Chinese)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from assistant.analytics.period import Period
from assistant.analytics.records import (
    DayTrend,
    FeedbackReason,
    HandoffReason,
    OverdueTicket,
    Source,
    SourceRating,
    Summary,
    WorstAnswer,
)
from assistant.analytics.report import AnalyticsService
from assistant.analytics.ticket_stats import SlaRow
from assistant.analytics.topics import topic_rows

CSV_ENCODING = "utf-8-sig"


@dataclass(frozen=True)
class Table:
    """A named table: column names and one dict per row (cells are str, int, float or empty)."""

    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, object]]


def cell(value: object) -> object:
    """A CSV-friendly cell: ISO dates, sources described, sequences joined with `` | ``, None empty."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Source):
        return value.describe()
    if isinstance(value, dict):
        return " ".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return " | ".join(str(cell(item)) for item in value)
    return value


def records_table(name: str, records: Sequence[Any], record_type: type[Any]) -> Table:
    """A table of dataclass records, one column per field."""
    columns = tuple(f.name for f in fields(record_type))
    return Table(name, columns, [{c: cell(getattr(r, c)) for c in columns} for r in records])


def _summary(service: AnalyticsService, period: Period, _limit: int) -> Table:
    summary = service.summary(period)
    rows: list[dict[str, object]] = [
        {"metric": f.name, "value": cell(getattr(summary, f.name))} for f in fields(Summary)
    ]
    return Table("summary", ("metric", "value"), rows)


def _topics(service: AnalyticsService, period: Period, limit: int) -> Table:
    rows = topic_rows(service.unanswered_topics(period, limit))
    return Table("unanswered_topics", ("topic", "count", "terms", "reasons", "examples"), rows)


BUILDERS: dict[str, Callable[[AnalyticsService, Period, int], Table]] = {
    "summary": _summary,
    "unanswered_topics": _topics,
    "worst_answers": lambda s, p, n: records_table("worst_answers", s.worst_answers(p, n), WorstAnswer),
    "worst_sources": lambda s, p, n: records_table("worst_sources", s.worst_sources(p, n), SourceRating),
    "handoff_reasons": lambda s, p, _n: records_table("handoff_reasons", s.handoff_reasons(p), HandoffReason),
    "feedback_reasons": lambda s, p, _n: records_table(
        "feedback_reasons", s.feedback_reasons(p), FeedbackReason
    ),
    "sla": lambda s, p, n: records_table("sla", s.sla(p, n).rows, SlaRow),
    "overdue_tickets": lambda s, p, n: records_table("overdue_tickets", s.sla(p, n).overdue, OverdueTicket),
    "trends": lambda s, p, _n: records_table("trends", s.trends(p), DayTrend),
}
TABLES: tuple[str, ...] = tuple(BUILDERS)
"""The tables ``build_table`` and the CSV export know, in report order."""


def build_table(service: AnalyticsService, name: str, period: Period, limit: int = 100) -> Table:
    """The named table for the period; ``KeyError`` for an unknown name."""
    builder = BUILDERS.get(name)
    if builder is None:
        raise KeyError(f"unknown analytics table {name!r}; use one of {', '.join(TABLES)}")
    return builder(service, period, limit)


def write_csv(table: Table, stream: TextIO) -> None:
    """The table as CSV, header first."""
    writer = csv.DictWriter(stream, fieldnames=list(table.columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(table.rows)


def to_csv(table: Table) -> str:
    """The table as CSV text, starting with a BOM (what ``CSV_ENCODING`` writes to a file)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    write_csv(table, buffer)
    return buffer.getvalue()


def export_csv(service: AnalyticsService, period: Period, folder: Path, limit: int = 1000) -> list[Path]:
    """Write every table to ``folder/<table>.csv``; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in TABLES:
        path = folder / f"{name}.csv"
        with path.open("w", encoding=CSV_ENCODING, newline="") as handle:
            write_csv(build_table(service, name, period, limit), handle)
        written.append(path)
    return written
