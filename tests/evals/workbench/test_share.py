"""``govassist eval`` publishes its run folder to the shared database when settings keep state there."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.analytics.shared_reports import SharedReportStore, produced_time
from assistant.components.database import make_engine
from evals.workbench.cli import run_eval
from evals.workbench.registry import SUITES
from tests.evals.workbench.test_runner import ScriptedSuite


@pytest.fixture(autouse=True)
def scripted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SUITES, "scripted", ScriptedSuite)


def shared_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store: str) -> Path:
    database = tmp_path / "shared.db"
    monkeypatch.setenv("GOVASSIST_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("GOVASSIST_SHARED_STATE_STORE", store)
    return database


def test_a_run_is_published_when_state_is_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = shared_database(monkeypatch, tmp_path, "database")
    run_dir = tmp_path / "reports" / "eval-mine"
    assert run_eval(["scripted"], [], run_dir, smoke=True, progress=False) == 0
    assert "report shared through the database" in capsys.readouterr().out
    engine = make_engine(f"sqlite:///{database}")
    try:
        store = SharedReportStore(engine)
        assert store.produced() == {"eval-mine": produced_time(run_dir)}
        assert store.materialise(tmp_path / "elsewhere") == ["eval-mine"]
    finally:
        engine.dispose()
    copy = tmp_path / "elsewhere" / "eval-mine"
    for file in ("metrics.json", "report.md", "report.html"):
        assert (copy / file).read_bytes() == (run_dir / file).read_bytes()


def test_a_run_with_local_state_touches_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = shared_database(monkeypatch, tmp_path, "local")
    assert run_eval(["scripted"], [], tmp_path / "run", smoke=True, progress=False) == 0
    assert "shared" not in capsys.readouterr().out and not database.exists()


def test_a_failed_publish_is_a_warning_not_a_failed_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-folder").mkdir()
    monkeypatch.setenv("GOVASSIST_DATABASE_URL", f"sqlite:///{tmp_path / 'a-folder'}")  # cannot be opened
    monkeypatch.setenv("GOVASSIST_SHARED_STATE_STORE", "database")
    assert run_eval(["scripted"], [], tmp_path / "run", smoke=True, progress=False) == 0
    assert "warning: report not shared: (sqlite3.OperationalError)" in capsys.readouterr().err
