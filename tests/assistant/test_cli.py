"""The govassist command: ingest, search, eval and the policy rebuild check, on a temp data dir."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GOVASSIST_EMBEDDING_MODE", "hash")
    monkeypatch.setenv("GOVASSIST_INDEX_GUIDES", "false")


def test_ingest_then_search_the_bundled_knowledge() -> None:
    result = runner.invoke(app, ["ingest", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert len(report["added"]) == 5 and report["index"]["documents"] == 5

    again = runner.invoke(app, ["ingest"])
    assert again.exit_code == 0 and "unchanged 5" in again.stdout

    found = runner.invoke(app, ["search", "高效办成一件事到2027年的目标", "-k", "2"])
    assert found.exit_code == 0, found.output
    assert "[1]" in found.stdout and "[2]" in found.stdout and "[3]" not in found.stdout
    assert "section:" in found.stdout and "gf-2024-3" in found.stdout


def test_search_before_ingest_and_empty_query() -> None:
    empty_index = runner.invoke(app, ["search", "公积金"])
    assert empty_index.exit_code == 1 and "govassist ingest" in empty_index.output
    blank = runner.invoke(app, ["search", "  "])
    assert blank.exit_code != 0 and "empty" in blank.output


def test_ingest_of_only_bad_files_fails_with_reasons(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    result = runner.invoke(app, ["ingest", str(bad)])
    assert result.exit_code == 1
    assert "failed 1" in result.stdout and "bad.pdf" in result.output


def test_eval_writes_a_report(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps({"id": "d1", "title": "公积金", "text": "住房公积金提取需要身份证。"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    dataset = tmp_path / "q.jsonl"
    dataset.write_text(
        json.dumps({"id": "q1", "question": "公积金提取", "expected_sources": ["d1"]}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "eval",
            "--dataset",
            str(dataset),
            "--corpus",
            str(corpus),
            "--retrieval-only",
            "--report",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "r" / "metrics.json").read_text())["source_recall@1"] == 1.0


def test_policy_rebuild_check_passes() -> None:
    result = runner.invoke(app, ["knowledge", "build-policies", "--check"])
    assert result.exit_code == 0 and "differs" not in result.stdout


def test_guide_walks_to_the_checklist() -> None:
    result = runner.invoke(
        app, ["guide", "孩子刚出生要办什么", "--json"], input="未办理结婚登记\n2\n暂不办理\n"
    )
    assert result.exit_code == 0, result.output
    checklist = json.loads(result.output[result.output.index("{") :])
    assert checklist["guide_id"] == "yjs-newborn"
    assert any("非婚生育" in m["name"] for m in checklist["materials"])


def test_guide_without_a_matching_service_says_so() -> None:
    result = runner.invoke(app, ["guide", "今天天气怎么样"])
    assert result.exit_code == 1 and "12345" in result.output


def test_serve_runs_the_web_pages_in_one_process() -> None:
    from assistant.cli import serving_processes

    assert serving_processes(None, 2, ui=False) == 2  # API only: the configured workers
    assert serving_processes(4, 2, ui=False) == 4
    assert serving_processes(None, 4, ui=True) == 1  # pages: one process, whatever is configured
    assert serving_processes(1, 4, ui=True) == 1


def test_serve_gives_busy_workers_the_configured_health_check_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    import assistant.container

    built: list[object] = []

    def build_services(*args: object, **kwargs: object) -> _Closing:
        built.append(args)
        return _Closing()

    monkeypatch.setattr(assistant.container, "build_services", build_services)
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append(k))
    monkeypatch.setenv("GOVASSIST_WORKER_HEALTHCHECK_SECONDS", "45")
    for written_by_serve in ("GOVASSIST_SERVE_UI", "GOVASSIST_WORKERS"):  # restored after the test
        monkeypatch.setenv(written_by_serve, os.environ.get(written_by_serve, ""))
        monkeypatch.delenv(written_by_serve)
    result = runner.invoke(app, ["serve", "--no-ui", "--workers", "2", "--port", "1"])
    assert result.exit_code == 0, result.output
    assert len(built) == 1  # the index brought up to date once, before the workers
    assert calls and calls[0]["workers"] == 2 and calls[0]["timeout_worker_healthcheck"] == 45


class _Closing:
    def close(self) -> None:
        pass


def test_serve_refuses_several_workers_with_the_web_pages() -> None:
    result = runner.invoke(app, ["serve", "--workers", "2", "--port", "1"])
    assert result.exit_code == 2
    assert "--no-ui" in result.output and "affinity" in result.output
