"""The workbench ``safety`` suite: the fresh rounds load and count only in their own split's figures."""

from __future__ import annotations

from collections import Counter

from evals.safety_bank import FRESH_ROUNDS
from evals.workbench.suites_safety import SafetySuite, item_scores


def test_the_suite_loads_the_banks_and_every_fresh_round() -> None:
    loaded = SafetySuite().load()
    assert not loaded.skipped
    files = Counter(item.source for item in loaded.items)
    for name in ("refuse", "answer", "injection", *FRESH_ROUNDS):
        assert files[f"{name}.jsonl"] > 100, name
    assert len({item.id for item in loaded.items}) == len(loaded.items)


def test_a_fresh_round_item_scores_only_its_split() -> None:
    refused = {"bank": "refuse", "kind": "refused_rule", "split": "fresh2"}
    assert item_scores(refused) == {"refused_fresh2": 1.0}
    answered = {"bank": "answer", "kind": "refused_rule", "split": "fresh"}
    assert item_scores(answered) == {"wrongly_refused_fresh": 1.0}
    third = {"bank": "answer", "kind": "refused_no_evidence", "split": "fresh3"}
    assert item_scores(third) == {"wrongly_refused_fresh3": 0.0}
    fourth = {"bank": "refuse", "kind": "refused_no_evidence", "split": "fresh4"}
    assert item_scores(fourth) == {"refused_fresh4": 0.0}
    for name in FRESH_ROUNDS:
        assert item_scores({"bank": "refuse", "kind": "refused_rule", "split": name}) == {
            f"refused_{name}": 1.0
        }
        wrongly = item_scores({"bank": "answer", "kind": "refused_rule", "split": name})
        assert wrongly == {f"wrongly_refused_{name}": 1.0}
    dev = item_scores({"bank": "refuse", "kind": "answered", "split": "dev"})
    assert dev["refused"] == 0.0 and dev["refused_dev"] == 0.0 and "refused_fresh2" not in dev


def test_the_suite_aggregates_fresh_rounds_apart_from_the_overall_figures() -> None:
    suite = SafetySuite()
    assert FRESH_ROUNDS[:10] == ("fresh", *(f"fresh{n}" for n in range(2, 11)))  # every round so far
    for name in FRESH_ROUNDS:
        assert {f"refused_{name}", f"wrongly_refused_{name}"} <= set(suite.metrics), name
    results = [
        {"scores": item_scores({"bank": "refuse", "kind": "answered", "split": "heldout"})},
        {"scores": item_scores({"bank": "refuse", "kind": "refused_rule", "split": "fresh2"})},
        {"scores": item_scores({"bank": "refuse", "kind": "answered", "split": "fresh3"})},
        {"scores": item_scores({"bank": "answer", "kind": "refused_rule", "split": "fresh3"})},
        {"scores": item_scores({"bank": "refuse", "kind": "refused_rule", "split": "fresh4"})},
        {"scores": item_scores({"bank": "answer", "kind": "answered", "split": "fresh4"})},
        {"scores": item_scores({"bank": "refuse", "kind": "refused_no_evidence", "split": "fresh5"})},
        {"scores": item_scores({"bank": "answer", "kind": "refused_rule", "split": "fresh5"})},
        {"scores": item_scores({"bank": "refuse", "kind": "refused_rule", "split": "fresh6"})},
        {"scores": item_scores({"bank": "answer", "kind": "refused_no_evidence", "split": "fresh6"})},
        {"scores": item_scores({"bank": "refuse", "kind": "answered", "split": "fresh7"})},
        {"scores": item_scores({"bank": "answer", "kind": "refused_rule", "split": "fresh7"})},
        {"scores": item_scores({"bank": "refuse", "kind": "refused_rule", "split": "fresh8"})},
        {"scores": item_scores({"bank": "answer", "kind": "answered", "split": "fresh8"})},
        {"scores": item_scores({"bank": "refuse", "kind": "answered", "split": "fresh9"})},
        {"scores": item_scores({"bank": "answer", "kind": "refused_rule", "split": "fresh9"})},
        {"scores": item_scores({"bank": "refuse", "kind": "refused_rule", "split": "fresh11"})},
        {"scores": item_scores({"bank": "answer", "kind": "answered", "split": "fresh11"})},
    ]
    metrics = suite.aggregate(results)
    assert metrics["refused"] == 0.0  # the fresh item is not in the overall figure
    assert metrics["refused_fresh2"] == 1.0 and metrics["refused_heldout"] == 0.0
    assert metrics["refused_fresh3"] == 0.0 and metrics["wrongly_refused_fresh3"] == 1.0
    assert metrics["refused_fresh4"] == 1.0 and metrics["wrongly_refused_fresh4"] == 0.0
    assert metrics["refused_fresh5"] == 0.0 and metrics["wrongly_refused_fresh5"] == 1.0
    assert metrics["refused_fresh6"] == 1.0 and metrics["wrongly_refused_fresh6"] == 0.0
    assert metrics["refused_fresh7"] == 0.0 and metrics["wrongly_refused_fresh7"] == 1.0
    assert metrics["refused_fresh8"] == 1.0 and metrics["wrongly_refused_fresh8"] == 0.0
    assert metrics["refused_fresh9"] == 0.0 and metrics["wrongly_refused_fresh9"] == 1.0
    assert metrics["refused_fresh11"] == 1.0 and metrics["wrongly_refused_fresh11"] == 0.0
    assert metrics["wrongly_refused"] is None  # the fresh should-answer item is not in the overall figure
