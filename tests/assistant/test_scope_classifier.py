"""The scope classifier: the shipped model loads, refuses clearly off-topic messages, lets government-service
look-alikes through, and fails clearly on missing or malformed files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.router import screening_form
from assistant.scope_classifier import (
    META_FILE,
    MODEL_DIR,
    WEIGHTS_FILE,
    ScopeClassifier,
    ScopeModelError,
    default_scope_classifier,
    flags_off_topic,
)

# Made-up messages written for this test, in no training file.
CLEARLY_OFF_TOPIC = (
    "周末想带对象去看场电影，最近有什么好看的爱情片推荐一下",
    "帮我写一首描写秋天银杏叶的七言绝句",
    "用Python怎么把一个列表里的重复元素去掉还保持原来的顺序",  # a first-try miss of the first fit; the refit flags it
    "减脂期间晚饭吃什么比较好，最好是不用开火的",
)
SERVICE_LOOK_ALIKES = (
    "电影院消防验收没过能开业吗，去哪个部门申请复查",
    "在景区门口摆摊卖小吃要办什么证",
    "个人所得税年度汇算在手机上怎么办理",
    "孩子在外地上学，医保报销要先办异地备案吗",
)


def test_the_shipped_model_loads_with_a_threshold_and_fitting_arrays() -> None:
    model = default_scope_classifier()
    assert 0.5 <= model.threshold < 1.0
    assert model.keys.shape == model.idf.shape == model.coef.shape
    assert model.keys.size > 1000
    assert model.meta["training_data_sha256"]
    assert default_scope_classifier() is model  # cached


@pytest.mark.parametrize("message", CLEARLY_OFF_TOPIC)
def test_a_clearly_off_topic_message_is_flagged(message: str) -> None:
    assert flags_off_topic(screening_form(message))


@pytest.mark.parametrize("message", SERVICE_LOOK_ALIKES)
def test_a_service_question_on_an_everyday_theme_is_not_flagged(message: str) -> None:
    assert not flags_off_topic(screening_form(message))


def test_too_little_text_is_not_judged() -> None:
    model = default_scope_classifier()
    assert not model.judges("电影")
    assert not model.flags("电影")


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(MODEL_DIR, target)
    return target


def test_a_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ScopeModelError, match="cannot read"):
        ScopeClassifier.load(tmp_path / "absent")


def test_malformed_json_is_a_clear_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / META_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ScopeModelError, match="cannot read"):
        ScopeClassifier.load(folder)


def _rewrite_meta(folder: Path, **changes: object) -> None:
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    meta.update(changes)
    (folder / META_FILE).write_text(json.dumps(meta), encoding="utf-8")


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _rewrite_meta(folder, format=99)
    with pytest.raises(ScopeModelError, match="format"):
        ScopeClassifier.load(folder)


def test_a_model_without_a_release_bar_clears_nothing(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    del meta["guard_release_bar"]
    (folder / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    model = ScopeClassifier.load(folder)
    assert model.guard_release_bar == 0.0
    assert not model.clears(screening_form(SERVICE_LOOK_ALIKES[2]))


@pytest.mark.parametrize("bar", [-0.1, 0.65, 0.9])
def test_a_release_bar_out_of_range_is_refused(tmp_path: Path, bar: float) -> None:
    folder = _copy(tmp_path)
    _rewrite_meta(folder, guard_release_bar=bar, threshold=0.65)
    with pytest.raises(ScopeModelError, match="release bar"):
        ScopeClassifier.load(folder)


@pytest.mark.parametrize("threshold", [0.0, 1.0, 1.5])
def test_a_threshold_out_of_range_is_refused(tmp_path: Path, threshold: float) -> None:
    folder = _copy(tmp_path)
    _rewrite_meta(folder, threshold=threshold)
    with pytest.raises(ScopeModelError, match="threshold"):
        ScopeClassifier.load(folder)


def _rewrite_weights(folder: Path, **changes: np.ndarray) -> None:
    with np.load(folder / WEIGHTS_FILE, allow_pickle=False) as arrays:
        data = {k: arrays[k] for k in arrays.files}
    data.update(changes)
    np.savez_compressed(folder / WEIGHTS_FILE, allow_pickle=False, **data)


def test_arrays_that_do_not_fit_together_are_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    with np.load(folder / WEIGHTS_FILE, allow_pickle=False) as arrays:
        coef = arrays["coef"]
    _rewrite_weights(folder, coef=coef[:-1])
    with pytest.raises(ScopeModelError, match="fit together"):
        ScopeClassifier.load(folder)


def test_unsorted_keys_are_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    with np.load(folder / WEIGHTS_FILE, allow_pickle=False) as arrays:
        keys = arrays["keys"]
    _rewrite_weights(folder, keys=keys[::-1].copy())
    with pytest.raises(ScopeModelError, match="sorted"):
        ScopeClassifier.load(folder)


def test_a_missing_array_is_a_clear_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    with np.load(folder / WEIGHTS_FILE, allow_pickle=False) as arrays:
        data = {k: arrays[k] for k in arrays.files if k != "idf"}
    np.savez_compressed(folder / WEIGHTS_FILE, allow_pickle=False, **data)
    with pytest.raises(ScopeModelError, match="cannot read"):
        ScopeClassifier.load(folder)
