"""Evaluation reports shared through the database: publish on one machine, materialise on another.

Each machine has its own ``reports/`` folder; they share one database (SQLite, and PostgreSQL when
``GOVASSIST_TEST_POSTGRES_URL`` is set, see ``tests.handoff_db``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.analytics.shared_reports import (
    MAX_REPORT_FILE_BYTES,
    SHARED_COPY_MARKER,
    ReportTooLargeError,
    SharedReportStore,
    eval_reports,
    is_report_name,
)
from tests.handoff_db import BACKENDS, database_engine
from ui.admin_reports import find_reports

NOW = 1_795_000_000.0  # 2026-11-18, a fixed produced time


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedReportStore]:
    with database_engine(request.param, tmp_path) as engine:
        shared = SharedReportStore(engine)
        shared.create_schema()
        yield shared


def report_folder(root: Path, name: str, figure: float, produced: float, *, html: bool = True) -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    files = {"metrics.json": json.dumps({"top1": figure}), "report.md": f"# {name}\n\ntop1 {figure}\n"}
    if html:
        files["report.html"] = f"<p>{figure}</p>"
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
        os.utime(folder / file, (produced, produced))
    return folder


def figure(folder: Path) -> float:
    return float(json.loads((folder / "metrics.json").read_text(encoding="utf-8"))["top1"])


def test_a_report_published_on_one_machine_is_written_on_another(
    store: SharedReportStore, tmp_path: Path
) -> None:
    published = report_folder(tmp_path / "a" / "reports", "policy_qa", 0.81, NOW)
    os.utime(published / "report.html", (NOW + 5, NOW + 5))  # the page is written after the figures
    assert store.publish(published) is True
    other = tmp_path / "b" / "reports"
    assert store.materialise(other) == ["policy_qa"]
    copy = other / "policy_qa"
    for file in ("metrics.json", "report.md", "report.html"):
        assert (copy / file).read_bytes() == (published / file).read_bytes()
        assert abs((copy / file).stat().st_mtime - NOW) < 0.01  # the produced time, not the copy's
    hidden = [p.name for p in copy.iterdir() if p.name.startswith(".")]
    assert hidden == [SHARED_COPY_MARKER]  # no temporary files left; marked as a shared copy
    (original,) = find_reports(tmp_path / "a" / "reports")
    assert [r.modified for r in find_reports(other)] == [original.modified]  # the same time on the dashboard
    assert store.materialise(other) == []  # up to date: nothing written again


def test_an_older_publish_does_not_replace_a_newer_one(store: SharedReportStore, tmp_path: Path) -> None:
    assert store.publish(report_folder(tmp_path / "new", "eval", 0.9, NOW))
    assert store.publish(report_folder(tmp_path / "old", "eval", 0.5, NOW - 3600)) is False
    assert store.publish(report_folder(tmp_path / "same", "eval", 0.7, NOW)) is False
    assert store.produced() == {"eval": NOW}
    assert store.materialise(tmp_path / "b") == ["eval"] and figure(tmp_path / "b" / "eval") == 0.9

    newer = report_folder(tmp_path / "newer", "eval", 0.95, NOW + 60, html=False)
    assert store.publish(newer) is True
    assert store.materialise(tmp_path / "b") == ["eval"] and figure(tmp_path / "b" / "eval") == 0.95
    assert not (tmp_path / "b" / "eval" / "report.html").exists()  # the older run's page is not kept


def test_a_newer_local_report_is_kept(store: SharedReportStore, tmp_path: Path) -> None:
    store.publish(report_folder(tmp_path / "a", "routing", 0.6, NOW))
    local = report_folder(tmp_path / "b", "routing", 0.8, NOW + 60)
    assert store.materialise(tmp_path / "b") == []
    assert figure(local) == 0.8


@pytest.mark.parametrize("name", ["../x", "/etc", "..", ".", "a/b", "a\\b", ".hidden", "", "a b", "x;y"])
def test_a_hostile_row_name_is_never_written(store: SharedReportStore, tmp_path: Path, name: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(eval_reports.insert().values(name=name, produced_s=NOW, metrics_json=b"{}"))
    reports = tmp_path / "box" / "reports"
    reports.mkdir(parents=True)
    before = sorted(p for p in tmp_path.rglob("*"))
    assert store.materialise(reports) == []
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert not is_report_name(name)


def test_report_names_are_plain_folder_names() -> None:
    assert all(is_report_name(n) for n in ("eval", "eval-smoke", "policy_qa_heldout", "run.2", "评测"))
    assert not is_report_name("x" * 101)


def test_publish_refuses_unfit_folders(store: SharedReportStore, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="none of"):
        store.publish((tmp_path / "empty").resolve())
    hidden = report_folder(tmp_path, ".cache", 0.5, NOW)
    with pytest.raises(ValueError, match="not a report folder name"):
        store.publish(hidden)
    assert store.produced() == {}


def test_an_oversized_report_is_refused_not_truncated(store: SharedReportStore, tmp_path: Path) -> None:
    folder = report_folder(tmp_path, "load", 0.5, NOW)
    with (folder / "report.html").open("r+b") as page:
        page.truncate(MAX_REPORT_FILE_BYTES + 1)  # sparse: the size counts, nothing is read
    with pytest.raises(ReportTooLargeError, match="over the 16,777,216-byte limit"):
        store.publish(folder)
    assert store.produced() == {}


def test_a_withdrawn_report_leaves_every_dashboard_but_its_makers_folder(
    store: SharedReportStore, tmp_path: Path
) -> None:
    made = report_folder(tmp_path / "a", "policy_qa", 0.81, NOW)
    store.publish(made)
    assert store.materialise(tmp_path / "b") == ["policy_qa"]
    assert store.materialise(tmp_path / "c") == ["policy_qa"]
    (tmp_path / "c" / "policy_qa" / "notes.txt").write_text("kept")  # something of c's own beside it

    assert store.withdraw("policy_qa", now=NOW + 60) is True
    assert store.withdrawn() == {"policy_qa"}
    assert store.withdraw("policy_qa") is False  # once
    assert store.withdraw("never_shared") is False

    assert store.materialise(tmp_path / "b") == [] and not (tmp_path / "b" / "policy_qa").exists()
    store.materialise(tmp_path / "c")
    assert [p.name for p in (tmp_path / "c" / "policy_qa").iterdir()] == ["notes.txt"]
    assert store.materialise(tmp_path / "a") == [] and figure(made) == 0.81  # made there: never deleted
    assert store.materialise(tmp_path / "d") == [] and not (tmp_path / "d" / "policy_qa").exists()


def test_a_shared_copy_run_again_locally_is_kept_when_withdrawn(
    store: SharedReportStore, tmp_path: Path
) -> None:
    store.publish(report_folder(tmp_path / "a", "routing", 0.6, NOW))
    store.materialise(tmp_path / "b")
    rerun = report_folder(tmp_path / "b", "routing", 0.7, NOW + 30)  # the marker stays, the files changed
    store.withdraw("routing", now=NOW + 60)
    store.materialise(tmp_path / "b")
    assert figure(rerun) == 0.7


def test_a_newer_report_is_shared_again_after_a_withdrawal(store: SharedReportStore, tmp_path: Path) -> None:
    old = report_folder(tmp_path / "a", "eval", 0.5, NOW)
    store.publish(old)
    store.withdraw("eval", now=NOW + 60)
    assert store.publish(old) is False  # the withdrawn run is not shared again by accident
    assert store.publish(report_folder(tmp_path / "new", "eval", 0.9, NOW + 120)) is True
    assert store.withdrawn() == set()
    assert store.materialise(tmp_path / "b") == ["eval"] and figure(tmp_path / "b" / "eval") == 0.9
