"""Tests for assistant.tokenization: CJK bigrams/characters and the lexicon-aware jieba tokeniser."""

from __future__ import annotations

import pytest

from assistant.lexicon import Lexicon, load_lexicon
from assistant.settings import PROJECT_ROOT
from assistant.tokenization import ChineseTokenizer, TokenizedText, cjk_bigrams, cjk_chars

REFORM_SENTENCE = "通过一网通办平台申请容缺受理，并签署告知承诺制承诺书。"


@pytest.fixture(scope="module")
def real_lexicon() -> Lexicon:
    return load_lexicon(PROJECT_ROOT / "knowledge" / "lexicon")


@pytest.fixture(scope="module")
def tokenizer(real_lexicon: Lexicon) -> ChineseTokenizer:
    return ChineseTokenizer(real_lexicon)


# --------------------------------------------------------------------------------------------------
# cjk_bigrams / cjk_chars
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("办理社保卡", ["办理", "理社", "社保", "保卡"]),
        ("证", ["证"]),
        ("办证", ["办证"]),
        ("办理ABC社保卡123号", ["办理", "社保", "保卡", "号"]),
        ("社保，公积金", ["社保", "公积", "积金"]),
        ("abc 123", []),
        ("", []),
    ],
)
def test_cjk_bigrams(text: str, expected: list[str]) -> None:
    assert cjk_bigrams(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a办b理c", ["办", "理"]),
        ("2027年起", ["年", "起"]),
        ("社保，卡", ["社", "保", "卡"]),
        ("Hello 123", []),
        ("", []),
    ],
)
def test_cjk_chars(text: str, expected: list[str]) -> None:
    assert cjk_chars(text) == expected


# --------------------------------------------------------------------------------------------------
# ChineseTokenizer
# --------------------------------------------------------------------------------------------------


def test_lexicon_words_stay_whole(tokenizer: ChineseTokenizer) -> None:
    words = tokenizer.words(REFORM_SENTENCE)
    for term in ("一网通办", "容缺受理", "告知承诺制"):
        assert term in words


def test_without_the_lexicon_reform_terms_are_split() -> None:
    # Shows that the previous test depends on the lexicon, not on jieba's own dictionary.
    words = ChineseTokenizer().words(REFORM_SENTENCE)
    assert "容缺受理" not in words
    assert "一网通办" not in words


def test_stop_words_and_punctuation_are_removed(tokenizer: ChineseTokenizer) -> None:
    tokens = tokenizer.tokenize("我的营业执照丢了，怎么补办？！")
    assert "营业执照" in tokens.words
    assert "补办" in tokens.words
    for removed in ("的", "了", "，", "？", "！", "?", "!"):
        assert removed not in tokens.words
    assert "的" not in tokens.chars
    assert all(any(ch.isalnum() for ch in word) for word in tokens.words)


def test_meaningful_service_words_are_kept(tokenizer: ChineseTokenizer) -> None:
    words = tokenizer.words("办理居住证需要什么材料，咨询电话是多少")
    for kept in ("办理", "材料", "电话"):
        assert kept in words


def test_english_is_lower_cased(tokenizer: ChineseTokenizer) -> None:
    words = tokenizer.words("下载ＡＰＰ后登录Government Service平台")
    assert "app" in words
    assert "government" in words
    assert not any(word != word.lower() for word in words)


def test_numbers_are_kept(tokenizer: ChineseTokenizer) -> None:
    words = tokenizer.words("请拨打12345咨询，本办法自2027年1月1日起施行。")
    assert "12345" in words
    assert "2027" in words


def test_traditional_input_gives_the_same_tokens_as_simplified(tokenizer: ChineseTokenizer) -> None:
    traditional = tokenizer.tokenize("我的營業執照丟了，怎麼在網上補辦？需要什麼材料")
    simplified = tokenizer.tokenize("我的营业执照丢了，怎么在网上补办？需要什么材料")
    assert traditional == simplified
    assert "营业执照" in traditional.words


def test_tokenize_views(tokenizer: ChineseTokenizer) -> None:
    tokens = tokenizer.tokenize("办理社保卡")
    assert isinstance(tokens, TokenizedText)
    assert tokens.bigrams == ["办理", "理社", "社保", "保卡"]
    assert tokens.chars == ["办", "理", "社", "保", "卡"]
    assert tokens.terms == tokens.words + tokens.bigrams
    assert tokens.words  # jieba found at least one word


def test_stop_words_are_dropped_from_bigrams_and_chars() -> None:
    lexicon = Lexicon(stopwords=frozenset({"的", "社保"}))
    tokens = ChineseTokenizer(lexicon).tokenize("我的社保卡")
    assert "社保" not in tokens.bigrams
    assert "保卡" in tokens.bigrams
    assert "的" not in tokens.chars
    assert tokens.chars == ["我", "社", "保", "卡"]


def test_empty_and_punctuation_only_text(tokenizer: ChineseTokenizer) -> None:
    assert tokenizer.tokenize("") == TokenizedText([], [], [])
    assert tokenizer.tokenize("，。？！…… ") == TokenizedText([], [], [])


def test_words_of_a_repeated_text_come_from_the_cache_as_a_fresh_list(real_lexicon: Lexicon) -> None:
    fresh = ChineseTokenizer(real_lexicon)
    first = fresh.words("社保卡怎么补办？")
    first.append("changed by the caller")
    again = fresh.words("社保卡怎么补办？")
    assert (
        again == ChineseTokenizer(real_lexicon).words("社保卡怎么补办？")
        and "changed by the caller" not in again
    )
    assert fresh.tokenize("社保卡怎么补办？").words == again  # tokenize shares the cache
    assert fresh._cached_words.cache_info().hits == 2


def test_long_texts_are_segmented_every_time_and_never_cached(real_lexicon: Lexicon) -> None:
    fresh = ChineseTokenizer(real_lexicon)
    passage = REFORM_SENTENCE * 10  # over WORDS_CACHE_MAX_CHARS
    assert fresh.words(passage) == fresh.words(passage)
    assert fresh._cached_words.cache_info().currsize == 0


def test_dictionary_lookup_and_cut_without_new_words(tokenizer: ChineseTokenizer) -> None:
    assert tokenizer.in_dictionary("身份证") and not tokenizer.in_dictionary("还卡")
    assert tokenizer.dictionary_cut("好几个地方") == ["好几个", "地方"]
    assert tokenizer.dictionary_cut("还卡") == ["还", "卡"]  # the hidden Markov model would join them
