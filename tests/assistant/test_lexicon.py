"""Tests for assistant.lexicon: parsing a lexicon folder, fingerprints, query expansion, the bundled lexicon."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest

from assistant.lexicon import (
    STOPWORDS_FILE,
    SYNONYMS_FILE,
    USER_DICT_FILE,
    Lexicon,
    UserWord,
    load_lexicon,
)
from assistant.settings import PROJECT_ROOT
from assistant.textnorm import normalize

REAL_LEXICON_DIR = PROJECT_ROOT / "knowledge" / "lexicon"

USER_DICT = """\
# 测试用户词典
# 格式：词语 词频 词性

一网通办 20000 nz
容缺受理
电子证照 3000
掌上办 nz
  # 缩进的注释行
辦事指南 100 n
"""

SYNONYMS = (
    "colloquial\tofficial\tnote\n"
    "社保\t社会保险|社会保障\t通用简称\n"
    "上户口\t户口登记|出生登记\t口语说法\n"
    "辦證\t辦理證件\t繁体写法，应转为简体\n"
    "公积金\t住房公积金||\t空的官方词被跳过\n"
    "没有官方词\t\t整行跳过\n"
    "\t社会保险\t没有口语词，整行跳过\n"
)

STOPWORDS = """\
# 停用词
的
了

# ===== 标点 =====
？
"""


def write_lexicon(
    folder: Path, *, user_dict: str = USER_DICT, synonyms: str = SYNONYMS, stopwords: str = STOPWORDS
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / USER_DICT_FILE).write_text(user_dict, encoding="utf-8")
    (folder / SYNONYMS_FILE).write_text(synonyms, encoding="utf-8")
    (folder / STOPWORDS_FILE).write_text(stopwords, encoding="utf-8")
    return folder


# --------------------------------------------------------------------------------------------------
# load_lexicon on small generated files
# --------------------------------------------------------------------------------------------------


def test_user_dict_lines_are_parsed_and_comments_skipped(tmp_path: Path) -> None:
    lexicon = load_lexicon(write_lexicon(tmp_path / "lex"))
    assert lexicon.user_words == (
        UserWord("一网通办", 20000, "nz"),
        UserWord("容缺受理", None, None),
        UserWord("电子证照", 3000, None),
        UserWord("掌上办", None, "nz"),
        UserWord("办事指南", 100, "n"),  # normalised to Simplified
    )


def test_synonyms_are_parsed_normalised_and_incomplete_rows_skipped(tmp_path: Path) -> None:
    lexicon = load_lexicon(write_lexicon(tmp_path / "lex"))
    assert lexicon.synonyms == {
        "社保": ("社会保险", "社会保障"),
        "上户口": ("户口登记", "出生登记"),
        "办证": ("办理证件",),
        "公积金": ("住房公积金",),
    }
    assert list(lexicon.synonyms) == ["社保", "上户口", "办证", "公积金"]  # file order kept


def test_stopwords_skip_comments_and_blank_lines_and_are_normalised(tmp_path: Path) -> None:
    lexicon = load_lexicon(write_lexicon(tmp_path / "lex"))
    assert lexicon.stopwords == frozenset({"的", "了", "?"})


def test_missing_files_give_empty_parts(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    lexicon = load_lexicon(folder)
    assert lexicon.user_words == ()
    assert lexicon.synonyms == {}
    assert lexicon.stopwords == frozenset()
    assert lexicon.fingerprint == hashlib.sha256(b"").hexdigest()[:16]
    assert lexicon.expand("我想办社保") == []


def test_missing_folder_gives_empty_lexicon(tmp_path: Path) -> None:
    lexicon = load_lexicon(tmp_path / "does-not-exist")
    assert (lexicon.user_words, lexicon.synonyms, lexicon.stopwords) == ((), {}, frozenset())


def test_only_some_files_present(tmp_path: Path) -> None:
    folder = tmp_path / "partial"
    folder.mkdir()
    (folder / STOPWORDS_FILE).write_text("的\n", encoding="utf-8")
    lexicon = load_lexicon(folder)
    assert lexicon.stopwords == frozenset({"的"})
    assert lexicon.user_words == ()
    assert lexicon.synonyms == {}


def test_fingerprint_is_stable_for_unchanged_files(tmp_path: Path) -> None:
    folder = write_lexicon(tmp_path / "lex")
    first = load_lexicon(folder).fingerprint
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert load_lexicon(folder).fingerprint == first
    # Same content in another folder: same fingerprint (it depends on content, not on paths).
    assert load_lexicon(write_lexicon(tmp_path / "copy")).fingerprint == first


@pytest.mark.parametrize("changed", [USER_DICT_FILE, SYNONYMS_FILE, STOPWORDS_FILE])
def test_fingerprint_changes_when_any_file_changes(tmp_path: Path, changed: str) -> None:
    folder = write_lexicon(tmp_path / "lex")
    before = load_lexicon(folder).fingerprint
    with (folder / changed).open("a", encoding="utf-8") as handle:
        handle.write("# 新增一行注释\n")
    assert load_lexicon(folder).fingerprint != before


def test_fingerprint_changes_when_a_file_is_removed(tmp_path: Path) -> None:
    folder = write_lexicon(tmp_path / "lex")
    before = load_lexicon(folder).fingerprint
    (folder / STOPWORDS_FILE).unlink()
    assert load_lexicon(folder).fingerprint != before


# --------------------------------------------------------------------------------------------------
# Lexicon.expand
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def small_lexicon() -> Lexicon:
    return Lexicon(
        synonyms={
            "社保": ("社会保险",),
            "社保卡": ("社会保障卡", "社会保险"),
            "公积金": ("住房公积金",),
            "上户口": ("户口登记", "出生登记"),
        }
    )


def test_expand_finds_officials_for_colloquial_substrings(small_lexicon: Lexicon) -> None:
    assert small_lexicon.expand("孩子刚出生怎么上户口") == ["户口登记", "出生登记"]


def test_expand_keeps_table_order_and_drops_duplicates(small_lexicon: Lexicon) -> None:
    # 社保 and 社保卡 both match; 社会保险 is listed by both but is returned once, in table order.
    assert small_lexicon.expand("社保卡丢了怎么办，公积金能提取吗") == [
        "社会保险",
        "社会保障卡",
        "住房公积金",
    ]


def test_expand_skips_officials_already_in_the_query(small_lexicon: Lexicon) -> None:
    assert small_lexicon.expand("住房公积金怎么提取") == []  # 公积金 matches, 住房公积金 is already there
    assert small_lexicon.expand("社会保险和社保卡") == ["社会保障卡"]


def test_expand_without_matches(small_lexicon: Lexicon) -> None:
    assert small_lexicon.expand("营业执照遗失补办") == []
    assert small_lexicon.expand("") == []


# --------------------------------------------------------------------------------------------------
# The bundled lexicon
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_lexicon() -> Lexicon:
    return load_lexicon(REAL_LEXICON_DIR)


def test_real_lexicon_has_enough_synonyms(real_lexicon: Lexicon) -> None:
    assert len(real_lexicon.synonyms) >= 150


def test_real_synonyms_have_no_duplicate_colloquial_rows(real_lexicon: Lexicon) -> None:
    with (REAL_LEXICON_DIR / SYNONYMS_FILE).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        assert reader.fieldnames == ["colloquial", "official", "note"]
        rows = list(reader)
    assert len(rows) == len(real_lexicon.synonyms)


def test_real_synonyms_are_in_matching_form(real_lexicon: Lexicon) -> None:
    for colloquial, officials in real_lexicon.synonyms.items():
        assert colloquial == normalize(colloquial)
        assert officials
        assert all(term and term == normalize(term) for term in officials)


@pytest.mark.parametrize(
    ("colloquial", "any_of"),
    [
        ("社保", {"社会保险"}),
        ("公积金", {"住房公积金"}),
        ("上户口", {"户口登记", "出生登记"}),
    ],
)
def test_real_synonyms_map_common_colloquial_terms(
    real_lexicon: Lexicon, colloquial: str, any_of: set[str]
) -> None:
    assert any_of & set(real_lexicon.synonyms[colloquial])


def test_real_expand_on_a_question(real_lexicon: Lexicon) -> None:
    expanded = real_lexicon.expand(normalize("我想提取公積金"))
    assert "住房公积金" in expanded
    assert len(expanded) == len(set(expanded))


def test_real_stopwords(real_lexicon: Lexicon) -> None:
    assert "的" in real_lexicon.stopwords
    for meaningful in ("办理", "材料", "电话"):
        assert meaningful not in real_lexicon.stopwords


def test_real_user_dict_keeps_reform_terms(real_lexicon: Lexicon) -> None:
    words = {entry.word: entry for entry in real_lexicon.user_words}
    for term in ("一网通办", "容缺受理", "告知承诺制"):
        assert term in words
    assert words["一网通办"].freq is not None and words["一网通办"].freq > 0
    assert not any(entry.word.startswith("#") for entry in real_lexicon.user_words)
