"""好差评 and 堵点 analytics as pandas frames for the dashboard's tables and charts (no Gradio here).

Every table comes from :func:`assistant.analytics.export.build_table` (the same rows as the CSV export
and the API), with Chinese column names; the chart frames are reshaped from those tables. An empty
database gives empty frames that still have their columns.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from assistant.analytics.export import CSV_ENCODING, build_table, to_csv
from assistant.analytics.period import InvalidPeriodError, Period
from assistant.analytics.report import AnalyticsService
from ui.file_cache import page_file_folder

TABLE_LABELS: dict[str, str] = {
    "summary": "总体情况",
    "trends": "每日趋势",
    "unanswered_topics": "未解答话题（堵点）",
    "handoff_reasons": "转人工原因",
    "sla": "办理时限（SLA）",
    "overdue_tickets": "超时未办结工单",
    "worst_answers": "差评回答",
    "worst_sources": "差评较多的文件",
    "feedback_reasons": "好差评原因",
}

COLUMN_LABELS: dict[str, str] = {
    "metric": "指标", "value": "数值",
    "day": "日期", "questions": "提问", "answered": "已解答", "clarify": "追问", "refused": "未能解答",
    "handoffs": "转人工", "good": "好评", "bad": "差评", "tickets": "工单",
    "topic": "话题", "count": "次数", "terms": "关键词", "reasons": "原因", "examples": "示例问题",
    "origin": "来源", "source": "渠道", "reason": "原因代码", "label": "原因", "share": "占比",
    "dimension": "维度", "group": "分组", "accept_on_time": "按时受理", "accept_late": "超时受理",
    "accept_pending": "待受理", "accept_rate": "按时受理率", "resolve_on_time": "按时办结",
    "resolve_late": "超时办结", "resolve_pending": "未办结", "resolve_rate": "按时办结率",
    "overdue_open": "超时未办结",
    "id": "工单号", "category": "类别", "department": "部门", "status": "状态", "priority": "优先级",
    "summary": "摘要", "due_at": "期限", "hours_overdue": "超时小时",
    "message_id": "消息编号", "session_id": "会话", "created_at": "时间", "question": "问题",
    "answer": "回答", "outcome": "结果", "feedback_reason": "差评原因", "comment": "意见",
    "sources": "引用来源",
    "doc_id": "文档编号", "title": "标题", "answers": "被评回答数", "bad_share": "差评占比",
    "sections": "章节",
    "target": "对象", "rating": "评价",
}  # fmt: skip

SUMMARY_LABELS: dict[str, str] = {
    "since": "开始日期", "until": "结束日期", "sessions": "会话数", "questions": "提问数",
    "answers": "回答数", "answered": "已解答", "clarify": "追问", "refused": "未能解答", "handoff": "转人工",
    "answer_rate": "解答率", "answers_good": "回答好评", "answers_bad": "回答差评",
    "answer_satisfaction": "回答满意度", "unanswered_questions": "未解答问题",
    "tickets_opened": "新建工单", "tickets_closed": "已办结工单", "tickets_overdue_open": "超时未办结",
    "tickets_good": "工单好评", "tickets_bad": "工单差评", "ticket_satisfaction": "工单满意度",
}  # fmt: skip

TREND_SERIES: tuple[str, ...] = ("questions", "answered", "refused", "handoffs", "good", "bad", "tickets")
SLA_STATES: tuple[str, ...] = ("resolve_on_time", "resolve_late", "resolve_pending")
DEFAULT_DAYS = 30
ROW_LIMIT = 100


def default_range(today: date, days: int = DEFAULT_DAYS) -> tuple[str, str]:
    """The last ``days`` days up to ``today`` as ISO strings."""
    return (today - timedelta(days=days - 1)).isoformat(), today.isoformat()


def parse_period(service: AnalyticsService, since: str, until: str) -> Period:
    """The period the two date boxes name; ``InvalidPeriodError`` with a Chinese message otherwise."""
    try:
        return service.period(since, until)
    except InvalidPeriodError as error:
        raise InvalidPeriodError(f"日期范围不正确：{error}") from None


def table_frame(service: AnalyticsService, name: str, period: Period, limit: int = ROW_LIMIT) -> pd.DataFrame:
    """The named analytics table with Chinese column names (columns present even with no rows)."""
    table = build_table(service, name, period, limit)
    frame = pd.DataFrame(table.rows, columns=list(table.columns))
    if name == "summary":
        frame["metric"] = frame["metric"].map(lambda m: SUMMARY_LABELS.get(str(m), str(m)))
    return frame.rename(columns=COLUMN_LABELS)


def trends_chart(trends: pd.DataFrame) -> pd.DataFrame:
    """Daily trends in long form (日期 as datetime, 指标, 数量) for a line chart with one line per 指标."""
    columns = ["日期", "指标", "数量"]
    if trends.empty:
        return pd.DataFrame(columns=columns)
    series = [COLUMN_LABELS[s] for s in TREND_SERIES]
    long = trends.melt(id_vars=["日期"], value_vars=series, var_name="指标", value_name="数量")
    long["日期"] = pd.to_datetime(long["日期"])
    long["数量"] = long["数量"].astype(int)
    return long[columns]


def topics_chart(topics: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The ``top`` unanswered topics (话题, 次数), largest first."""
    if topics.empty:
        return pd.DataFrame(columns=["话题", "次数"])
    return topics[["话题", "次数"]].head(top).astype({"次数": int})


def handoff_chart(reasons: pd.DataFrame) -> pd.DataFrame:
    """Handoffs per reason (原因, 次数), tickets and chat replies together, largest first."""
    if reasons.empty:
        return pd.DataFrame(columns=["原因", "次数"])
    grouped = reasons.groupby("原因", as_index=False)["次数"].sum().astype({"次数": int})
    return grouped.sort_values(["次数", "原因"], ascending=[False, True]).reset_index(drop=True)


def sla_chart(sla: pd.DataFrame) -> pd.DataFrame:
    """Tickets per category by how they stand against the 办结 deadline (类别, 状态, 工单数), for stacking."""
    columns = ["类别", "状态", "工单数"]
    by_category = sla[sla["维度"] == "category"] if not sla.empty else sla
    if by_category.empty:
        return pd.DataFrame(columns=columns)
    states = [COLUMN_LABELS[s] for s in SLA_STATES]
    long = by_category.melt(id_vars=["分组"], value_vars=states, var_name="状态", value_name="工单数")
    long = long.rename(columns={"分组": "类别"}).astype({"工单数": int})
    return long[columns]


def write_csv(service: AnalyticsService, name: str, period: Period, folder: Path | None = None) -> Path:
    """The named table as a UTF-8 CSV file (with BOM, for Excel) in ``folder`` (by default a new folder
    in the pages' file cache, deleted with it after the retention period)."""
    table = build_table(service, name, period, 10_000)
    folder = folder or Path(tempfile.mkdtemp(prefix="export-", dir=page_file_folder("exports")))
    target = folder / f"{name}.csv"
    target.write_text(to_csv(table).removeprefix("\ufeff"), encoding=CSV_ENCODING, newline="")
    return target
