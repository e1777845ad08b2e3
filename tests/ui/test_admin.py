"""Tests for the operator dashboard (ui.admin*): log-in rules, knowledge status and upload, analytics
frames, report discovery, and that the page builds and serves at ``/admin/`` — all without a browser.

Knowledge tests run on services of their own (an empty index on a temp dir); analytics tests use the
shared indexed services with their records on a fresh SQLite database (``services_on``).
"""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import cast

import gradio as gr
import pandas as pd
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from assistant.analytics.export import TABLES
from assistant.analytics.feedback import record_answer_feedback
from assistant.analytics.period import InvalidPeriodError
from assistant.components.database import make_engine
from assistant.container import Services, build_services
from assistant.handoff.staff import Role
from assistant.settings import Settings
from ingest.models import MAX_UPLOAD_BYTES
from tests.handoff_db import services_on
from ui.admin import AdminPage, build_admin_app
from ui.admin_access import NEEDS_ADMIN, WRONG_LOGIN, AdminAccessError, admin_login, require_admin
from ui.admin_analytics import (
    TABLE_LABELS,
    handoff_chart,
    parse_period,
    sla_chart,
    table_frame,
    topics_chart,
    trends_chart,
    write_csv,
)
from ui.admin_knowledge import KnowledgeAdmin, documents_frame, status_frame, stored_name
from ui.admin_reports import (
    NO_REPORT,
    find_reports,
    headline_chart,
    headline_frame,
    pick_report,
    report_markdown,
)

PASSWORD = "correct-horse-battery"
POLICY_MD = """# 关于试行电子证照互认的通知

## 一、适用范围
本市政务服务窗口办理户口迁移、社会保险登记等事项时，申请人可以出示电子证照代替纸质证件。

## 二、办理方式
工作人员通过一体化政务服务平台核验电子证照，核验通过的不再收取复印件。
"""


@pytest.fixture
def own_services(make_settings: Callable[..., Settings]) -> Iterator[Services]:
    """Services on an empty index and database of their own (so uploads touch nothing shared)."""
    built = build_services(make_settings(guide_enabled=False, index_guides=False))
    yield built
    built.close()


@pytest.fixture
def records(chat_services: Services, tmp_path: Path) -> Iterator[Services]:
    """The shared indexed services with chats, tickets and ratings on a fresh database."""
    engine = make_engine(f"sqlite:///{tmp_path / 'admin.db'}")
    yield services_on(chat_services, engine)
    engine.dispose()


def staff(services: Services, role: Role) -> str:
    name = f"{role.value}1"
    services.auth.create_user(name, PASSWORD, role)
    return name


# ------------------------------------------------------------------------------------- access


def test_admin_logs_in_and_the_token_is_checked(own_services: Services) -> None:
    login = admin_login(own_services.auth, staff(own_services, Role.ADMIN), PASSWORD)
    assert require_admin(own_services.auth, login.token).role is Role.ADMIN
    assert "管理员" in login.greeting
    own_services.auth.logout(login.token)
    with pytest.raises(AdminAccessError, match="重新登录"):
        require_admin(own_services.auth, login.token)


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_agents_and_supervisors_are_refused_clearly(own_services: Services, role: Role) -> None:
    with pytest.raises(AdminAccessError) as refused:
        admin_login(own_services.auth, staff(own_services, role), PASSWORD)
    assert str(refused.value) == NEEDS_ADMIN and "需要管理员权限" in NEEDS_ADMIN
    token = own_services.auth.login(f"{role.value}1", PASSWORD).token
    with pytest.raises(AdminAccessError, match="需要管理员权限"):
        require_admin(own_services.auth, token)


def test_wrong_password_and_missing_token_are_refused(own_services: Services) -> None:
    name = staff(own_services, Role.ADMIN)
    with pytest.raises(AdminAccessError, match=WRONG_LOGIN):
        admin_login(own_services.auth, name, "not-the-password")
    with pytest.raises(AdminAccessError):
        require_admin(own_services.auth, None)


# ------------------------------------------------------------------------------------ knowledge


def test_upload_indexes_a_markdown_document(own_services: Services, tmp_path: Path) -> None:
    source = tmp_path / "电子证照 互认 通知.md"
    source.write_text(POLICY_MD, encoding="utf-8")
    seen: list[tuple[float, str]] = []
    outcome = KnowledgeAdmin(own_services).upload(source, source.name, lambda f, d: seen.append((f, d)))

    assert outcome.ok, outcome.message
    assert len(outcome.added) == 1 and not outcome.failed and "新增 1 个" in outcome.message
    stats = own_services.index.stats()
    assert stats["chunks"] > 0 and stats["documents"] == 1 and stats["last_ingest_at"]
    stored = own_services.settings.data_dir / "uploads_knowledge" / stored_name(source.name)
    assert stored.is_file() and " " not in stored.name
    assert seen[-1][0] == 1.0 and [f for f, _ in seen] == sorted(f for f, _ in seen)

    status = dict(status_frame(own_services).itertuples(index=False, name=None))
    assert status["文档数"] == "1" and status["文本块数"] == str(stats["chunks"])
    documents = documents_frame(own_services)
    assert documents["文本块数"].sum() == stats["chunks"]
    assert documents["标题"].tolist() == ["关于试行电子证照互认的通知"]
    assert own_services.retriever.search("电子证照 复印件", k=1)

    source.write_text(POLICY_MD + "\n## 三、施行日期\n本通知自发布之日起施行。\n", encoding="utf-8")
    again = KnowledgeAdmin(own_services).upload(source, source.name)
    assert again.ok and len(again.updated) == 1 and "已更新" in again.message


def test_a_corrupt_pdf_is_refused_and_nothing_changes(own_services: Services, tmp_path: Path) -> None:
    good = tmp_path / "notice.md"
    good.write_text(POLICY_MD, encoding="utf-8")
    admin = KnowledgeAdmin(own_services)
    assert admin.upload(good, good.name).ok
    before = own_services.index.stats()
    folder = own_services.settings.data_dir / "uploads_knowledge"
    files_before = sorted(p.name for p in folder.rglob("*") if p.is_file())

    corrupt = tmp_path / "broken.pdf"
    corrupt.write_bytes(b"%PDF-1.4 this is not really a pdf")
    outcome = admin.upload(corrupt, corrupt.name)

    assert not outcome.ok and "无法读取" in outcome.message and "broken.pdf" in outcome.message
    assert str(tmp_path) not in outcome.message and "Traceback" not in outcome.message
    assert outcome.failed and not outcome.added
    assert own_services.index.stats() == before
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == files_before


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("tool.exe", b"MZ", "不支持的文件类型"),
        ("empty.txt", b"", "空文件"),
        ("blank.md", b"   \n\n", "无法读取"),
    ],
)
def test_bad_uploads_get_clear_messages(
    own_services: Services, tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    outcome = KnowledgeAdmin(own_services).upload(path, name)
    assert not outcome.ok and expected in outcome.message
    assert own_services.index.stats()["chunks"] == 0


def test_oversized_upload_is_refused(own_services: Services, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_UPLOAD_BYTES + 1)
    outcome = KnowledgeAdmin(own_services).upload(path, path.name)
    assert not outcome.ok and "上限" in outcome.message


def test_a_name_that_clashes_with_an_indexed_document_is_rolled_back(
    own_services: Services, tmp_path: Path
) -> None:
    admin = KnowledgeAdmin(own_services)
    first = tmp_path / "notice.md"
    first.write_text(POLICY_MD, encoding="utf-8")
    assert admin.upload(first, first.name).ok
    before = own_services.index.stats()
    clash = tmp_path / "notice.txt"  # same document id ("notice"), another file
    clash.write_text("本通知的纯文本版本，内容与原通知相同。", encoding="utf-8")
    outcome = admin.upload(clash, clash.name)
    assert not outcome.ok and "索引未改变" in outcome.message
    assert own_services.index.stats()["chunks"] == before["chunks"]
    assert not (own_services.settings.data_dir / "uploads_knowledge" / "notice.txt").exists()


def test_stored_names_are_made_by_the_server() -> None:
    assert stored_name("../../etc/通知 2024.MD") == "通知-2024.md"
    assert "/" not in stored_name("a/b/c.pdf") and stored_name("a/b/c.pdf").endswith(".pdf")


# ------------------------------------------------------------------------------------ analytics


def test_analytics_frames_on_seeded_records(records: Services) -> None:
    chat = records.chat
    answered = chat.reply("一网通办是什么")
    record_answer_feedback(records.analytics.engine, answered.message_id, "差", "信息过时", "太旧了")
    chat.reply("今天天气怎么样", answered.session_id)
    chat.request_handoff(answered.session_id)
    service, period = records.analytics, parse_period(records.analytics, "", "")

    summary = table_frame(service, "summary", period)
    assert list(summary.columns) == ["指标", "数值"] and "提问数" in summary["指标"].tolist()
    trends = trends_chart(table_frame(service, "trends", period))
    assert list(trends.columns) == ["日期", "指标", "数量"] and trends["数量"].sum() > 0
    assert pd.api.types.is_datetime64_any_dtype(trends["日期"])
    worst = table_frame(service, "worst_answers", period)
    assert {"问题", "回答", "差评原因", "意见", "引用来源"} <= set(worst.columns)
    assert worst["差评原因"].tolist() == ["信息过时"]
    handoffs = handoff_chart(table_frame(service, "handoff_reasons", period))
    assert list(handoffs.columns) == ["原因", "次数"] and handoffs["次数"].sum() >= 1
    sla = sla_chart(table_frame(service, "sla", period))
    assert list(sla.columns) == ["类别", "状态", "工单数"] and sla["工单数"].sum() >= 1
    topics = topics_chart(table_frame(service, "unanswered_topics", period))
    assert list(topics.columns) == ["话题", "次数"]

    csv_path = write_csv(service, "worst_answers", period, records.settings.data_dir)
    text = csv_path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("message_id,") and "信息过时" in text


def test_analytics_frames_are_empty_but_valid_on_an_empty_database(own_services: Services) -> None:
    service = own_services.analytics
    period = parse_period(service, "2026-03-01", "2026-03-31")
    for name in TABLES:
        frame = table_frame(service, name, period)
        assert len(frame.columns) > 0, name
    assert trends_chart(table_frame(service, "trends", period))["数量"].sum() == 0
    assert handoff_chart(table_frame(service, "handoff_reasons", period)).empty
    assert sla_chart(table_frame(service, "sla", period)).empty
    assert topics_chart(table_frame(service, "unanswered_topics", period)).empty
    assert set(TABLE_LABELS) == set(TABLES)


def test_a_bad_date_range_has_a_chinese_message(own_services: Services) -> None:
    with pytest.raises(InvalidPeriodError, match="日期范围不正确"):
        parse_period(own_services.analytics, "2026-03-31", "2026-03-01")
    with pytest.raises(InvalidPeriodError, match="日期"):
        parse_period(own_services.analytics, "yesterday", "")


# -------------------------------------------------------------------------------------- reports


def write_report(folder: Path, metrics: object, markdown: str | None = None) -> None:
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    if markdown is not None:
        (folder / "report.md").write_text(markdown, encoding="utf-8")


def test_reports_are_discovered_and_summarised(tmp_path: Path) -> None:
    assert find_reports(tmp_path / "missing") == []
    assert report_markdown(pick_report([], None)) == NO_REPORT and "make bench" in NO_REPORT

    write_report(
        tmp_path / "routing",
        {"tasks": {"department": {"accuracy": 0.91, "per_class": {"x": {"f1": 0.5}}, "meets_target": True}}},
        "# Routing\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    )
    write_report(
        tmp_path / "policy_qa_answers",
        {"n": 40, "answers": {"outcome_accuracy": 0.95, "answer_latency_ms.p95": 12.5}, "items": [{"x": 1}]},
    )
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "metrics.json").write_text("{not json", encoding="utf-8")
    os.utime(tmp_path / "routing" / "report.md", (2_000_000_000, 2_000_000_000))

    reports = find_reports(tmp_path)
    assert reports[0].name == "routing"  # the newest first
    assert {r.name for r in reports} == {"routing", "policy_qa_answers", "broken"}
    table = headline_frame(reports)
    assert list(table.columns) == ["基准", "指标", "数值", "日期"]
    shown = set(zip(table["基准"], table["指标"], strict=True))
    assert ("派单", "tasks.department.accuracy") in shown
    assert ("政策问答·回答", "answers.outcome_accuracy") in shown
    assert not any("per_class" in key for key in table["指标"])
    chart = headline_chart(reports)
    assert set(chart["数值"]) == {0.91, 0.95}  # shares only: no latency, no counts
    assert "| a | b |" in report_markdown(pick_report(reports, None))
    answers = next(r for r in reports if r.name == "policy_qa_answers")
    assert "没有 report.md" in report_markdown(pick_report(reports, answers.choice))
    broken = next(r for r in reports if r.name == "broken")
    assert "无法读取" in report_markdown(broken)


# ----------------------------------------------------------------------------------------- page


def test_the_page_builds_and_is_served_at_admin(own_services: Services, tmp_path: Path) -> None:
    blocks = build_admin_app(own_services, reports_dir=tmp_path, today=lambda: date(2026, 3, 20))
    assert isinstance(blocks, gr.Blocks)
    labels = {getattr(block, "label", None) for block in blocks.blocks.values()}
    assert {"用户名", "密码", "索引状态", "每日趋势", "导出哪张表", "查看报告", "报告图表"} <= labels
    app = gr.mount_gradio_app(FastAPI(), blocks, path="/admin")
    with TestClient(app) as client:
        response = client.get("/admin/")
    assert response.status_code == 200
    assert "运营管理" in response.text


def test_page_handlers_log_in_load_data_and_send_others_back(own_services: Services, tmp_path: Path) -> None:
    with gr.Blocks():
        page = AdminPage(own_services, tmp_path, lambda: date(2026, 3, 20))
    refused = page.on_login(staff(own_services, Role.AGENT), PASSWORD)
    assert refused[page.login_message] == NEEDS_ADMIN and page.token not in refused

    shown = page.on_login(staff(own_services, Role.ADMIN), PASSWORD)
    token = shown[page.token]
    assert token and shown[page.dashboard]["visible"] is True
    assert (shown[page.since], shown[page.until]) == ("2026-02-19", "2026-03-20")
    assert list(shown[page.status].columns) == ["项目", "数值"]
    assert shown[page.report_view] == NO_REPORT
    assert shown[page.report_charts] == []  # no report, no charts

    source = tmp_path / "notice.md"
    source.write_text(POLICY_MD, encoding="utf-8")
    progress = cast(gr.Progress, lambda fraction, desc=None: None)
    uploaded = page.on_upload(token, str(source), progress)
    assert uploaded[page.ingest_message].startswith("完成：") and not shown[page.documents].shape[0]
    assert uploaded[page.documents].shape[0] == 1

    bad_range = page.on_export(token, "summary", "2026-03-31", "2026-03-01")
    assert "日期范围不正确" in bad_range[page.notice]
    exported = page.on_export(token, "summary", "2026-03-01", "2026-03-31")
    assert Path(exported[page.export_file]).read_text(encoding="utf-8-sig").startswith("metric,value")

    logged_out = page.on_logout(token)
    assert logged_out[page.dashboard]["visible"] is False and logged_out[page.token] is None
    after = page.on_upload(token, str(source), progress)
    assert "重新登录" in after[page.login_message] and after[page.login_box]["visible"] is True
