"""CSV export round trip, the Markdown report, and an empty (or table-less) database giving zeros."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from assistant.analytics.cli_report import render_markdown, run_report
from assistant.analytics.export import CSV_ENCODING, TABLES, build_table, export_csv, to_csv
from assistant.analytics.period import Period
from assistant.analytics.report import AnalyticsService
from assistant.components.database import make_engine
from assistant.tokenization import ChineseTokenizer
from tests.assistant.analytics.conftest import PHONE, Clock, Seeded


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding=CSV_ENCODING, newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_round_trip_of_every_table(analytics: AnalyticsService, seeded: Seeded, tmp_path: Path) -> None:
    period = Period()
    written = export_csv(analytics, period, tmp_path / "csv")
    assert [p.name for p in written] == [f"{name}.csv" for name in TABLES]
    for name, path in zip(TABLES, written, strict=True):
        table = build_table(analytics, name, period, 1000)
        header = path.read_text(encoding=CSV_ENCODING).splitlines()[0]
        assert header == ",".join(table.columns), name
        rows = _read(path)
        assert rows == [{k: str(v) for k, v in row.items()} for row in table.rows], name
    summary = {r["metric"]: r["value"] for r in _read(tmp_path / "csv" / "summary.csv")}
    assert summary["questions"] == "9" and summary["answer_satisfaction"] == "0.3333"
    worst = _read(tmp_path / "csv" / "worst_answers.csv")
    assert worst[1]["sources"] == "居民身份证办理指南 · 办理时限 | 居民身份证办理指南 · 申请材料"
    assert PHONE not in (tmp_path / "csv" / "worst_answers.csv").read_text(encoding=CSV_ENCODING)
    trends = _read(tmp_path / "csv" / "trends.csv")
    assert [r["day"] for r in trends][:2] == ["2026-03-02", "2026-03-03"]


def test_csv_text_starts_with_a_bom_and_respects_the_period(
    analytics: AnalyticsService, seeded: Seeded
) -> None:
    body = to_csv(build_table(analytics, "trends", analytics.period("2026-03-05", "2026-03-05")))
    assert body.startswith("\ufeffday,questions,")
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [(r["day"], r["questions"], r["refused"]) for r in rows] == [("2026-03-05", "1", "1")]


def test_unknown_table(analytics: AnalyticsService) -> None:
    with pytest.raises(KeyError, match="unknown analytics table"):
        build_table(analytics, "passwords", Period())


def test_empty_database_gives_zeros(service: AnalyticsService, tmp_path: Path) -> None:
    _assert_empty(service, tmp_path)


def test_database_without_tables_gives_zeros(
    tokenizer: ChineseTokenizer, clock: Clock, tmp_path: Path
) -> None:
    bare = make_engine(f"sqlite:///{tmp_path / 'bare.db'}")
    try:
        _assert_empty(AnalyticsService(bare, tokenizer, clock=clock), tmp_path)
    finally:
        bare.dispose()


def _assert_empty(service: AnalyticsService, tmp_path: Path) -> None:
    period = service.period("2026-03-01", "2026-03-02")
    summary = service.summary(period)
    assert (summary.questions, summary.answers, summary.tickets_opened, summary.tickets_good) == (0, 0, 0, 0)
    assert summary.answer_rate is None and summary.answer_satisfaction is None
    assert service.unanswered_topics(period) == [] and service.worst_answers(period) == []
    assert service.handoff_reasons(period) == [] and service.feedback_reasons(period) == []
    sla = service.sla(period)
    assert sla.overdue == [] and [(r.group, r.tickets, r.accept_rate) for r in sla.rows] == [
        ("全部", 0, None)
    ]
    assert [(d.day.isoformat(), d.questions) for d in service.trends(period)] == [
        ("2026-03-01", 0),
        ("2026-03-02", 0),
    ]
    assert service.trends(Period()) == []
    assert len(export_csv(service, period, tmp_path / "empty")) == len(TABLES)
    assert "（无数据）" in render_markdown(service, period)


def test_markdown_report(analytics: AnalyticsService, seeded: Seeded) -> None:
    report = render_markdown(analytics, Period())
    for heading in (
        "# 好差评与堵点分析报告",
        "## 概览",
        "## 未能解答的问题（按主题）",
        "## 差评回答",
        "## 转人工原因",
        "## 时限（SLA）达标情况",
        "## 每日趋势",
    ):
        assert heading in report
    assert "| 回答好评率 | 33.3% |" in report
    assert "居民身份证办理指南 · 办理时限" in report and "连续未能解答" in report
    assert PHONE not in report


def test_run_report_writes_csv_and_refuses_bad_dates(
    analytics: AnalyticsService, seeded: Seeded, tmp_path: Path
) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_report(analytics, "2026-03-02", "2026-03-03", tmp_path / "out", out=out, err=err) == 0
    assert "2026-03-02 — 2026-03-03" in out.getvalue()
    assert (tmp_path / "out" / "sla.csv").exists() and "CSV" in err.getvalue()
    bad_err = io.StringIO()
    assert run_report(analytics, "yesterday", None, out=io.StringIO(), err=bad_err) == 2
    assert "YYYY-MM-DD" in bad_err.getvalue()
