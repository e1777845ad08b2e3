"""The run loop on a scripted suite: every config on the same items, resume, failures, reports, gate."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest

from assistant.settings import Settings
from evals.workbench.cli import run_eval
from evals.workbench.configs import Config
from evals.workbench.jsonl import Item, Loaded
from evals.workbench.registry import SUITES
from evals.workbench.runner import WorkbenchError, run_workbench
from evals.workbench.suite import RunItem, Suite

CALLS: list[str] = []


class ScriptedSuite(Suite):
    """Item ``i`` is correct unless the configuration sets ``sparse_weight`` to 0 and ``i`` is odd."""

    name = "scripted"
    description = "a scripted suite"
    metrics: ClassVar[dict[str, str]] = {"correct": "higher"}
    smoke_size = 4

    def load(self) -> Loaded:
        return Loaded([Item(f"s{i:02d}", i) for i in range(20)], sources=["memory"])

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        def run(item: Item) -> dict[str, Any]:
            CALLS.append(item.id)
            if item.id == "s13" and settings.rrf_k == 7:
                raise RuntimeError("boom")
            good = settings.sparse_weight > 0 or item.data % 2 == 0
            return {
                "question": f"q{item.data}",
                "scores": {"correct": float(good)},
                "latency_ms": 1.0 + item.data,
            }

        yield run


@pytest.fixture(autouse=True)
def scripted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SUITES, "scripted", ScriptedSuite)
    CALLS.clear()


def test_configs_run_the_same_items_and_are_compared(tmp_path: Path) -> None:
    configs = [Config("base"), Config("no-sparse", {"sparse_weight": 0})]
    outcome = run_workbench(["scripted"], configs, tmp_path, progress=False)
    base = outcome.metrics["configs"]["base"]["suites"]["scripted"]["metrics"]
    other = outcome.metrics["configs"]["no-sparse"]["suites"]["scripted"]["metrics"]
    assert base["correct"] == 1.0 and other["correct"] == 0.5 and base["n"] == 20
    diff = outcome.metrics["comparisons"]["no-sparse vs base"]["scripted"]["correct"]
    assert diff["n"] == 20 and diff["diff"] == -0.5 and diff["verdict"] == "worse"
    assert diff["ci_high"] < 0
    worst = outcome.metrics["configs"]["no-sparse"]["suites"]["scripted"]["worst"]
    assert worst and all(r["scores"]["correct"] == 0 for r in worst)


def test_a_rerun_skips_finished_items_and_retries_failed_ones(tmp_path: Path) -> None:
    flaky = Config("flaky", {"rrf_k": 7})
    first = run_workbench(["scripted"], [flaky], tmp_path, progress=False)
    assert first.metrics["configs"]["flaky"]["suites"]["scripted"]["metrics"]["errors"] == 1
    assert len(CALLS) == 20
    lines = (tmp_path / "results" / "flaky" / "scripted.jsonl").read_text().splitlines()
    assert len(lines) == 19
    CALLS.clear()
    run_workbench(["scripted"], [flaky], tmp_path, progress=False)
    assert CALLS == ["s13"]  # only the item that raised runs again
    with pytest.raises(WorkbenchError, match="different configuration"):
        run_workbench(["scripted"], [Config("flaky", {"rrf_k": 8})], tmp_path, progress=False)


def test_smoke_and_limit_choose_a_spread_of_items(tmp_path: Path) -> None:
    outcome = run_workbench(["scripted"], [Config("base")], tmp_path, smoke=True, progress=False)
    assert CALLS == ["s00", "s05", "s10", "s15"]
    assert outcome.metrics["datasets"]["scripted"]["items_run"] == 4
    CALLS.clear()
    run_workbench(["scripted"], [Config("base")], tmp_path / "b", limit=2, progress=False)
    assert CALLS == ["s00", "s01"]


def test_run_eval_writes_reports_fails_a_dead_llm_config_and_applies_the_gate(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "base.yaml").write_text("{}\n", encoding="utf-8")
    (configs / "worse.yaml").write_text("sparse_weight: 0\n", encoding="utf-8")
    (configs / "llm.yaml").write_text(f"llm_mode: openai\nllm_base_url: http://127.0.0.1:{port}/v1\n")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(
        json.dumps(
            {
                "profiles": {
                    "full": {
                        "suites": ["scripted"],
                        "metrics": {"scripted.correct": {"value": 0.99, "tolerance": 0.02}},
                    }
                }
            }
        )
    )
    run_dir = tmp_path / "run"
    paths = [configs / "base.yaml", configs / "worse.yaml", configs / "llm.yaml"]
    code = run_eval([], paths, run_dir, gate=baseline, progress=False)
    assert code == 1  # the LLM configuration failed; the others ran
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert "unreachable" in metrics["configs"]["llm"]["error"]
    assert metrics["configs"]["worse"]["suites"]["scripted"]["metrics"]["correct"] == 0.5
    assert metrics["gate"]["passed"] is True
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= 3  # scores, comparison, latencies
    assert not re.search(r"""(src|href)=["']?https?:""", page)
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "worse vs base" in report and "FAILED" in report

    worse_first = [configs / "worse.yaml", configs / "base.yaml"]
    assert run_eval([], worse_first, tmp_path / "run2", gate=baseline, progress=False) == 1
    gate = json.loads((tmp_path / "run2" / "metrics.json").read_text(encoding="utf-8"))["gate"]
    assert gate["passed"] is False and gate["checks"][0]["status"] == "FAIL"
    assert run_eval(["nope"], [], tmp_path / "run3", progress=False) == 2


def test_a_suite_can_cap_its_normal_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capped = type("CappedSuite", (ScriptedSuite,), {"full_size": 5, "smoke_size": 0})
    monkeypatch.setitem(SUITES, "scripted", capped)
    run_workbench(["scripted"], [Config("base")], tmp_path, progress=False)
    assert CALLS == ["s00", "s04", "s08", "s12", "s16"]
    CALLS.clear()
    run_workbench(["scripted"], [Config("base")], tmp_path / "smoke", smoke=True, progress=False)
    assert len(CALLS) == 5  # no smoke size of its own: the smoke profile takes the same cap
