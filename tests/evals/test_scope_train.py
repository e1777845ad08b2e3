"""The scope trainer: what it reads (allowed data only), its threshold rule, and that retraining at the
shipped point reproduces the shipped threshold and training data."""

from __future__ import annotations

import functools
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from assistant.scope_classifier import META_FILE, MODEL_DIR
from evals.msgabench import DEFAULT_SOURCE, QA_FILE
from evals.safety_bank import BLIND_FRESH_ROUNDS
from evals.scope_train import (
    SCOPE2_INSCOPE,
    Example,
    Params,
    data_hash,
    release_rule,
    released,
    threshold_rule,
    train,
    training_examples,
)


@functools.cache
def _examples() -> tuple[Example, ...]:
    return tuple(training_examples(msgabench=None))


def test_the_training_data_has_every_allowed_source() -> None:
    counts = Counter(f"{e.source}:{e.label}" for e in _examples())
    assert counts["offtopic_scope2:1"] == 400
    assert counts["behaviour:1"] == 17
    assert counts[f"{SCOPE2_INSCOPE}:0"] == 200
    assert counts["answer_bank:0"] > 1500
    assert counts["policy_qa:0"] > 100
    assert counts["guide_catalogue:0"] > 1000
    assert counts["fresh23:0"] > 100
    assert "msgabench_dev:0" not in counts  # not asked for here


def test_the_training_data_reads_no_blind_file() -> None:
    sources = {e.source for e in _examples()}
    assert not set(BLIND_FRESH_ROUNDS) & sources and "fresh24" not in sources
    assert not any("scope1" in s or "heldout" in s for s in sources)


def test_msgabench_dev_half_only(tmp_path: Path) -> None:
    from evals.msgabench import split_of
    from evals.scope_train import msgabench_dev_questions

    rows = [{"用户问题": f"问题{i}怎么办理"} for i in range(40)]
    (tmp_path / QA_FILE).write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
    )
    questions = msgabench_dev_questions(tmp_path)
    assert questions is not None and 0 < len(questions) < 40
    assert all(split_of(q) == "dev" for q in questions)
    assert msgabench_dev_questions(tmp_path / "absent") is None


def _synthetic(inscope: list[float], scope2: list[float], offtopic: list[float]) -> tuple[np.ndarray, ...]:
    scores = np.array([*inscope, *scope2, *offtopic])
    labels = np.array([0] * (len(inscope) + len(scope2)) + [1] * len(offtopic))
    sources = np.array(["a"] * len(inscope) + [SCOPE2_INSCOPE] * len(scope2) + ["off"] * len(offtopic))
    return scores, labels, sources


def test_the_threshold_is_the_lowest_that_meets_every_cap() -> None:
    # 1000 in scope in source "a": at most 2 refused over all (0.002), and at most 5 in the source.
    inscope = [0.1] * 997 + [0.95, 0.8, 0.62]
    scores, labels, sources = _synthetic(inscope, [0.1] * 100, [0.9] * 50)
    assert threshold_rule(scores, labels, sources) == 0.63  # 0.62 alone left: 2 of 1,100 are refused


def test_a_source_of_100_or_more_is_capped_at_half_a_percent() -> None:
    inscope = [0.1] * 5000
    source_b = [0.1] * 98 + [0.7, 0.7]  # 2 of 100 in source "b" refused below 0.71
    scores = np.array([*inscope, *source_b])
    labels = np.zeros(scores.size, dtype=int)
    sources = np.array(["a"] * 5000 + ["b"] * 100)
    assert threshold_rule(scores, labels, sources) == 0.71
    small = np.array(["a"] * 5000 + ["b"] * 98 + ["c"] * 2)  # a source under 100 is not capped alone
    assert threshold_rule(scores, labels, small) == 0.5


def test_scope2_in_scope_is_capped_at_two_percent() -> None:
    scope2 = [0.1] * 40 + [0.9]  # 1 of 41 (2.4 %) refused below 0.91
    scores, labels, sources = _synthetic([0.1] * 5000, scope2, [0.95])
    assert threshold_rule(scores, labels, sources) == 0.91


def test_no_threshold_when_no_candidate_meets_the_caps() -> None:
    scores, labels, sources = _synthetic([0.995] * 10 + [0.1] * 990, [], [0.9])
    assert threshold_rule(scores, labels, sources) is None


def test_retraining_at_the_shipped_point_reproduces_the_shipped_threshold(tmp_path: Path) -> None:
    shipped = json.loads((MODEL_DIR / META_FILE).read_text(encoding="utf-8"))
    has_msgabench = (DEFAULT_SOURCE / QA_FILE).exists()
    if shipped["msgabench_dev_present"] != has_msgabench:
        pytest.skip("MSGABench (shared/external-data) is not as it was when the model was trained")
    examples = training_examples(msgabench=DEFAULT_SOURCE)
    assert data_hash(examples) == shipped["training_data_sha256"]
    params = Params(**shipped["params"])
    meta = train(tmp_path, examples=examples, grid=(params,), loso=False)
    assert meta["threshold"] == shipped["threshold"]
    assert meta["guard_release_bar"] == shipped["guard_release_bar"]
    assert meta["min_latin"] == shipped["min_latin"]
    assert meta["n_features"] == shipped["n_features"]


def _guard_refused(offtopic: list[float], inscope: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    raw = np.array(offtopic + inscope + [0.01, 0.99])  # two examples the guard does not refuse
    labels = np.array([1] * len(offtopic) + [0] * len(inscope) + [0, 1])
    releasable = np.array([True] * (len(offtopic) + len(inscope)) + [False, False])
    return raw, labels, releasable


def test_the_release_bar_is_the_highest_that_frees_at_most_two_percent_of_guard_refused_off_topic() -> None:
    # 100 guard-refused off-topic examples: two score 0.12, one 0.32, the rest 0.9.
    raw, labels, releasable = _guard_refused([0.12, 0.12, 0.32] + [0.9] * 97, [0.01, 0.2, 0.6])
    assert release_rule(raw, labels, releasable, threshold=0.65) == 0.3  # 0.35 would free three
    assert released(raw, labels, releasable, 0.3) == {
        "offtopic_guard_refused": 100,
        "offtopic_released": 2,
        "inscope_guard_refused": 3,
        "inscope_released": 2,
    }


def test_the_release_bar_stays_below_the_threshold() -> None:
    raw, labels, releasable = _guard_refused([0.9] * 50, [0.1])
    assert release_rule(raw, labels, releasable, threshold=0.42) == 0.4


def test_no_release_when_even_the_lowest_bar_frees_too_much() -> None:
    raw, labels, releasable = _guard_refused([0.01] * 10 + [0.9] * 10, [0.01])
    assert release_rule(raw, labels, releasable, threshold=0.65) == 0.0
