"""The dashboard shows the evaluation reports made on other machines (shared database, production profile).

Machine A publishes its report folder (``govassist publish-report``); machine B, with a ``reports/`` of
its own, sees it with its headline figures and charts when the reports view is refreshed. With local
state nothing touches the database, and a database failure leaves the local reports on show. On SQLite
and PostgreSQL (see ``tests.handoff_db``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Literal

import gradio as gr
import pytest
from typer.testing import CliRunner

from assistant.analytics.shared_reports import SharedReportStore
from assistant.cli import app
from assistant.components.database import make_engine
from assistant.container import build_services
from assistant.settings import Settings
from tests.handoff_db import BACKENDS, database_engine
from tests.ui.test_admin_reports import WORKBENCH, _png
from ui.admin import AdminPage
from ui.admin_reports import find_reports, headlines, materialise_shared_reports, report_charts

StoreKind = Literal["auto", "local", "database"]


@pytest.fixture(params=BACKENDS)
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_engine(request.param, tmp_path) as engine:
        yield engine.url.render_as_string(hide_password=False)


def settings_for(url: str, store: StoreKind) -> Settings:
    return Settings(_env_file=None, database_url=url, shared_state_store=store)  # type: ignore[call-arg]


def workbench_run(reports: Path) -> Path:
    folder = reports / "eval"
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps(WORKBENCH), encoding="utf-8")
    (folder / "report.md").write_text("# Evaluation workbench report\n", encoding="utf-8")
    (folder / "report.html").write_text(
        f'<img alt="retrieval scores" src="data:image/png;base64,{_png("red")}">'
        f'<img alt="latencies" src="data:image/png;base64,{_png("blue")}">',
        encoding="utf-8",
    )
    return folder


def publish(url: str, store: StoreKind, *folders: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("GOVASSIST_DATABASE_URL", url)
    monkeypatch.setenv("GOVASSIST_SHARED_STATE_STORE", store)
    result = CliRunner().invoke(app, ["publish-report", *map(str, folders)])
    return result.exit_code, result.output


def test_a_report_published_on_one_machine_is_on_anothers_dashboard(
    shared_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = workbench_run(tmp_path / "a" / "reports")
    code, output = publish(shared_url, "database", run, monkeypatch=monkeypatch)
    assert code == 0 and "shared" in output, output

    reports_b = tmp_path / "b" / "reports"
    engine = make_engine(shared_url)
    try:
        assert find_reports(reports_b) == []
        assert materialise_shared_reports(settings_for(shared_url, "database"), engine, reports_b) == ["eval"]
    finally:
        engine.dispose()
    (report,) = find_reports(reports_b)
    assert report.title == "评测工作台"
    assert headlines(report.metrics) == [("retrieval.source_at_1", 0.807), ("guide.top3", 0.979)]
    assert [caption for _, caption in report_charts(report)] == ["retrieval scores", "latencies"]

    code, output = publish(shared_url, "database", run, tmp_path / "missing", monkeypatch=monkeypatch)
    assert code == 1 and "not shared: the shared copy is as new" in output and "missing" in output

    withdrawn = CliRunner().invoke(app, ["unpublish-report", "eval"])
    assert withdrawn.exit_code == 0 and "eval: withdrawn from every dashboard" in withdrawn.output
    engine = make_engine(shared_url)
    try:
        materialise_shared_reports(settings_for(shared_url, "database"), engine, reports_b)
    finally:
        engine.dispose()
    assert find_reports(reports_b) == [] and find_reports(run.parent)  # gone from b; a's own run stays
    again = CliRunner().invoke(app, ["unpublish-report", "eval"])
    assert again.exit_code == 1 and "no shared report of that name" in again.output


def test_the_dashboard_refresh_writes_the_shared_reports_first(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    services = build_services(
        make_settings(shared_state_store="database", guide_enabled=False, index_guides=False)
    )
    try:
        SharedReportStore(services.store.engine).create_schema()
        SharedReportStore(services.store.engine).publish(workbench_run(tmp_path / "a" / "reports"))
        with gr.Blocks():
            page = AdminPage(services, tmp_path / "b" / "reports", lambda: date(2026, 3, 20))
        shown = page.reports_updates()
        assert len(shown[page.report_pick]["choices"]) == 1
        assert shown[page.report_pick]["value"].startswith("评测工作台")
        assert len(shown[page.report_charts]) == 2
        assert set(shown[page.headlines]["指标"]) == {"retrieval.source_at_1", "guide.top3"}
    finally:
        services.close()


def test_with_local_state_nothing_touches_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "local.db"
    url = f"sqlite:///{database}"
    run = workbench_run(tmp_path / "a" / "reports")
    code, output = publish(url, "local", run, monkeypatch=monkeypatch)
    assert code == 1 and "no report was shared" in output
    assert not database.exists()

    engine = make_engine(url)
    try:
        assert materialise_shared_reports(settings_for(url, "local"), engine, tmp_path / "b") == []
    finally:
        engine.dispose()
    assert not database.exists()


def test_a_database_failure_leaves_the_local_reports(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reports = tmp_path / "reports"
    workbench_run(reports)
    (tmp_path / "a-folder").mkdir()
    url = f"sqlite:///{tmp_path / 'a-folder'}"  # a folder, not a database: cannot be opened
    engine = make_engine(url)
    try:
        with caplog.at_level(logging.WARNING, logger="ui.admin_reports"):
            assert materialise_shared_reports(settings_for(url, "database"), engine, reports) == []
    finally:
        engine.dispose()
    assert "shared evaluation reports not read (OperationalError)" in caplog.text
    assert [report.name for report in find_reports(reports)] == ["eval"]
