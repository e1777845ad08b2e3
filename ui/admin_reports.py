"""The latest evaluation reports (``reports/<benchmark>/metrics.json`` and ``report.md``) for the dashboard.

Each benchmark writes its own ``metrics.json`` shape (see ``evals/``); the headline figures are picked
by name from the flattened numbers, leaving out per-item lists and per-class breakdowns. A workbench
run (``govassist eval``, ``reports/eval``) gives one headline per suite of its reference configuration,
and its charts are read back from the PNGs embedded in its ``report.html``. When settings keep state in
the shared database, the reports published there are written into the folder first
(:func:`materialise_shared_reports`), so every machine shows the latest ones. No Gradio here.
"""

from __future__ import annotations

import base64
import binascii
import html
import io
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from assistant.analytics.period import CHINA_TZ
from assistant.analytics.shared_reports import shared_report_store
from assistant.settings import Settings

log = logging.getLogger(__name__)

NO_REPORT = "还没有评测报告 (no report yet — run `make bench`)。"
MAX_MARKDOWN_CHARS = 200_000
MAX_HEADLINES = 12

BENCHMARK_NAMES: dict[str, str] = {
    "policy_qa": "政策问答·检索",
    "policy_qa_heldout": "政策问答·检索（留出集）",
    "policy_qa_answers": "政策问答·回答",
    "behaviour": "行为（拒答与转人工）",
    "msgabench": "MSGABench 留言检索",
    "guides": "智能导办",
    "prereview": "智能预审",
    "routing": "派单",
    "durability": "工单持久性",
    "queue_load": "工单队列负载",
    "load": "并发负载",
    "eval": "评测工作台",
    "eval-smoke": "评测工作台（冒烟）",
}
HEADLINE_KEYS: tuple[str, ...] = (
    "outcome_accuracy", "keyword_accuracy", "refuse_or_handoff_correct", "in_scope_wrongly_refused",
    "source_recall@1", "source_recall@5", "evidence_recall@5", "mrr", "top1", "top3",
    "decide_precision", "decide_recall", "false_trigger_rate", "accuracy", "macro_f1",
    "material_type_accuracy", "defect_recall", "false_alarm_rate_clean", "verdict_accuracy",
    "messages_lost", "tickets_lost", "messages_duplicated", "tickets_duplicated", "errors", "failures",
    "passed", "throughput_rps", "latency_ms.p95", "answer_latency_ms.p95",
)  # fmt: skip
"""Headline figures, in display order; a flattened key matches when it is one or ends in ``.<one>``."""
SKIPPED_KEYS = frozenset(
    {
        "items", "per_class", "majority_baseline", "by_category", "by_operation", "halves", "match_halves",
        "false_trigger_by_file", "stage_ms_p50", "recall_by_defect", "index", "catalogue", "restart_s",
        "model",
    }
)  # fmt: skip
MAX_CHARTS = 16
MAX_CHART_BYTES = 4_000_000
_IMG = re.compile(r'<img alt="([^"]*)" src="data:image/png;base64,([A-Za-z0-9+/=]+)">')
PRODUCT_SYSTEM = "hybrid"
"""Retrieval reports compare systems; the headline is the product's (hybrid) one."""


@dataclass(frozen=True)
class BenchmarkReport:
    """One benchmark's report folder."""

    name: str
    folder: Path
    modified: datetime
    metrics: dict[str, Any] = field(default_factory=dict)
    markdown: Path | None = None
    error: str = ""

    @property
    def title(self) -> str:
        return BENCHMARK_NAMES.get(self.name, self.name)

    @property
    def choice(self) -> str:
        """The label shown in the report picker."""
        return f"{self.title}（{self.modified.astimezone(CHINA_TZ):%Y-%m-%d %H:%M}）"


def _read_metrics(path: Path) -> tuple[dict[str, Any], str]:
    if not path.is_file():
        return {}, ""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return {}, f"metrics.json 无法读取（{type(error).__name__}）"
    return (data, "") if isinstance(data, dict) else ({}, "metrics.json 格式不正确")


def materialise_shared_reports(settings: Settings, engine: Engine, reports_dir: Path) -> list[str]:
    """Write the shared reports newer than (or missing from) ``reports_dir``; the names written.

    Nothing happens when settings keep state locally. A database or disk failure is logged and leaves
    the local reports as they are, so the dashboard still shows them.
    """
    try:
        store = shared_report_store(settings, engine)
        return store.materialise(reports_dir) if store is not None else []
    except (SQLAlchemyError, OSError) as error:
        log.warning("shared evaluation reports not read (%s); showing this machine's", type(error).__name__)
        return []


def find_reports(reports_dir: Path) -> list[BenchmarkReport]:
    """Every ``reports_dir/<name>/`` holding a metrics.json or a report.md, newest first."""
    if not reports_dir.is_dir():
        return []
    found: list[BenchmarkReport] = []
    for folder in sorted(p for p in reports_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        metrics_path, markdown = folder / "metrics.json", folder / "report.md"
        present = [p for p in (metrics_path, markdown) if p.is_file()]
        if not present:
            continue
        metrics, error = _read_metrics(metrics_path)
        modified = datetime.fromtimestamp(max(p.stat().st_mtime for p in present)).astimezone()
        found.append(
            BenchmarkReport(
                folder.name, folder, modified, metrics, markdown if markdown.is_file() else None, error
            )
        )
    return sorted(found, key=lambda r: (r.modified, r.name), reverse=True)


def flatten(metrics: dict[str, Any], prefix: str = "") -> dict[str, float | bool]:
    """Numeric and boolean leaves as ``a.b.c`` keys, leaving out lists and the skipped subtrees."""
    leaves: dict[str, float | bool] = {}
    for key, value in metrics.items():
        if key in SKIPPED_KEYS:
            continue
        name = f"{prefix}{key}"
        if key == "systems" and isinstance(value, dict) and value:
            chosen = PRODUCT_SYSTEM if PRODUCT_SYSTEM in value else next(iter(value))
            value = {chosen: value[chosen]}
        if isinstance(value, dict):
            leaves.update(flatten(value, f"{name}."))
        elif isinstance(value, bool | int | float):
            leaves[name] = value
    return leaves


def is_workbench(metrics: dict[str, Any]) -> bool:
    """Whether ``metrics`` is a workbench run's (configurations, suites, score directions)."""
    return isinstance(metrics.get("configs"), dict) and isinstance(metrics.get("directions"), dict)


def workbench_headlines(metrics: dict[str, Any]) -> list[tuple[str, float | bool]]:
    """``suite.metric`` of the reference configuration: each suite's first higher-is-better score."""
    configs = metrics["configs"]
    if not configs:
        return []
    suites = configs[next(iter(configs))].get("suites", {})
    picked: list[tuple[str, float | bool]] = []
    for suite, entry in suites.items():
        values = entry.get("metrics", {}) if isinstance(entry, dict) else {}
        directions = metrics["directions"].get(suite, {})
        for key, direction in directions.items():
            value = values.get(key)
            if direction == "higher" and isinstance(value, int | float):
                picked.append((f"{suite}.{key}", float(value)))
                break
    return picked


def headlines(metrics: dict[str, Any]) -> list[tuple[str, float | bool]]:
    """The headline figures of one report, in :data:`HEADLINE_KEYS` order (at most ``MAX_HEADLINES``);
    a workbench run's are one per suite."""
    if is_workbench(metrics):
        return workbench_headlines(metrics)
    leaves = flatten(metrics)
    picked: list[tuple[str, float | bool]] = []
    for wanted in HEADLINE_KEYS:
        for key, value in leaves.items():
            if (key == wanted or key.endswith(f".{wanted}")) and key not in dict(picked):
                picked.append((key, value))
    return picked[:MAX_HEADLINES]


def _shown(value: float | bool) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def headline_frame(reports: list[BenchmarkReport]) -> pd.DataFrame:
    """One row per headline figure: 基准, 指标, 数值 (as text), 日期."""
    rows = [
        (report.title, key, _shown(value), f"{report.modified.astimezone(CHINA_TZ):%Y-%m-%d}")
        for report in reports
        for key, value in headlines(report.metrics)
    ]
    return pd.DataFrame(rows, columns=["基准", "指标", "数值", "日期"])


def is_share(key: str, value: float | bool) -> bool:
    """Whether a figure is a share between 0 and 1 (what the bar chart compares)."""
    timing = any(part in key for part in ("latency", "_ms", "seconds", "rps"))
    return isinstance(value, float) and not timing and 0.0 <= value <= 1.0


def headline_chart(reports: list[BenchmarkReport]) -> pd.DataFrame:
    """The headline shares for a bar chart: 指标 (benchmark · figure), 数值, 基准."""
    rows = [
        (f"{report.title} · {key}", float(value), report.title)
        for report in reports
        for key, value in headlines(report.metrics)
        if is_share(key, value)
    ]
    return pd.DataFrame(rows, columns=["指标", "数值", "基准"])


def report_markdown(report: BenchmarkReport | None) -> str:
    """The report's Markdown (or a note when it has none); :data:`NO_REPORT` when there is no report."""
    if report is None:
        return NO_REPORT
    notes = [f"> 注意：{report.error}"] if report.error else []
    if report.markdown is None:
        return "\n\n".join([*notes, f"「{report.title}」只有 metrics.json，没有 report.md。"])
    try:
        text = report.markdown.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "\n\n".join([*notes, f"「{report.title}」的 report.md 无法读取。"])
    if len(text) > MAX_MARKDOWN_CHARS:
        text = text[:MAX_MARKDOWN_CHARS] + "\n\n…（报告过长，已截断）"
    return "\n\n".join([*notes, text])


def pick_report(reports: list[BenchmarkReport], choice: str | None) -> BenchmarkReport | None:
    """The report whose picker label is ``choice``; the newest when there is no such label."""
    return next((r for r in reports if r.choice == choice), reports[0] if reports else None)


def report_charts(report: BenchmarkReport | None) -> list[tuple[Any, str]]:
    """The charts of a report's ``report.html`` as (PIL image, caption), for a gallery; [] without any.

    At most :data:`MAX_CHARTS`, and none larger than :data:`MAX_CHART_BYTES`; an image that does not
    decode is left out.
    """
    if report is None:
        return []
    page = report.folder / "report.html"
    try:
        text = page.read_text(encoding="utf-8") if page.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return []
    from PIL import Image, UnidentifiedImageError

    charts: list[tuple[Any, str]] = []
    for match in _IMG.finditer(text):
        if len(charts) == MAX_CHARTS:
            break
        if len(match.group(2)) * 3 // 4 > MAX_CHART_BYTES:
            continue
        try:
            image = Image.open(io.BytesIO(base64.b64decode(match.group(2), validate=True)))
            image.load()
        except (binascii.Error, UnidentifiedImageError, OSError):
            continue
        charts.append((image, html.unescape(match.group(1))))
    return charts
