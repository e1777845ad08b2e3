"""The PII bank and its eval: the committed bank is the generator's output, it is big enough, and the
detectors meet the issue's targets on it (recall ≥ 0.995, false positives ≤ 0.01, no masking leak)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals.pii_bank import GENERATED, HANDWRITTEN, BankItem, generate, load_bank
from evals.pii_eval import TARGET_FALSE_POSITIVE_RATE, TARGET_RECALL, main, score


@pytest.fixture(scope="module")
def bank() -> list[BankItem]:
    return load_bank()


def test_committed_bank_is_the_generators_output() -> None:
    committed = GENERATED.read_text(encoding="utf-8").splitlines()
    assert committed == [item.to_json() for item in generate()]
    assert generate(1) != generate(2)


def test_bank_size_and_coverage(bank: list[BankItem]) -> None:
    assert len(bank) >= 1000
    kinds = Counter(p["kind"] for item in bank for p in item.pii)
    assert set(kinds) == {"id_card", "credit_code", "mobile", "landline", "bank_card", "email", "address"}
    assert min(kinds.values()) >= 100
    negatives = Counter(item.note for item in bank if not item.pii)
    for note in ("date", "amount", "文号", "article", "hotline", "postal", "order", "bad-id", "bad-card"):
        assert negatives[note] >= 5, note
    handwritten = [item for item in bank if item.source == "handwritten"]
    assert sum(1 for item in handwritten if not item.pii) >= 100
    forms = Counter(item.note for item in bank if item.pii)
    assert all(forms[form] >= 20 for form in ("full-width", "spaces", "dashes", "ideographic"))


def test_every_expected_item_is_in_its_string(bank: list[BankItem]) -> None:
    for item in bank:
        position = 0
        for pii in item.pii:
            found = item.text.find(pii["text"], position)
            assert found >= 0, item
            position = found + len(pii["text"])


def test_detectors_meet_the_targets_on_the_bank(bank: list[BankItem]) -> None:
    metrics, problems = score(bank)
    assert metrics["recall"] >= TARGET_RECALL, problems[:5]
    assert metrics["false_positive_rate"] <= TARGET_FALSE_POSITIVE_RATE, problems[:5]
    assert metrics["masking_leaks"] == 0
    assert metrics["meets_targets"] is True


def test_score_counts_misses_false_positives_and_leaks() -> None:
    items = [
        BankItem("手机13800138000", [{"kind": "mobile", "text": "13800138000"}]),
        BankItem("手机13800138000", [{"kind": "mobile", "text": "1380013800"}]),  # wrong text: a miss
        BankItem("没有个人信息", []),
        BankItem("电话13900139000", []),  # labelled negative, detected: a false positive
    ]
    metrics, problems = score(items)
    assert metrics["recall"] == 0.5 and metrics["false_positive_rate"] == 0.5
    assert metrics["meets_targets"] is False
    assert sorted(p["problem"] for p in problems) == ["false_positive", "miss"]


def test_main_writes_metrics(tmp_path: Path) -> None:
    assert main(["--report", str(tmp_path)]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["strings"] == len(load_bank()) and metrics["meets_targets"] is True
    assert (tmp_path / "misses.jsonl").read_text() == ""
    assert HANDWRITTEN.exists()
