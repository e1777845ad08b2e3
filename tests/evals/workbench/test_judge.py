"""The optional LLM judge, with scripted chat models: grades, failures, and its place in a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult

from evals.workbench import runner
from evals.workbench.cli import run_eval
from evals.workbench.configs import ConfigError, load_config
from evals.workbench.judge import JUDGE_PROMPT, Judge, parse_grade

SOURCES = [{"title": "企业开办指南", "snippet": "企业开办时间压减至4个工作日以内。"}]


class DownModel(BaseChatModel):
    """An endpoint that refuses every call."""

    @property
    def _llm_type(self) -> str:
        return "down"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        raise ConnectionError("endpoint down")


def test_grades_are_read_from_json_or_a_score_fragment() -> None:
    assert parse_grade('{"score": 4, "reason": "略有遗漏"}').normalized == 0.75
    assert parse_grade('评审结果：{"score": "5", "reason": "准确"} 完毕').score == 5
    assert parse_grade('"score": 2, 理由不完整').score == 2
    for bad in ("很好", '{"score": 9}', '{"score": 0, "reason": "x"}', ""):
        grade = parse_grade(bad)
        assert grade.score is None and grade.normalized is None and grade.error


def test_the_judge_sees_the_question_answer_and_sources_with_personal_data_masked() -> None:
    model = FakeListChatModel(responses=['{"score": 5, "reason": "有据可查"}'])
    judge = Judge(model, "fake")
    grade = judge.grade("我的手机13812345678，企业开办要多久？", "4个工作日以内 [1]", SOURCES)
    assert (grade.score, grade.reason, grade.error) == (5, "有据可查", "")
    system, user = Judge.messages("我的手机13812345678，企业开办要多久？", "4个工作日以内 [1]", SOURCES)
    assert system.content == JUDGE_PROMPT
    assert "13812345678" not in str(user.content) and "企业开办时间压减至4个工作日以内" in str(user.content)
    down = Judge(DownModel()).grade("问题", "回答", SOURCES)
    assert down.score is None and "endpoint down" in down.error


def test_the_judge_is_a_workbench_option_of_a_configuration(tmp_path: Path) -> None:
    path = tmp_path / "judged.yaml"
    path.write_text("llm_mode: openai\nworkbench:\n  judge: true\n", encoding="utf-8")
    config = load_config(path)
    assert config.judge and config.overrides == {"llm_mode": "openai"}
    path.write_text("workbench:\n  judge: yes please\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="true or false"):
        load_config(path)
    path.write_text("workbench:\n  jduge: true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="takes only judge"):
        load_config(path)
    plain = tmp_path / "plain.yaml"
    plain.write_text("rrf_k: 60\n", encoding="utf-8")
    assert not load_config(plain).judge


def test_a_judged_run_records_grades_and_the_prompt_and_a_judge_without_endpoint_fails_its_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replies = ['{"score": 4, "reason": "基本准确"}', "无法评分"] * 10
    monkeypatch.setattr(
        runner, "judge_for", lambda settings: Judge(FakeListChatModel(responses=replies), "fake")
    )
    configs = tmp_path / "configs"
    configs.mkdir()
    base = f"embedding_mode: hash\ndata_dir: {tmp_path / 'data'}\n"
    (configs / "judged.yaml").write_text(base + "workbench:\n  judge: true\n", encoding="utf-8")
    (configs / "plain.yaml").write_text(base, encoding="utf-8")
    run_dir = tmp_path / "run"
    code = run_eval(
        ["qa"], [configs / "judged.yaml", configs / "plain.yaml"], run_dir, limit=4, progress=False
    )
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    judged, plain = metrics["configs"]["judged"], metrics["configs"]["plain"]
    assert code == 0 and judged["judge"]["prompt"] == JUDGE_PROMPT and "judge" not in plain
    results = [json.loads(line) for line in (run_dir / "results" / "judged" / "qa.jsonl").open()]
    graded = [r for r in results if "judge" in r["detail"]]
    assert graded and all(r["detail"]["outcome"] == "answered" for r in graded)
    scores = [r["scores"]["judge_score"] for r in graded if "judge_score" in r["scores"]]
    assert all(s == 0.75 for s in scores)
    errors = sum(bool(r["detail"]["judge"]["error"]) for r in graded)
    assert judged["suites"]["qa"]["metrics"]["judge_errors"] == errors == len(graded) - len(scores)
    assert plain["suites"]["qa"]["metrics"]["judge_score"] is None  # off by default
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "## LLM judge (judged)" in report and JUDGE_PROMPT.splitlines()[0] in report

    monkeypatch.undo()  # the real judge_for: no endpoint configured → that configuration fails
    code = run_eval(
        ["qa"], [configs / "plain.yaml", configs / "judged.yaml"], tmp_path / "run2", limit=1, progress=False
    )
    metrics = json.loads((tmp_path / "run2" / "metrics.json").read_text(encoding="utf-8"))
    assert code == 1 and "needs an endpoint" in metrics["configs"]["judged"]["error"]
    assert metrics["configs"]["plain"]["suites"]["qa"]["metrics"]["n"] == 1
