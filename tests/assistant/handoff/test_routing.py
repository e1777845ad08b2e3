"""Routing (派单): features, the shipped model, model files, the trainer's split and the eval metrics."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.handoff.routing import (
    MODEL_DIR,
    TASKS,
    TICKET_CATEGORIES,
    RoutingModel,
    RoutingModelError,
    predict,
)
from assistant.handoff.routing_features import (
    FeatureSpec,
    feature_counts,
    gram_key,
    gram_keys,
    key_gram,
    prepare,
    vectorize,
)
from evals.routing_eval import accuracy, confusion, macro_f1, majority_baseline, majority_label, per_class
from evals.routing_train import (
    SOURCE_DIR,
    SOURCE_FILES,
    Example,
    Params,
    fit_vocabulary,
    load_split,
    save_model,
    split_examples,
    to_matrix,
    train_head,
)

SPEC = FeatureSpec()
needs_shared = pytest.mark.skipif(
    not (SOURCE_DIR / SOURCE_FILES["department"][0]).exists(), reason="../shared MSGABench is absent"
)


# --- features -------------------------------------------------------------------------------------


def test_keys_round_trip_and_differ_by_length() -> None:
    for gram in ("公", "公积", "公积金", "a*0"):
        assert key_gram(gram_key(gram)) == gram
    assert len({gram_key("公"), gram_key("公积"), gram_key("公积金")}) == 3
    with pytest.raises(ValueError):
        gram_key("公积金中心")


def test_prepare_normalises_masks_and_numbers() -> None:
    assert prepare("我住＊＊＊区１２号楼") == "我住*区0号楼"
    assert prepare("車輛 ABC") == "车辆 abc"


def test_gram_keys_never_span_spaces() -> None:
    keys = {key_gram(int(k)) for k in gram_keys("公积 金", SPEC)}
    assert keys == {"公", "积", "金", "公积"}


def test_feature_counts_count_repeats() -> None:
    features = feature_counts("公公", FeatureSpec(min_n=1, max_n=1))
    assert [key_gram(int(k)) for k in features.keys] == ["公"]
    assert features.counts.tolist() == [2.0]
    assert len(feature_counts("", SPEC)) == 0


def test_vectorize_drops_unknown_keys_and_normalises() -> None:
    vocab = np.array(sorted([gram_key("公"), gram_key("积"), gram_key("金")]), dtype=np.int64)
    idf = np.ones(3, dtype=np.float32)
    cols, values = vectorize(feature_counts("公积xyz", FeatureSpec(1, 1)), vocab, idf)
    assert cols.size == 2
    assert np.isclose(np.linalg.norm(values), 1.0)
    cols, values = vectorize(feature_counts("xyz", FeatureSpec(1, 1)), vocab, idf)
    assert cols.size == 0 and values.size == 0


def test_feature_spec_rejects_longer_grams() -> None:
    with pytest.raises(ValueError):
        FeatureSpec(min_n=1, max_n=4)


# --- a tiny model trained here, saved and loaded back ----------------------------------------------

TINY = [
    *(Example(f"公积金提取{i}次怎么办", "公积金中心") for i in range(6)),
    *(Example(f"住房公积金贷款第{i}年", "公积金中心") for i in range(6)),
    *(Example(f"驾驶证扣分{i}分怎么处理", "交管局") for i in range(6)),
    *(Example(f"闯红灯违章第{i}次罚款", "交管局") for i in range(6)),
]
TINY_GRID = (Params(min_df=1, c=1.0, balanced=False),)


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("routing-model")
    heads = {task: train_head(TINY, TINY_GRID, folds=2, progress=False) for task in TASKS}
    save_model(heads, out, {"dataset": "tiny"})
    return out


def test_tiny_model_round_trip(tiny_model_dir: Path) -> None:
    model = RoutingModel.load(tiny_model_dir)
    suggestion = model.predict("公积金怎么提取")
    assert suggestion.department == "公积金中心"
    assert suggestion.departments[0].label == "公积金中心"
    assert model.predict("驾驶证被扣分了").department == "交管局"
    confidences = [c.confidence for c in suggestion.departments]
    assert confidences == sorted(confidences, reverse=True)
    assert 0.5 < confidences[0] <= 1.0 and np.isclose(sum(confidences), 1.0, atol=1e-3)


def test_trainer_matrix_matches_runtime_vectors() -> None:
    features = [feature_counts(e.text, SPEC) for e in TINY[:4]]
    keys, idf = fit_vocabulary(features, min_df=1)
    matrix = to_matrix(features, keys, idf).toarray()
    cols, values = vectorize(features[2], keys, idf)
    dense = np.zeros(keys.size, dtype=np.float32)
    dense[cols] = values
    assert np.allclose(matrix[2], dense)


def test_load_rejects_missing_and_malformed_files(tiny_model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(RoutingModelError):
        RoutingModel.load(tmp_path / "absent")
    broken = tmp_path / "broken"
    broken.mkdir()
    meta = json.loads((tiny_model_dir / "model.json").read_text(encoding="utf-8"))
    (broken / "model.json").write_text(json.dumps({**meta, "format": 99}), encoding="utf-8")
    (broken / "model.npz").write_bytes((tiny_model_dir / "model.npz").read_bytes())
    with pytest.raises(RoutingModelError, match="format"):
        RoutingModel.load(broken)
    meta["tasks"]["department"]["classes"].append("多余的类")
    (broken / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(RoutingModelError, match="fit together"):
        RoutingModel.load(broken)


def test_load_refuses_pickled_arrays(tiny_model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "model.json").write_bytes((tiny_model_dir / "model.json").read_bytes())
    np.savez(tmp_path / "model.npz", department__keys=np.array([{"x": 1}], dtype=object))
    with pytest.raises(RoutingModelError):
        RoutingModel.load(tmp_path)


# --- the shipped model -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> RoutingModel:
    return RoutingModel.load(MODEL_DIR)


def test_shipped_model_is_small_and_plain_arrays() -> None:
    assert (MODEL_DIR / "model.npz").stat().st_size < 5_000_000
    with np.load(MODEL_DIR / "model.npz", allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("我的住房公积金怎么提取？", "住房公积金管理中心"),
        ("闯红灯被拍了，驾驶证扣分怎么处理", "交管局"),
        ("地震来了在家里怎么避险逃生", "应急局"),
        ("门诊看病医保能报销多少", "医保局"),
    ],
)
def test_shipped_model_routes_obvious_cases(shipped: RoutingModel, text: str, department: str) -> None:
    assert shipped.predict(text).department == department


def test_shipped_model_categories(shipped: RoutingModel) -> None:
    assert set(shipped.heads["category"].classes) == set(TICKET_CATEGORIES)
    assert shipped.predict("建议在我们小区附近增设一个公交站，方便居民出行").category == "建言"
    assert shipped.predict("请问办理居住证需要带哪些材料？").category == "咨询"


def test_empty_and_non_chinese_input_get_no_suggestion(shipped: RoutingModel) -> None:
    for text in ("", "   ", "？？", "hello world"):
        suggestion = shipped.predict(text)
        assert suggestion.department is None and suggestion.category is None
        assert suggestion.departments == () and suggestion.to_dict()["department_confidence"] == 0.0


def test_huge_input_is_cut_and_fast(shipped: RoutingModel) -> None:
    huge = "小区门口道路积水严重，希望尽快疏通。" * 20_000
    start = time.perf_counter()
    suggestion = shipped.predict(huge)
    assert time.perf_counter() - start < 1.0
    assert suggestion.department is not None and len(suggestion.departments) == 3


def test_module_predict_uses_the_shipped_model() -> None:
    data = predict("公积金贷款额度怎么算").to_dict()
    assert data["department"] == "住房公积金管理中心"
    assert data["categories"][0]["label"] == data["category"]


@needs_shared
def test_shipped_model_was_built_from_the_shared_files() -> None:
    meta = json.loads((MODEL_DIR / "model.json").read_text(encoding="utf-8"))
    for name, digest in meta["source"]["files"].items():
        assert hashlib.sha256((SOURCE_DIR / name).read_bytes()).hexdigest() == digest


# --- the split ---------------------------------------------------------------------------------------


def test_split_is_deterministic_stratified_and_disjoint() -> None:
    examples = [Example(f"文本{i}", "甲" if i % 3 else "乙") for i in range(60)]
    train, test = split_examples(examples, test_fraction=0.2)
    assert (train, test) == split_examples(list(reversed(examples)), test_fraction=0.2)
    assert not {e.text for e in train} & {e.text for e in test}
    assert sum(e.label == "甲" for e in test) == 8 and sum(e.label == "乙" for e in test) == 4


@needs_shared
def test_real_split_sizes() -> None:
    train, test = load_split("department")
    assert (len(train), len(test)) == (1646, 410)
    assert not {e.text for e in train} & {e.text for e in test}


# --- eval metrics --------------------------------------------------------------------------------


def test_accuracy_and_macro_f1_by_hand() -> None:
    truth = ["a", "a", "a", "b", "b", "c"]
    guess = ["a", "a", "b", "b", "c", "c"]
    assert accuracy(truth, guess) == pytest.approx(4 / 6)
    # a: p=1 r=2/3 f=0.8; b: p=1/2 r=1/2 f=0.5; c: p=1/2 r=1 f=2/3
    assert macro_f1(truth, guess) == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert per_class(truth, guess)["c"] == pytest.approx(
        {"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 1}
    )
    assert accuracy([], []) == 0.0 and macro_f1([], []) == 0.0
    with pytest.raises(ValueError):
        accuracy(["a"], [])


def test_majority_baseline() -> None:
    assert majority_label(["b", "a", "b", "a"]) == "a"  # ties: alphabetical
    base = majority_baseline(["x", "x", "y"], ["x", "y", "y", "z"])
    assert base["label"] == "x" and base["accuracy"] == pytest.approx(0.25)
    # only x scores: p=1/4 r=1 f=0.4; y and z score 0
    assert base["macro_f1"] == pytest.approx(0.4 / 3)


def test_confusion_pools_the_tail() -> None:
    result = confusion(["a", "a", "b", "c"], ["a", "b", "b", "a"], top=2)
    assert result["labels"] == ["a", "b", "其他"]
    assert result["rows"]["a"] == {"a": 1, "b": 1, "其他": 0}
    assert result["rows"]["其他"]["a"] == 1
