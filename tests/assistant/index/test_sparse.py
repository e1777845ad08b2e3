"""Tests for assistant.index.sparse: BM25 over terms and chars, ranking, scores, atomic save and load."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.index.sparse import DEFAULT_WEIGHTS, SparseIndex, indexed_text
from assistant.tokenization import ChineseTokenizer
from ingest.models import Chunk

TEXTS = {
    "birth": (
        "新生儿出生登记办事指南",
        "一、办理条件",
        "新生儿出生后一个月内，由监护人到派出所申报出生登记。",
    ),
    "license": (
        "营业执照补领指南",
        "二、办理流程",
        "营业执照遗失的，可以在政务服务平台在线申请补领营业执照。",
    ),
    "fund": ("住房公积金提取指南", "三、申请材料", "提取住房公积金需要提供购房合同和本人银行卡。"),
    "residence": ("居住证办理指南", "四、办理时限", "居住证自受理之日起十五个工作日内制发。"),
}
QUERIES = ["营业执照丢了怎么补领", "公积金提取要带什么", "孩子出生怎么登记", "居住证多久能拿到"]


def make_chunks() -> list[Chunk]:
    return [
        Chunk(chunk_id=f"{key}:0000:abcd1234", doc_id=key, ordinal=0, title=title, section=section, text=text)
        for key, (title, section, text) in TEXTS.items()
    ]


@pytest.fixture(scope="module")
def tokenizer() -> ChineseTokenizer:
    return ChineseTokenizer()


@pytest.fixture(scope="module")
def built(tokenizer: ChineseTokenizer) -> SparseIndex:
    return SparseIndex.build(make_chunks(), tokenizer.tokenize, stamp={"generation": 7, "lexicon": "abc"})


def test_indexed_text_joins_title_section_and_text() -> None:
    chunk = make_chunks()[0]
    assert indexed_text(chunk) == "\n".join(TEXTS["birth"])
    bare = Chunk(chunk_id="x:0000:0", doc_id="x", ordinal=0, title="", section="", text="正文。")
    assert indexed_text(bare) == "正文。"


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("营业执照丢了怎么补领", "license:0000:abcd1234"),
        ("公积金提取要带什么", "fund:0000:abcd1234"),
        ("孩子出生怎么登记", "birth:0000:abcd1234"),
        ("居住证多久能拿到", "residence:0000:abcd1234"),
    ],
)
def test_search_ranks_the_matching_chunk_first(
    built: SparseIndex, tokenizer: ChineseTokenizer, query: str, expected_first: str
) -> None:
    hits = built.search(tokenizer.tokenize(query), n=4)
    assert hits
    assert hits[0].chunk_id == expected_first
    assert all(hit.score < hits[0].score for hit in hits[1:])


def test_section_and_title_are_searchable(built: SparseIndex, tokenizer: ChineseTokenizer) -> None:
    # 办理时限 only occurs in the section path of the residence chunk.
    hits = built.search(tokenizer.tokenize("办理时限"), n=1)
    assert [h.chunk_id for h in hits] == ["residence:0000:abcd1234"]


def test_scores_are_exposed_and_consistent_with_search(
    built: SparseIndex, tokenizer: ChineseTokenizer
) -> None:
    query = tokenizer.tokenize("营业执照遗失补领")
    scores = built.scores(query)
    assert scores.shape == (len(TEXTS),)
    assert np.all(scores >= 0)
    assert int(np.argmax(scores)) == list(TEXTS).index("license")
    # Max-normalised fields: the best chunk in both fields scores the sum of the weights.
    assert scores.max() == pytest.approx(sum(DEFAULT_WEIGHTS.values()))
    hits = built.search(query, n=len(TEXTS))
    assert [h.score for h in hits] == sorted((float(s) for s in scores if s > 0), reverse=True)
    assert {h.chunk_id: h.score for h in hits}["license:0000:abcd1234"] == pytest.approx(float(scores.max()))


def test_search_returns_positive_scores_only(built: SparseIndex, tokenizer: ChineseTokenizer) -> None:
    assert built.search(tokenizer.tokenize("ABC XYZ"), n=4) == []
    assert not built.scores(tokenizer.tokenize("ABC XYZ")).any()
    for query in QUERIES:
        assert all(hit.score > 0 for hit in built.search(tokenizer.tokenize(query), n=4))


def test_search_respects_n(built: SparseIndex, tokenizer: ChineseTokenizer) -> None:
    query = tokenizer.tokenize("办理申请")
    assert len(built.search(query, n=1)) == 1
    assert len(built.search(query, n=2)) <= 2
    assert len(built.search(query, n=100)) <= len(TEXTS)
    assert built.search(query, n=0) == []


def test_weights_select_fields(built: SparseIndex, tokenizer: ChineseTokenizer) -> None:
    query = tokenizer.tokenize("营业执照")
    assert not built.scores(query, weights={"terms": 0.0, "chars": 0.0}).any()
    chars_only = built.scores(query, weights={"chars": 1.0})
    assert chars_only.max() == pytest.approx(1.0)


def test_empty_index(tokenizer: ChineseTokenizer, tmp_path: Path) -> None:
    empty = SparseIndex.build([], tokenizer.tokenize)
    query = tokenizer.tokenize("营业执照")
    assert empty.chunk_ids == []
    assert empty.scores(query).shape == (0,)
    assert empty.search(query, n=5) == []

    empty.save(tmp_path / "sparse")
    loaded = SparseIndex.load(tmp_path / "sparse")
    assert loaded is not None
    assert loaded.chunk_ids == []
    assert loaded.search(query, n=5) == []


def test_save_and_load_round_trip(built: SparseIndex, tokenizer: ChineseTokenizer, tmp_path: Path) -> None:
    folder = tmp_path / "index" / "sparse"
    folder.parent.mkdir()
    built.save(folder)
    loaded = SparseIndex.load(folder)
    assert loaded is not None
    assert loaded.chunk_ids == built.chunk_ids
    assert loaded.stamp == {"generation": 7, "lexicon": "abc"}
    for query in [*QUERIES, "办理时限"]:
        tokens = tokenizer.tokenize(query)
        assert loaded.search(tokens, n=4) == built.search(tokens, n=4)
        np.testing.assert_allclose(loaded.scores(tokens), built.scores(tokens))


def test_save_is_atomic_and_replaces_the_previous_index(
    built: SparseIndex, tokenizer: ChineseTokenizer, tmp_path: Path
) -> None:
    folder = tmp_path / "sparse"
    tmp_sibling = tmp_path / "sparse.tmp"
    old_sibling = tmp_path / "sparse.old"
    tmp_sibling.mkdir()  # leftovers of an interrupted save
    (tmp_sibling / "junk").write_text("x", encoding="utf-8")
    old_sibling.mkdir()
    crashed = tmp_path / "sparse.tmp-999999-deadbeef"  # a worker that died mid-save two hours ago
    crashed.mkdir()
    os.utime(crashed, (time.time() - 7200, time.time() - 7200))
    busy = tmp_path / "sparse.tmp-999998-cafecafe"  # another worker saving right now: left alone
    busy.mkdir()

    built.save(folder)
    assert folder.is_dir()
    assert not tmp_sibling.exists()
    assert not old_sibling.exists()
    assert not crashed.exists()
    assert busy.exists()
    busy.rmdir()

    smaller = SparseIndex.build(make_chunks()[:1], tokenizer.tokenize, stamp={"generation": 8})
    smaller.save(folder)
    assert not tmp_sibling.exists()
    assert not old_sibling.exists()
    loaded = SparseIndex.load(folder)
    assert loaded is not None
    assert loaded.chunk_ids == ["birth:0000:abcd1234"]
    assert loaded.stamp == {"generation": 8}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sparse"]


def test_load_missing_folder_returns_none(tmp_path: Path) -> None:
    assert SparseIndex.load(tmp_path / "nothing-here") is None


@pytest.fixture
def saved(built: SparseIndex, tmp_path: Path) -> Path:
    folder = tmp_path / "sparse"
    built.save(folder)
    return folder


def test_load_with_truncated_manifest_returns_none(saved: Path) -> None:
    manifest = saved / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8")[:20], encoding="utf-8")
    assert SparseIndex.load(saved) is None


def test_load_with_manifest_missing_chunk_ids_returns_none(saved: Path) -> None:
    (saved / "manifest.json").write_text(json.dumps({"stamp": {}}), encoding="utf-8")
    assert SparseIndex.load(saved) is None


def test_load_with_a_missing_field_model_returns_none(saved: Path) -> None:
    shutil.rmtree(saved / "chars")
    assert SparseIndex.load(saved) is None


def test_load_with_corrupt_model_files_returns_none(saved: Path) -> None:
    for path in (saved / "terms").iterdir():
        path.write_bytes(b"\x00garbage")
    assert SparseIndex.load(saved) is None


def test_load_with_manifest_of_the_wrong_shape_returns_none(saved: Path) -> None:
    (saved / "manifest.json").write_text("[]", encoding="utf-8")
    assert SparseIndex.load(saved) is None


def test_expansion_is_scored_at_its_weight(built: SparseIndex, tokenizer: ChineseTokenizer) -> None:
    query, expansion = tokenizer.tokenize("营业执照"), tokenizer.tokenize("居住证")
    plain = built.scores(query)
    np.testing.assert_allclose(built.scores(query, expansion=expansion, expansion_weight=0.0), plain)
    half = built.scores(query, expansion=expansion, expansion_weight=0.5)
    full = built.scores(query, expansion=expansion, expansion_weight=1.0)
    license_, residence = list(TEXTS).index("license"), list(TEXTS).index("residence")
    assert plain[residence] == 0 < half[residence] < full[residence]
    # The user's own words outweigh a synonym the expander added.
    assert half[license_] > half[residence]
    hits = built.search(query, n=4, expansion=expansion, expansion_weight=0.5)
    assert [h.chunk_id for h in hits[:2]] == ["license:0000:abcd1234", "residence:0000:abcd1234"]


def test_expansion_alone_still_finds_its_chunk(built: SparseIndex, tokenizer: ChineseTokenizer) -> None:
    # Nothing the user wrote matches: the expansion's matches rank, whatever its weight.
    hits = built.search(
        tokenizer.tokenize("量子"), n=4, expansion=tokenizer.tokenize("住房公积金"), expansion_weight=0.2
    )
    assert [h.chunk_id for h in hits][:1] == ["fund:0000:abcd1234"]


def test_workers_saving_at_once_leave_one_loadable_index_and_no_leftovers(
    tokenizer: ChineseTokenizer, tmp_path: Path
) -> None:
    folder = tmp_path / "bm25"
    versions = [
        SparseIndex.build(make_chunks()[: 1 + i % 2], tokenizer.tokenize, stamp={"generation": i})
        for i in range(6)
    ]
    start = threading.Barrier(len(versions))

    def save(index: SparseIndex) -> None:
        start.wait()
        index.save(folder)

    threads = [threading.Thread(target=save, args=(v,)) for v in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    loaded = SparseIndex.load(folder)
    assert loaded is not None
    winner = versions[loaded.stamp["generation"]]
    assert loaded.chunk_ids == winner.chunk_ids  # the manifest and models of one and the same save
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bm25"]
