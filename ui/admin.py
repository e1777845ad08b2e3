"""The operator dashboard at ``/admin``: knowledge status and upload, 好差评/堵点 analytics, eval reports.

A Gradio client of the ``Services`` only. Staff log in with their username and password; only the admin
role gets in, and every action re-checks the token (an expired log-in returns to the log-in form). The
data comes from the plain functions in ``ui.admin_knowledge``, ``ui.admin_analytics`` and
``ui.admin_reports``; this module only lays out the page and turns failures into short messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.analytics.period import CHINA_TZ, InvalidPeriodError
from assistant.container import Services
from assistant.index.knowledge_uploads import UPLOAD_SUFFIXES
from assistant.settings import PROJECT_ROOT
from ingest.models import MAX_UPLOAD_BYTES
from ui.admin_access import AdminAccessError, admin_login, admin_logout, require_admin
from ui.admin_analytics import (
    TABLE_LABELS,
    default_range,
    handoff_chart,
    parse_period,
    sla_chart,
    table_frame,
    topics_chart,
    trends_chart,
    write_csv,
)
from ui.admin_knowledge import (
    KnowledgeAdmin,
    documents_frame,
    format_bytes,
)
from ui.admin_knowledge import status_frame as knowledge_status_frame
from ui.admin_reports import (
    find_reports,
    headline_chart,
    headline_frame,
    materialise_shared_reports,
    pick_report,
    report_charts,
    report_markdown,
)
from ui.page_messages import install_chinese_messages
from ui.page_regions import install_region_names

logger = logging.getLogger(__name__)

TITLE = "政务服务智能助手 · 运营管理"
FAILURE_TEXT = "操作失败，请稍后再试；如果一直失败，请查看服务器日志。"
API_VISIBILITY = "private"
ANALYTICS_TABLES: tuple[str, ...] = (
    "unanswered_topics",
    "worst_answers",
    "worst_sources",
    "feedback_reasons",
)
"""The analytics tables shown under the charts."""

REGION_NAMES = {
    "admin-login-message": "登录提示",
    "admin-user": "当前用户",
    "admin-notice": "操作结果",
    "knowledge-message": "导入结果",
    "reports-markdown": "报告内容",
}
"""Names of the text boxes a keyboard can reach (see ``ui.page_regions``), by element id."""

Updates = dict[Any, Any]


def _today() -> date:
    return datetime.now(CHINA_TZ).date()


class AdminPage:
    """The dashboard's components and handlers (built inside a ``gr.Blocks`` context)."""

    def __init__(self, services: Services, reports_dir: Path, today: Callable[[], date]) -> None:
        self.services, self.reports_dir, self.today = services, reports_dir, today
        self.knowledge = KnowledgeAdmin(services)
        self.tables: dict[str, gr.Dataframe] = {}
        self._layout()

    # ------------------------------------------------------------------------------------ layout

    def _layout(self) -> None:
        self.token = gr.State(None)
        gr.Markdown(f"## {TITLE}")
        with gr.Column(elem_id="admin-login") as self.login_box:
            self.username = gr.Textbox(label="用户名", elem_id="admin-username", max_lines=1)
            self.password = gr.Textbox(label="密码", type="password", elem_id="admin-password", max_lines=1)
            self.login_button = gr.Button("登录", variant="primary", elem_id="admin-login-button")
            self.login_message = gr.Markdown(elem_id="admin-login-message")
        with gr.Column(visible=False, elem_id="admin-dashboard") as self.dashboard:
            with gr.Row():
                self.who = gr.Markdown(elem_id="admin-user")
                self.logout_button = gr.Button("退出登录", elem_id="admin-logout", size="sm", min_width=0)
            self.notice = gr.Markdown(elem_id="admin-notice")
            with gr.Tabs():
                with gr.Tab("知识库", elem_id="tab-knowledge"):
                    self._knowledge_tab()
                with gr.Tab("好差评与堵点", elem_id="tab-analytics"):
                    self._analytics_tab()
                with gr.Tab("评测报告", elem_id="tab-reports"):
                    self._reports_tab()

    def _knowledge_tab(self) -> None:
        self.status = gr.Dataframe(label="索引状态", interactive=False, elem_id="knowledge-status")
        types = " ".join(s for s in UPLOAD_SUFFIXES if s != ".htm")
        self.upload = gr.File(
            label=f"上传新文档（{types}，不超过 {format_bytes(MAX_UPLOAD_BYTES)}）",
            file_types=list(UPLOAD_SUFFIXES),
            type="filepath",
            elem_id="knowledge-upload",
        )
        with gr.Row():
            self.upload_button = gr.Button("导入并索引", variant="primary", elem_id="knowledge-ingest")
            self.reindex_button = gr.Button("重新索引全部知识", elem_id="knowledge-reindex")
        self.ingest_message = gr.Markdown(elem_id="knowledge-message")
        self.documents = gr.Dataframe(
            label="已索引的文档", interactive=False, max_height=420, elem_id="knowledge-documents"
        )

    def _analytics_tab(self) -> None:
        with gr.Row():
            self.since = gr.Textbox(label="开始日期（YYYY-MM-DD）", max_lines=1, elem_id="analytics-since")
            self.until = gr.Textbox(label="结束日期（YYYY-MM-DD）", max_lines=1, elem_id="analytics-until")
            self.refresh = gr.Button("查询", variant="primary", elem_id="analytics-refresh", min_width=0)
        self.summary = gr.Dataframe(label="总体情况", interactive=False, elem_id="analytics-summary")
        self.trends = gr.LinePlot(x="日期", y="数量", color="指标", label="每日趋势", elem_id="chart-trends")
        with gr.Row():
            self.topics = gr.BarPlot(
                x="话题", y="次数", label="未解答话题（堵点）前十", sort="-y", elem_id="chart-topics"
            )
            self.handoffs = gr.BarPlot(
                x="原因", y="次数", label="转人工原因", sort="-y", elem_id="chart-handoff"
            )
        self.sla = gr.BarPlot(
            x="类别", y="工单数", color="状态", label="各类别工单办结情况（SLA）", elem_id="chart-sla"
        )
        for name in ANALYTICS_TABLES:
            self.tables[name] = gr.Dataframe(
                label=TABLE_LABELS[name],
                interactive=False,
                wrap=True,
                max_height=360,
                elem_id=f"table-{name}",
            )
        with gr.Row():
            self.export_pick = gr.Dropdown(
                choices=[(label, name) for name, label in TABLE_LABELS.items()],
                value="worst_answers",
                label="导出哪张表",
                elem_id="export-table",
            )
            self.export_button = gr.Button("导出 CSV", elem_id="export-button", min_width=0)
        self.export_file = gr.File(label="CSV 文件（点击下载）", interactive=False, elem_id="export-file")

    def _reports_tab(self) -> None:
        self.reload_reports = gr.Button("刷新报告", elem_id="reports-refresh")
        self.headlines = gr.Dataframe(
            label="各项评测的主要指标", interactive=False, elem_id="reports-headlines"
        )
        self.headline_plot = gr.BarPlot(
            x="指标",
            y="数值",
            color="基准",
            label="比例类指标（0–1）",
            y_lim=[0, 1],
            x_label_angle=-30,
            elem_id="chart-reports",
        )
        self.report_pick = gr.Dropdown(choices=[], label="查看报告", elem_id="reports-pick")
        self.report_view = gr.Markdown(elem_id="reports-markdown")
        self.report_charts = gr.Gallery(label="报告图表", columns=2, elem_id="reports-charts")

    # ---------------------------------------------------------------------------------- handlers

    def _denied(self, error: AdminAccessError) -> Updates:
        return {
            self.token: None,
            self.login_box: gr.update(visible=True),
            self.dashboard: gr.update(visible=False),
            self.login_message: str(error),
        }

    def _guarded(self, token: str | None, work: Callable[[], Updates], message: Any) -> Updates:
        """Run ``work`` for an admin; a refusal shows the log-in form, a failure a short message."""
        try:
            require_admin(self.services.auth, token)
            return work()
        except AdminAccessError as error:
            return self._denied(error)
        except InvalidPeriodError as error:
            return {message: str(error)}
        except Exception:
            logger.exception("admin dashboard action failed")
            return {message: FAILURE_TEXT}

    def knowledge_updates(self) -> Updates:
        return {
            self.status: knowledge_status_frame(self.services),
            self.documents: documents_frame(self.services),
        }

    def analytics_updates(self, since: str, until: str) -> Updates:
        service = self.services.analytics
        period = parse_period(service, since, until)
        trends = table_frame(service, "trends", period)
        frames = {name: table_frame(service, name, period) for name in ANALYTICS_TABLES}
        return {
            self.summary: table_frame(service, "summary", period),
            self.trends: trends_chart(trends),
            self.topics: topics_chart(frames["unanswered_topics"]),
            self.handoffs: handoff_chart(table_frame(service, "handoff_reasons", period)),
            self.sla: sla_chart(table_frame(service, "sla", period)),
            **{self.tables[name]: frame for name, frame in frames.items()},
            self.notice: f"统计期间：{period.describe()}",
        }

    def reports_updates(self, choice: str | None = None) -> Updates:
        materialise_shared_reports(self.services.settings, self.services.store.engine, self.reports_dir)
        reports = find_reports(self.reports_dir)
        chosen = pick_report(reports, choice)
        return {
            self.headlines: headline_frame(reports),
            self.headline_plot: headline_chart(reports),
            self.report_pick: gr.update(
                choices=[r.choice for r in reports], value=chosen.choice if chosen else None
            ),
            self.report_view: report_markdown(chosen),
            self.report_charts: report_charts(chosen),
        }

    def on_login(self, username: str, password: str) -> Updates:
        try:
            login = admin_login(self.services.auth, username, password)
        except AdminAccessError as error:
            return {self.login_message: str(error), self.password: ""}
        since, until = default_range(self.today())
        shown: Updates = {
            self.token: login.token,
            self.login_box: gr.update(visible=False),
            self.dashboard: gr.update(visible=True),
            self.login_message: "",
            self.password: "",
            self.who: login.greeting,
            self.since: since,
            self.until: until,
        }
        return shown | self._guarded(
            login.token,
            lambda: self.knowledge_updates() | self.analytics_updates(since, until) | self.reports_updates(),
            self.notice,
        )

    def on_logout(self, token: str | None) -> Updates:
        try:
            admin_logout(self.services.auth, token)
        except Exception:
            logger.exception("admin log-out failed")
        return self._denied(AdminAccessError("已退出登录。"))

    def on_upload(self, token: str | None, path: str | None, progress: gr.Progress) -> Updates:
        if not path:
            return {self.ingest_message: "请先选择要上传的文件。"}

        def work() -> Updates:
            outcome = self.knowledge.upload(Path(path), Path(path).name, lambda f, d: progress(f, desc=d))
            mark = "完成：" if outcome.ok else "未完成："
            return {self.ingest_message: f"{mark}{outcome.message}"} | self.knowledge_updates()

        return self._guarded(token, work, self.ingest_message)

    def on_reindex(self, token: str | None, progress: gr.Progress) -> Updates:
        def work() -> Updates:
            outcome = self.knowledge.reindex_all(lambda f, d: progress(f, desc=d))
            failures = "".join(f"\n- {reason}" for reason in list(outcome.failed.values())[:10])
            mark = "完成：" if outcome.ok else "未完成："
            return {self.ingest_message: f"{mark}{outcome.message}{failures}"} | self.knowledge_updates()

        return self._guarded(token, work, self.ingest_message)

    def on_export(self, token: str | None, name: str, since: str, until: str) -> Updates:
        def work() -> Updates:
            period = parse_period(self.services.analytics, since, until)
            path = write_csv(self.services.analytics, name or "summary", period)
            return {self.export_file: str(path), self.notice: f"已导出「{TABLE_LABELS.get(name, name)}」。"}

        return self._guarded(token, work, self.notice)

    # ----------------------------------------------------------------------------------- events

    def wire(self) -> None:
        everything = [
            self.token, self.login_box, self.dashboard, self.login_message, self.password, self.who,
            self.notice, self.since, self.until, self.status, self.documents, self.ingest_message,
            self.summary, self.trends, self.topics, self.handoffs, self.sla, *self.tables.values(),
            self.export_file, self.headlines, self.headline_plot, self.report_pick, self.report_view,
            self.report_charts,
        ]  # fmt: skip
        shared: dict[str, Any] = {"outputs": everything, "api_visibility": API_VISIBILITY}
        gr.on([self.login_button.click, self.password.submit], self.on_login, [self.username, self.password],
              **shared)  # fmt: skip
        self.logout_button.click(self.on_logout, [self.token], **shared)

        def upload(token: str | None, path: str | None, progress: gr.Progress = gr.Progress()) -> Updates:  # noqa: B008
            return self.on_upload(token, path, progress)

        def reindex(token: str | None, progress: gr.Progress = gr.Progress()) -> Updates:  # noqa: B008
            return self.on_reindex(token, progress)

        ingest: dict[str, Any] = {**shared, "concurrency_id": "admin-ingest", "concurrency_limit": 1}
        self.upload_button.click(upload, [self.token, self.upload], **ingest)
        self.reindex_button.click(reindex, [self.token], **ingest)

        def analytics(token: str | None, since: str, until: str) -> Updates:
            return self._guarded(token, lambda: self.analytics_updates(since, until), self.notice)

        gr.on([self.refresh.click, self.since.submit, self.until.submit], analytics,
              [self.token, self.since, self.until], **shared)  # fmt: skip
        self.export_button.click(
            self.on_export, [self.token, self.export_pick, self.since, self.until], **shared
        )

        def reports(token: str | None, choice: str | None) -> Updates:
            return self._guarded(token, lambda: self.reports_updates(choice), self.notice)

        self.reload_reports.click(reports, [self.token, self.report_pick], **shared)
        self.report_pick.input(reports, [self.token, self.report_pick], **shared)


def build_admin_app(
    services: Services, *, reports_dir: Path | None = None, today: Callable[[], date] = _today
) -> gr.Blocks:
    """The dashboard page; ``reports_dir`` defaults to ``<project>/reports``."""
    app = gr.Blocks(title=TITLE, analytics_enabled=False)
    with app:
        AdminPage(services, reports_dir or PROJECT_ROOT / "reports", today).wire()
        install_chinese_messages(app)
        install_region_names(app, REGION_NAMES)
    return app
