"""The real suites: scoring of chat replies, an unavailable external benchmark, and a small real run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.datasets import EvalItem
from evals.workbench.cli import run_eval
from evals.workbench.suite import SuiteUnavailable
from evals.workbench.suites_chat import BehaviourSuite, QaSuite
from evals.workbench.suites_external import MsgabenchSuite

SNIPPET = "企业开办时间压减至4个工作日以内，咨询电话010-87654321。"


def _scored(outcome: str, expected: str = "answered") -> dict[str, object]:
    """What ``evals.answer_eval.score_reply`` returns for such a reply."""
    scored: dict[str, object] = {
        "outcome": outcome,
        "reason": "",
        "outcome_ok": outcome == expected,
        "latency_ms": 3.0,
        "citation_problems": [],
        "answer": "",
    }
    if expected == "answered":
        scored["keywords_ok"] = outcome == "answered"
    return scored


def test_a_chat_answer_with_an_invented_phone_number_is_flagged() -> None:
    item = EvalItem("q1", "企业开办要多久", expected_keywords=[["4个工作日"]])
    citations = [{"index": 1, "doc_id": "d", "title": "t", "section": "", "snippet": SNIPPET}]
    honest = QaSuite().score(item, "企业开办时间压减至4个工作日以内 [1]。", citations, _scored("answered"))
    assert honest["scores"]["has_unsupported"] == 0 and honest["scores"]["citation_precision"] == 1
    invented = QaSuite().score(
        item, "企业开办时间压减至4个工作日以内，电话010-11112222 [1]。", citations, _scored("answered")
    )
    assert invented["scores"]["has_unsupported"] == 1
    assert invented["detail"]["unsupported"] == ["phone:010-11112222"]
    summary = QaSuite().aggregate([{"id": "a", **honest}, {"id": "b", **invented}])
    assert summary["unsupported_statement_rate"] == pytest.approx(1 / 3)  # 4个工作日 ×2 and one phone
    refused = BehaviourSuite().score(
        EvalItem("b1", "讲个笑话", expected_outcome="refused"),
        "请拨打12345。",
        [],
        _scored("refused", "refused"),
    )
    assert refused["scores"] == {"outcome_ok": 1.0, "refusal_correct": 1.0}  # refusals carry no facts check


def test_msgabench_without_the_shared_data_is_skipped_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("evals.msgabench.DEFAULT_SOURCE", tmp_path / "nowhere")
    with pytest.raises(SuiteUnavailable, match="not found"):
        MsgabenchSuite(tmp_path / "out").load()


def test_retrieval_and_qa_run_for_real_on_hash_embeddings(tmp_path: Path) -> None:
    config = tmp_path / "hash.yaml"
    config.write_text(f"embedding_mode: hash\ndata_dir: {tmp_path / 'data'}\n", encoding="utf-8")
    nosyn = tmp_path / "nosyn.yaml"
    nosyn.write_text(config.read_text(encoding="utf-8") + "synonym_expansion: false\n", encoding="utf-8")
    run_dir = tmp_path / "run"
    code = run_eval(["retrieval", "qa"], [config, nosyn], run_dir, limit=3, progress=False)
    assert code == 0
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    qa = metrics["configs"]["hash"]["suites"]["qa"]["metrics"]
    assert qa["n"] == 3 and qa["errors"] == 0 and qa["unsupported_statement_rate"] in (0.0, None)
    assert metrics["configs"]["nosyn"]["suites"]["retrieval"]["metrics"]["n"] == 3
    assert set(metrics["comparisons"]["nosyn vs hash"]) == {"retrieval", "qa"}
    lines = (run_dir / "results" / "hash" / "qa.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["pq001", "pq002", "pq003"]
