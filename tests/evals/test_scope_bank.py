"""The topic-scope sets: the committed round's shape, and clear errors on malformed files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evals.scope_bank import SCOPE_DIR, SETS, TEST_ROUNDS, THEMES, ScopeSetError, load_scope, read_scope_file


@pytest.mark.parametrize("round_name", TEST_ROUNDS)
def test_each_committed_round_has_every_theme_in_both_sets(round_name: str) -> None:
    items = load_scope()
    assert len({item.id for item in items}) == len(items)
    assert {item.round for item in items} == set(TEST_ROUNDS)  # scope2 (train/) is never scored
    shown = [item for item in items if item.round == round_name]
    assert Counter(item.set for item in shown) == {"offtopic": 160, "inscope": 160}
    for which in SETS:
        themes = Counter(item.theme for item in shown if item.set == which)
        assert themes == dict.fromkeys(THEMES, 16), which
        assert sum(item.latin_only for item in shown if item.set == which) == 16, which
    assert len({item.text for item in shown}) == 320  # no message is in both sets


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_a_file_reads_into_items_with_stable_ids(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "offtopic_scope7.txt", "# header\n[food]\n红烧肉怎么做\n\n[chitchat]\nhello there\n"
    )
    items = read_scope_file(path)
    assert [(i.id, i.set, i.theme, i.round) for i in items] == [
        ("off7-0001", "offtopic", "food", "scope7"),
        ("off7-0002", "offtopic", "chitchat", "scope7"),
    ]
    assert not items[0].latin_only and items[1].latin_only


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("inscope_scope1.txt", "[weather]\n明天下雨吗\n", "unknown theme"),
        ("inscope_scope1.txt", "社保怎么转移\n[food]\n", "before the first"),
        ("inscope_scope1.txt", "[food]\n餐馆投诉\n餐馆投诉\n", "duplicate"),
        ("inscope_scope1.txt", "# only a header\n", "no messages"),
        ("scope1.txt", "[food]\n餐馆投诉\n", "expected"),
    ],
)
def test_a_malformed_file_is_a_clear_error(tmp_path: Path, name: str, body: str, message: str) -> None:
    with pytest.raises(ScopeSetError, match=message):
        read_scope_file(_write(tmp_path, name, body))


def test_a_folder_without_sets_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no offtopic_scopeN"):
        load_scope(tmp_path)


def test_the_training_set_is_apart_from_the_scored_rounds() -> None:
    train = SCOPE_DIR / "train"
    off = read_scope_file(train / "offtopic_scope2.txt")
    inside = read_scope_file(train / "inscope_scope2.txt")
    assert Counter(i.theme for i in off) == dict.fromkeys(THEMES, 40)
    assert Counter(i.theme for i in inside) == dict.fromkeys(THEMES, 20)
    assert (
        sum(i.latin_only for i in off) == 50 and sum(i.latin_only for i in inside) == 28
    )  # 40 + 20 English, the rest pinyin
    assert not {i.round for i in load_scope()} & {"scope2"}  # the suite never scores training data
