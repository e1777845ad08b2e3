"""External suites on small made-up copies of the shared data: parsing, skipping, scoring, caching."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings
from evals.workbench import corpus_index as corpus_index_module
from evals.workbench.corpus_index import cache_dir, corpus_index
from evals.workbench.jsonl import Item
from evals.workbench.suite import SuiteUnavailable
from evals.workbench.suites_guangdong import GuangdongSuite, plain_name
from evals.workbench.suites_msgabench import MsgabenchAnswersSuite, MsgabenchNluSuite, keyword_scores
from evals.workbench.suites_reading import NcpPoliciesSuite

CONTEXT_A = "民政部发布社区防控通知 各地社区要做好疫情防控工作。社区卫生服务中心负责发热病人的登记和转诊。"
CONTEXT_B = "交通运输部暂停省际客运 即日起暂停省际长途客运班线，恢复时间另行通知。"


def _lines(path: Path, rows: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
        encoding="utf-8",
    )
    return path


def _reading(item_id: str, docid: str, context: str, question: str, answer: str) -> dict[str, Any]:
    start = context.index(answer)
    return {
        "id": item_id,
        "docid": docid,
        "context": context,
        "question": question,
        "answer": {"text": answer, "span": [start, start + len(answer)]},
    }


def _hash_settings(tmp_path: Path) -> Settings:
    return Settings(embedding_mode="hash", data_dir=tmp_path / "data")


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setattr(corpus_index_module, "CACHE_ROOT", root)
    return root


def test_ncppolicies_scores_document_recall_and_span_containment(tmp_path: Path, cache_root: Path) -> None:
    source = tmp_path / "ncp"
    _lines(
        source / "local" / "train.json",
        [
            _reading("q1", "a", CONTEXT_A, "社区卫生服务中心负责发热病人的什么工作？", "登记和转诊"),
            "{not json",
            {"id": "q9", "docid": "a", "context": CONTEXT_A, "question": "没有答案？", "answer": {}},
            _reading("q2", "b", CONTEXT_B, "省际长途客运班线暂停后什么时候恢复？", "恢复时间另行通知"),
        ],
    )
    _lines(
        source / "local" / "dev.json",
        [_reading("q3", "a", CONTEXT_A, "社区要做好什么工作？", "疫情防控工作")],
    )
    suite = NcpPoliciesSuite(source, tmp_path / "converted")
    loaded = suite.load()
    assert [i.id for i in loaded.items] == ["q1", "q2", "q3"]
    assert [(Path(s.source).name, s.line) for s in loaded.skipped] == [("train.json", 2), ("train.json", 3)]
    corpus = (tmp_path / "converted" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["title"] for line in corpus] == [
        "民政部发布社区防控通知",
        "交通运输部暂停省际客运",
    ]
    with suite.session(_hash_settings(tmp_path)) as run:
        results = [run(item) for item in loaded.items]
    assert all(r["scores"]["doc_at_5"] == 1.0 for r in results)  # two documents: both always in the top 5
    assert all(r["scores"]["span_at_5"] == 1.0 for r in results)
    for r in results:  # an answer counts only when it holds the gold span
        assert r["scores"]["answer_has_span"] <= r["scores"]["answered"]
        if r["scores"]["answer_has_span"]:
            assert r["detail"]["gold_answer"] in r["detail"]["answer"]
    assert (cache_root / cache_dir(_hash_settings(tmp_path), "ncppolicies").name).is_dir()


def test_a_corpus_index_is_built_once_and_reopened_from_the_cache(tmp_path: Path, cache_root: Path) -> None:
    corpus = _lines(tmp_path / "corpus.jsonl", [{"id": "d1", "title": "t", "text": CONTEXT_A}])
    settings = _hash_settings(tmp_path)
    with corpus_index(settings, "demo", corpus) as first:
        assert first.updated and first.settings.data_dir == cache_dir(settings, "demo")
    with corpus_index(settings, "demo", corpus) as second:
        assert not second.updated
        assert second.retriever.search("发热病人登记", k=1)[0].chunk.doc_id == "d1"
    other = settings.model_copy(update={"chunk_max_chars": 300})
    assert cache_dir(other, "demo") != cache_dir(settings, "demo")  # another chunking: another index


def test_external_suites_without_their_data_are_skipped_with_the_path(tmp_path: Path) -> None:
    for suite in (
        NcpPoliciesSuite(tmp_path / "none"),
        GuangdongSuite(tmp_path / "none" / "policy.json"),
        MsgabenchNluSuite(tmp_path / "none"),
    ):
        with pytest.raises(SuiteUnavailable, match=r"none.*not found"):
            suite.load()


def _gd(code: str, name: str) -> dict[str, str]:
    return {"TASK_CODE": code, "TASK_NAME": name}


def test_guangdong_requests_use_plain_names_and_every_record_of_a_name_is_gold(tmp_path: Path) -> None:
    assert plain_name("律师执业变更审核（市内转所）(个人)") == "律师执业变更审核"
    assert plain_name("（整体）") == "（整体）"
    source = _lines(
        tmp_path / "policy.json",
        [
            _gd("11440000006939756B2440101007000", "临时价格干预范围事项提价申报"),
            _gd("X2", "临时价格干预范围事项提价申报（省级）"),
            {"TASK_CODE": "", "TASK_NAME": "无编码"},
            _gd("X3", "从未有过的事项名称"),
        ],
    )
    loaded = GuangdongSuite(source).load()
    assert [(s.line, s.reason) for s in loaded.skipped] == [
        (3, "each record needs a TASK_CODE and a TASK_NAME")
    ]
    first, second = (item.data for item in loaded.items)
    assert first.gold == ["gd-11440000006939756B2440101007000", "gd-X2"]
    assert first.query == "临时价格干预范围事项提价申报需要准备哪些材料"
    assert second.query == "从未有过的事项名称去哪里办理"  # templates rotate
    with GuangdongSuite(source).session(Settings()) as run:
        hit, miss = (run(item) for item in loaded.items)
    assert hit["scores"]["top1"] == 1.0 and hit["scores"]["reciprocal_rank"] == 1.0
    assert miss["scores"]["top3"] == 0.0  # its gold is not in the catalogue


def test_keyword_scores() -> None:
    assert keyword_scores(["回京", "上牌", "外地"], ["回京", "上牌"]) == {
        "keyword_recall": 1.0,
        "keyword_precision": pytest.approx(2 / 3),
    }
    assert keyword_scores(["京籍"], ["非京籍"]) == {"keyword_recall": 0.0, "keyword_precision": 1.0}
    assert keyword_scores(["购车"], []) == {}


def _qa_rows(unit: str, n: int) -> list[dict[str, Any]]:
    return [
        {"xlsx_row": i, "用户问题": f"{unit}问题{i}号怎么办理", "正文内容": f"答复{i}", "处理单位": unit}
        for i in range(n)
    ]


def test_msgabench_nlu_scores_only_what_the_product_can_predict(tmp_path: Path) -> None:
    source = tmp_path / "msga"
    _lines(
        source / "gov_affairs_qa_service_scenario.qa.jsonl", _qa_rows("交管局", 12) + _qa_rows("体育局", 12)
    )
    _lines(
        source / "gov_affairs_qa_service_scenario.nlu.jsonl",
        [
            {"xlsx_row": 2, "用户问题": "驾驶证到期了怎么换证？", "关键字": "驾驶证;换证", "提问类型": "办事服务", "处理单位": "交管局"},
            {"xlsx_row": 3, "用户问题": "小客车指标怎么申请？", "关键字": "小客车", "提问类型": "互动咨询", "处理单位": "民政局"},
            {"xlsx_row": 4, "关键字": "没有问题"},
        ],
    )  # fmt: skip
    suite = MsgabenchNluSuite(source)
    loaded = suite.load()
    assert [i.id for i in loaded.items] == ["nlu-2", "nlu-3"] and loaded.skipped[0].line == 3
    with suite.session(Settings()) as run:
        licence, quota = (run(item) for item in loaded.items)
    assert "department_correct" in licence["scores"]  # 交管局 is one of the routing model's labels
    assert "department_correct" not in quota["scores"]  # 民政局 is not: left out, not counted wrong
    assert licence["detail"]["keywords"] == ["驾驶证", "换证"]
    assert licence["scores"]["keyword_recall"] == pytest.approx(
        sum(k in licence["detail"]["words"] for k in ["驾驶证", "换证"]) / 2
    )
    assert quota["scores"]["service_intent_correct"] == float(not quota["detail"]["decide"])


def test_msgabench_answers_compare_the_answer_with_the_official_one(tmp_path: Path, cache_root: Path) -> None:
    source = tmp_path / "msga"
    rows = [
        {"xlsx_row": 2, "用户问题": "公积金贷款额度怎么计算？", "正文内容": "公积金贷款额度按缴存余额的十倍计算，最高不超过一百二十万元。", "处理单位": "住房公积金管理中心"},
        {"xlsx_row": 3, "用户问题": "体育场馆几点开放？", "正文内容": "体育场馆每天上午九点开放，晚上九点关闭。", "处理单位": "体育局"},
        {"xlsx_row": 4, "用户问题": "应急避难场所在哪里查询？", "正文内容": "应急避难场所可在应急管理局网站的地图上查询。", "处理单位": "应急局"},
    ]  # fmt: skip
    _lines(source / "gov_affairs_qa_service_scenario.qa.jsonl", rows)
    suite = MsgabenchAnswersSuite(tmp_path / "converted")
    import evals.msgabench

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evals.msgabench, "DEFAULT_SOURCE", source)
        loaded = suite.load()
    assert loaded.items and all(i.id in suite.gold for i in loaded.items)
    with suite.session(_hash_settings(tmp_path)) as run:
        results = [run(item) for item in loaded.items]
    for result in results:
        scores = result["scores"]
        if scores["answered"]:  # answered from its own official answer: every character is the gold's
            assert scores["rouge_l_precision"] == pytest.approx(1.0)
            assert 0 < scores["rouge_l_f1"] <= 1
        else:
            assert scores["rouge_l_f1"] == scores["char_f1"] == 0.0


def test_items_of_a_suite_keep_their_source_line(tmp_path: Path) -> None:
    source = _lines(tmp_path / "policy.json", ["", _gd("A1", "某事项")])
    (item,) = GuangdongSuite(source).load().items
    assert isinstance(item, Item) and item.line == 2 and item.source == str(source)
