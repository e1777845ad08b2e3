"""The analytics report as Markdown (``govassist analytics``), and its optional CSV export."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from assistant.analytics.export import export_csv
from assistant.analytics.period import InvalidPeriodError, Period
from assistant.analytics.records import reason_label
from assistant.analytics.report import AnalyticsService
from assistant.settings import Settings

SUMMARY_LABELS: dict[str, str] = {
    "sessions": "会话数",
    "questions": "群众提问",
    "answers": "助手回复",
    "answered": "已解答",
    "clarify": "追问澄清",
    "refused": "未能解答（拒答）",
    "handoff": "转人工",
    "answer_rate": "解答率",
    "answers_good": "回答好评",
    "answers_bad": "回答差评",
    "answer_satisfaction": "回答好评率",
    "unanswered_questions": "未解答问题",
    "tickets_opened": "新建工单",
    "tickets_closed": "已办结工单",
    "tickets_overdue_open": "超时未办结工单",
    "tickets_good": "工单好评",
    "tickets_bad": "工单差评",
    "ticket_satisfaction": "工单好评率",
}


def _text(value: object) -> str:
    """A Markdown table cell: None as —, no pipes or line breaks."""
    if value is None:
        return "—"
    return str(value).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    if not rows:
        return ["（无数据）", ""]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(_text(c) for c in row) + " |" for row in rows)
    return [*lines, ""]


def _metric(key: str, value: object) -> object:
    is_rate = key.endswith(("_rate", "_satisfaction"))
    return _pct(value) if is_rate and (value is None or isinstance(value, float)) else value


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def render_markdown(service: AnalyticsService, period: Period, limit: int = 10) -> str:
    """The whole report: overview, 堵点 topics, 差评 answers and sources, handoffs, SLA, reasons, trends."""
    summary = service.summary(period)
    out = [f"# 好差评与堵点分析报告（{period.describe()}）", "", "## 概览", ""]
    metrics = [(label, _metric(key, getattr(summary, key))) for key, label in SUMMARY_LABELS.items()]
    out += _table(["指标", "数值"], metrics)

    out += ["## 未能解答的问题（按主题）", ""]
    topics = service.unanswered_topics(period, limit)
    out += _table(
        ["主题", "次数", "原因", "示例问题"],
        [
            (
                t.label,
                t.count,
                "、".join(f"{reason_label(r)} {n}" for r, n in t.reasons.items()),
                " / ".join(_clip(e, 40) for e in t.examples),
            )
            for t in topics
        ],
    )

    out += ["## 差评回答", ""]
    worst = service.worst_answers(period, limit)
    out += _table(
        ["时间", "问题", "差评原因", "留言", "引用来源"],
        [
            (
                w.created_at.astimezone(period.tz).strftime("%Y-%m-%d %H:%M"),
                _clip(w.question),
                w.feedback_reason or "（未注明）",
                _clip(w.comment),
                "；".join(s.describe() for s in w.sources) or "（无引用）",
            )
            for w in worst
        ],
    )
    out += ["## 差评较多的引用文件", ""]
    out += _table(
        ["文件", "被引用回答", "好评", "差评", "差评占比", "章节"],
        [
            (s.title or s.doc_id, s.answers, s.good, s.bad, _pct(s.bad_share), "；".join(s.sections[:3]))
            for s in service.worst_sources(period, limit)
        ],
    )

    out += ["## 转人工原因", ""]
    out += _table(
        ["来源", "渠道", "原因", "次数", "占比"],
        [
            ("工单" if h.origin == "ticket" else "对话", h.source, h.label, h.count, _pct(h.share))
            for h in service.handoff_reasons(period)
        ],
    )

    sla = service.sla(period, limit)
    out += ["## 时限（SLA）达标情况", ""]
    out += _table(
        ["维度", "分组", "工单", "按时受理率", "受理超时", "按时办结率", "办结超时", "超时未办结"],
        [
            (
                {"all": "合计", "category": "类别", "department": "部门"}[r.dimension],
                r.group,
                r.tickets,
                _pct(r.accept_rate),
                r.accept_late,
                _pct(r.resolve_rate),
                r.resolve_late,
                r.overdue_open,
            )
            for r in sla.rows
        ],
    )
    out += ["## 超时未办结工单", ""]
    out += _table(
        ["工单", "类别", "部门", "状态", "超时（小时）", "摘要"],
        [
            (t.id, t.category, t.department or "—", t.status, t.hours_overdue, _clip(t.summary, 40))
            for t in sla.overdue
        ],
    )

    out += ["## 评价原因", ""]
    out += _table(
        ["对象", "评价", "原因", "次数"],
        [
            ("回答" if f.target == "answer" else "工单", f.rating, f.reason, f.count)
            for f in service.feedback_reasons(period)
        ],
    )

    out += ["## 每日趋势", ""]
    out += _table(
        ["日期", "提问", "已解答", "拒答", "转人工", "好评", "差评", "新建工单"],
        [
            (d.day.isoformat(), d.questions, d.answered, d.refused, d.handoffs, d.good, d.bad, d.tickets)
            for d in service.trends(period)
        ],
    )
    return "\n".join(out).rstrip() + "\n"


def build_service(settings: Settings) -> AnalyticsService:
    """An analytics service on the configured database, with the lexicon's tokenizer."""
    from assistant.components.database import make_engine
    from assistant.lexicon import load_lexicon
    from assistant.tokenization import ChineseTokenizer

    engine = make_engine(settings.resolved_database_url)
    return AnalyticsService(engine, ChineseTokenizer(load_lexicon(settings.lexicon_dir)))


def run_report(
    service: AnalyticsService,
    since: str | None = None,
    until: str | None = None,
    csv_dir: Path | None = None,
    *,
    limit: int = 10,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print the Markdown report (and write the CSVs); returns the exit code (2 for a bad date)."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        period = service.period(since, until)
    except InvalidPeriodError as error:
        print(f"error: {error}", file=err)
        return 2
    out.write(render_markdown(service, period, limit))
    if csv_dir is not None:
        paths = export_csv(service, period, csv_dir)
        print(f"wrote {len(paths)} CSV files to {csv_dir}", file=err)
    return 0


def analytics_command(
    settings: Settings,
    since: str | None = None,
    until: str | None = None,
    csv_dir: Path | None = None,
    *,
    limit: int = 10,
) -> int:
    """What ``govassist analytics`` runs: the report on the configured database; the exit code."""
    service = build_service(settings)
    try:
        return run_report(service, since, until, csv_dir, limit=limit)
    finally:
        service.engine.dispose()
