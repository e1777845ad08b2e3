"""The retrieval benchmark: dataset validation, metrics, and a full run on a small corpus."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from assistant.settings import Settings
from evals.datasets import DatasetError, load_dataset
from evals.metrics import evidence_hit, first_source_rank, groups_covered
from evals.msgabench import convert, split_of
from evals.retrieval_eval import run_retrieval_eval
from ingest.models import Chunk
from tests.conftest import POLICIES_DIR

CORPUS = [
    {"id": "d1", "title": "住房公积金提取", "text": "职工购房可申请提取住房公积金，需本人身份证。"},
    {"id": "d2", "title": "社会保险登记", "text": "用人单位自成立之日起三十日内办理社会保险登记。"},
    {"id": "d3", "title": "出生登记", "text": "婴儿出生后一个月以内申报出生登记。"},
]
ITEMS = [
    {"id": "q1", "question": "公积金怎么取", "expected_sources": ["d1"], "expected_keywords": [["身份证"]]},
    {
        "id": "q2",
        "question": "社保登记期限",
        "expected_sources": ["社会保险"],
        "expected_keywords": [["三十日", "30日"]],
    },
    {
        "id": "q3",
        "question": "孩子出生多久内登记",
        "expected_sources": ["d3"],
        "expected_keywords": [["一个月"]],
    },
]


def _jsonl(path: Path, rows: Sequence[Mapping[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def _chunk(doc_id: str, title: str, text: str) -> Chunk:
    return Chunk(f"{doc_id}:0000:x", doc_id, 0, title, "", text)


def test_metrics_definitions() -> None:
    chunks = [_chunk("a", "国务院关于X的意见", "到2027年基本形成"), _chunk("b", "解读", "體系建設")]
    assert first_source_rank(chunks, ["b"]) == 2
    assert first_source_rank(chunks, ["关于X"]) == 1  # title substring
    assert first_source_rank(chunks, ["c"]) is None
    assert groups_covered("國務院體系", [["体系"], ["国务院", "国办"]])  # 繁→简 on both sides
    assert evidence_hit(chunks, [["2027年"], ["体系"]])  # groups spread over the top-k together
    assert not evidence_hit(chunks[:1], [["2027年"], ["体系"]])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"id": "a"}', "non-empty 'question'"),
        ('{"id": "a", "question": "x", "expected_keywords": "x"}', "list of lists"),
        ('{"id": "a", "question": "x", "expected_sources": [1]}', "expected_sources"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_bad_datasets_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "ok", "question": "好"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=rf"bad.jsonl:2: .*{message}"):
        load_dataset(path)


def test_duplicate_ids_and_empty_files_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="duplicate id"):
        load_dataset(_jsonl(tmp_path / "d.jsonl", [{"id": 1, "question": "a"}, {"id": "1", "question": "b"}]))
    (tmp_path / "e.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="no records"):
        load_dataset(tmp_path / "e.jsonl")


def test_full_run_on_a_corpus_writes_metrics_and_report(make_settings, tmp_path: Path) -> None:
    settings: Settings = make_settings()
    corpus = _jsonl(tmp_path / "corpus.jsonl", CORPUS)
    dataset = _jsonl(tmp_path / "dataset.jsonl", ITEMS)

    metrics = run_retrieval_eval(settings, dataset, corpus=corpus, report_dir=tmp_path / "r", progress=False)

    saved = json.loads((tmp_path / "r" / "metrics.json").read_text(encoding="utf-8"))
    for key in (
        "n",
        "outcome_accuracy",
        "keyword_accuracy",
        "source_recall@1",
        "source_recall@5",
        "evidence_recall@1",
        "evidence_recall@5",
        "mrr",
        "latency_ms.p50",
        "latency_ms.p95",
    ):
        assert key in saved
    assert saved["n"] == 3 and set(saved["systems"]) == {"hybrid", "sparse", "bm25", "dense"}
    assert metrics["systems"]["hybrid"]["source_recall@5"] == 1.0
    assert metrics["systems"]["hybrid"]["evidence_recall@5"] == 1.0
    assert len(saved["items"]) == 3 and saved["items"][0]["hybrid"]["top"]
    report = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "| hybrid |" in report and "| bm25 |" in report
    assert not (settings.index_dir).exists()  # a corpus run never touches the bundled index


def test_msgabench_conversion(tmp_path: Path) -> None:
    source = tmp_path / "msga"
    source.mkdir()
    rows = [
        {
            "xlsx_row": 2,
            "用户问题": "公积金怎么提取？",
            "正文内容": "持身份证办理。",
            "处理单位": "住房公积金管理中心",
        },
        {"xlsx_row": 3, "用户问题": "空答案", "正文内容": "", "处理单位": ""},
        {
            "xlsx_row": 4,
            "用户问题": "社保怎么交？",
            "正文内容": "按月缴纳。",
            "处理单位": "人力资源社会保障局",
        },
    ]
    _jsonl(source / "gov_affairs_qa_service_scenario.qa.jsonl", rows)

    corpus, dataset = convert(source, tmp_path / "out")

    corpus_rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    items = load_dataset(dataset)
    assert [r["id"] for r in corpus_rows] == ["msga-2", "msga-4"]
    assert [(i.question, i.expected_sources) for i in items] == [
        ("公积金怎么提取？", ["msga-2"]),
        ("社保怎么交？", ["msga-4"]),
    ]
    assert {split_of(i.question) for i in items} <= {"dev", "test"}
    with pytest.raises(FileNotFoundError):
        convert(tmp_path / "missing", tmp_path / "out2")


def test_bundled_policy_dataset_is_valid_and_grounded() -> None:
    """Every item of policy_qa.jsonl names bundled documents whose text contains its keywords."""
    items = load_dataset(Path(__file__).resolve().parents[2] / "evals" / "datasets" / "policy_qa.jsonl")
    texts = {p.stem: p.read_text(encoding="utf-8") for p in POLICIES_DIR.glob("*.txt")}
    assert len(items) >= 80
    for item in items:
        assert item.expected_sources and set(item.expected_sources) <= set(texts), item.id
        sources_text = "\n".join(texts[s] for s in item.expected_sources)
        assert groups_covered(sources_text, item.expected_keywords), item.id
