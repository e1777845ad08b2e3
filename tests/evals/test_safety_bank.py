"""The safety banks: schema, sizes, unique ids, dev/heldout split, and that they rebuild from the sources."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals.safety_bank import (
    BANKS,
    FRESH_ROUNDS,
    SAFETY_DIR,
    BankError,
    SafetyItem,
    load_all,
    load_bank,
    load_fresh,
)


@pytest.fixture(scope="module")
def banks() -> dict[str, list[SafetyItem]]:
    return load_all()


def test_bank_sizes_meet_the_issue(banks: dict[str, list[SafetyItem]]) -> None:
    assert len(banks["refuse"]) >= 500
    assert len(banks["answer"]) >= 500
    assert len(banks["injection"]) >= 200


def test_ids_are_unique_across_banks_and_texts_unique_within_each(banks: dict[str, list[SafetyItem]]) -> None:
    ids = [i.id for bank in BANKS for i in banks[bank]]
    assert len(ids) == len(set(ids))
    for bank in ("refuse", "answer"):
        texts = [i.text for i in banks[bank]]
        assert len(texts) == len(set(texts)), bank


def test_every_category_has_dev_and_heldout_items(banks: dict[str, list[SafetyItem]]) -> None:
    for bank in BANKS:
        first_round = [i for i in banks[bank] if "later round" not in i.notes]
        splits = Counter(i.split for i in first_round)
        assert 0.4 <= splits["dev"] / len(first_round) <= 0.6, (bank, splits)
        for category in {i.category for i in first_round}:
            seen = {i.split for i in first_round if i.category == category}
            assert seen == {"dev", "heldout"}, (bank, category)


def test_later_rounds_are_dev_only_and_the_fresh_round_is_its_own_split(
    banks: dict[str, list[SafetyItem]],
) -> None:
    later = [i for bank in ("refuse", "answer") for i in banks[bank] if "later round" in i.notes]
    assert later and {i.split for i in later} == {"dev"}
    fresh = load_fresh(rounds=("fresh",))
    assert Counter(i.bank for i in fresh) == {"refuse": 67, "answer": 66}
    assert {i.split for i in fresh} == {"fresh"}
    second = load_fresh(rounds=("fresh2",))
    assert {i.split for i in second} == {"fresh2"}
    counts = Counter(i.bank for i in second)
    assert counts["refuse"] >= 100 and counts["answer"] >= 100
    third = load_fresh(rounds=("fresh3",))
    assert {i.split for i in third} == {"fresh3"}
    counts = Counter(i.bank for i in third)
    assert counts["refuse"] >= 120 and counts["answer"] >= 120
    assert {i.id[:3] for i in third} == {"srh", "sah"}
    fourth = load_fresh(rounds=("fresh4",))
    assert {i.split for i in fourth} == {"fresh4"}
    counts = Counter(i.bank for i in fourth)
    assert counts["refuse"] >= 120 and counts["answer"] >= 130
    assert {i.id[:3] for i in fourth} == {"sri", "sai"}
    assert {i.notes for i in fourth} == {
        "hand-written, fourth fresh round (scored blind before and after step 8, training data of the"
        " classifier since 2026-11-23, step 9)"
    }
    fifth = load_fresh(rounds=("fresh5",))
    assert {i.split for i in fifth} == {"fresh5"}
    counts = Counter(i.bank for i in fifth)
    assert counts["refuse"] >= 120 and counts["answer"] >= 130
    assert {i.id[:3] for i in fifth} == {"srj", "saj"}
    assert {i.notes for i in fifth} == {
        "hand-written, fifth fresh round (scored blind before and after a change, training data of the"
        " classifier since 2026-11-23, step 11)"
    }
    sixth = load_fresh(rounds=("fresh6",))
    assert {i.split for i in sixth} == {"fresh6"}
    counts = Counter(i.bank for i in sixth)
    assert counts["refuse"] >= 120 and counts["answer"] >= 130
    assert {i.id[:3] for i in sixth} == {"srk", "sak"}
    assert {i.notes for i in sixth} == {
        "hand-written, sixth fresh round (scored blind before and after a change, training data of the"
        " classifier since 2026-11-23, step 11)"
    }
    seventh = load_fresh(rounds=("fresh7",))
    assert {i.split for i in seventh} == {"fresh7"}
    counts = Counter(i.bank for i in seventh)
    assert counts["refuse"] >= 120 and counts["answer"] >= 130
    assert {i.id[:3] for i in seventh} == {"srl", "sal"}
    assert {i.notes for i in seventh} == {
        "hand-written, seventh fresh round (scored blind before and after a change, training data of the"
        " classifier since 2026-11-23, step 11)"
    }
    eighth = load_fresh(rounds=("fresh8",))
    assert {i.split for i in eighth} == {"fresh8"}
    counts = Counter(i.bank for i in eighth)
    assert counts["refuse"] >= 120 and counts["answer"] >= 130
    assert {i.id[:3] for i in eighth} == {"srm", "sam"}
    assert {i.notes for i in eighth} == {
        "hand-written, eighth fresh round (scored blind before and after step 11, training data of the"
        " classifier since 2026-11-23, step 12)"
    }
    ninth = load_fresh(rounds=("fresh9",))
    assert {i.split for i in ninth} == {"fresh9"}
    counts = Counter(i.bank for i in ninth)
    assert counts["refuse"] >= 120 and counts["answer"] >= 130
    assert {i.id[:3] for i in ninth} == {"srn", "san"}
    assert {i.notes for i in ninth} == {"hand-written, ninth fresh round (never trained or tuned on)"}
    seen = {i.text for bank in ("refuse", "answer") for i in banks[bank]}
    rounds = [
        {i.text for i in r} for r in (fresh, second, third, fourth, fifth, sixth, seventh, eighth, ninth)
    ]
    for n, texts in enumerate(rounds):
        assert not seen & texts, n
        for other in rounds[n + 1 :]:
            assert not texts & other, n
    assert len(load_fresh()) == sum(
        len(r) for r in (fresh, second, third, fourth, fifth, sixth, seventh, eighth, ninth)
    )


@pytest.mark.parametrize(
    "round_name", ["fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9"]
)
def test_a_later_fresh_round_covers_every_category(
    banks: dict[str, list[SafetyItem]], round_name: str
) -> None:
    later = load_fresh(rounds=(round_name,))
    for bank in ("refuse", "answer"):
        first_round = {i.category for i in banks[bank] if "later round" not in i.notes}
        assert first_round <= {i.category for i in later if i.bank == bank}, bank


def test_variants_share_the_split_of_their_prompt(banks: dict[str, list[SafetyItem]]) -> None:
    for bank in ("refuse", "answer"):
        by_id = {i.id: i for i in banks[bank]}
        variants = [i for i in banks[bank] if i.notes.startswith("variant of")]
        assert variants
        for variant in variants:
            assert by_id[variant.id.removesuffix("v")].split == variant.split


def test_injection_bank_holds_direct_and_indirect_attempts(banks: dict[str, list[SafetyItem]]) -> None:
    categories = Counter(i.category for i in banks["injection"])
    assert categories["indirect_document"] >= 40 and categories["indirect_upload"] >= 20
    assert sum(n for c, n in categories.items() if c.startswith("direct_")) >= 120
    for item in banks["injection"]:
        if item.indirect:
            assert item.expected == "not_obey" and item.canaries
            assert item.doc_id or item.upload_id


def test_the_banks_rebuild_identically_from_their_sources(tmp_path: Path) -> None:
    from evals import safety_build

    for name, source, prefix, expected, transforms, share in (
        ("refuse", "refuse.txt", "sr", "refuse", safety_build.REFUSE_TRANSFORMS, 42),
        ("answer", "answer.txt", "sa", "answer", safety_build.ANSWER_TRANSFORMS, 37),
    ):
        sources = SAFETY_DIR / "sources"
        built = safety_build.build_bank(
            sources / source,
            prefix,
            expected,
            transforms,
            share,
            tuple(sources / f"{name}_dev{n}.txt" for n in safety_build.DEV_ROUNDS),
        )
        stored = [
            json.loads(line)
            for line in (SAFETY_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        assert built == stored, name
    stored = [
        json.loads(x) for x in (SAFETY_DIR / "injection.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert safety_build.build_injection() == stored
    for round_name in FRESH_ROUNDS:
        path = SAFETY_DIR / f"{round_name}.jsonl"
        stored = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        assert safety_build.build_fresh(round_name=round_name) == stored, round_name


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": "x", "text": "t", "category": "c", "expected": "refuse", "split": "dev"}, "notes"),
        (
            {"id": "x", "text": "t", "category": "c", "expected": "maybe", "split": "dev", "notes": "n"},
            "expected",
        ),
        (
            {"id": "x", "text": "t", "category": "c", "expected": "refuse", "split": "test", "notes": "n"},
            "split",
        ),
    ],
)
def test_malformed_records_are_refused(tmp_path: Path, record: dict[str, str], message: str) -> None:
    (tmp_path / "refuse.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(BankError, match=message):
        load_bank("refuse", tmp_path)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    record = {"id": "x", "text": "t", "category": "c", "expected": "refuse", "split": "dev", "notes": "n"}
    line = json.dumps(record, ensure_ascii=False)
    (tmp_path / "refuse.jsonl").write_text(f"{line}\n{line}\n", encoding="utf-8")
    with pytest.raises(BankError, match="duplicate"):
        load_bank("refuse", tmp_path)
