"""Chinese-aware tokenisation for BM25: jieba search-mode words and CJK character bigrams."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.lexicon import Lexicon
from assistant.textnorm import normalize

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MEANINGFUL = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
WORDS_CACHE_SIZE = 2048
"""Recent short texts' words kept per tokenizer: one chat turn segments its question more than once (the
retrieval, the evidence terms) and citizens repeat the common questions."""
WORDS_CACHE_MAX_CHARS = 200
"""Longer texts (passages, at ingest) are segmented every time and never fill the cache."""


@dataclass(frozen=True)
class TokenizedText:
    """Views of one text: lexical words, character bigrams and single CJK characters."""

    words: list[str]
    bigrams: list[str]
    chars: list[str]

    @property
    def terms(self) -> list[str]:
        """Words and bigrams together: the main BM25 field."""
        return self.words + self.bigrams


def cjk_chars(text: str) -> list[str]:
    """Every CJK character of the text, in order."""
    return [ch for run in _CJK_RUN.findall(text) for ch in run]


def cjk_bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of every run of CJK characters (a lone character is kept as is)."""
    grams: list[str] = []
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            grams.append(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


class ChineseTokenizer:
    """Tokeniser with its own jieba dictionary (the default one plus the lexicon's user words)."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or Lexicon()
        self._jieba: Any = None
        self._cached_words = lru_cache(maxsize=WORDS_CACHE_SIZE)(self._segment)

    def _segmenter(self) -> Any:
        if self._jieba is None:
            import jieba  # lazy: building the prefix dictionary takes about a second

            jieba.setLogLevel(logging.WARNING)
            segmenter = jieba.Tokenizer()
            segmenter.initialize()
            for entry in self.lexicon.user_words:
                segmenter.add_word(entry.word, entry.freq, entry.tag)
            self._jieba = segmenter
        return self._jieba

    def in_dictionary(self, word: str) -> bool:
        """Whether jieba's dictionary (with the lexicon's user words) has ``word``."""
        return bool(self._segmenter().FREQ.get(word))

    def dictionary_cut(self, text: str) -> list[str]:
        """``text`` cut into dictionary words only (no hidden Markov model joining new words)."""
        return list(self._segmenter().lcut(text, HMM=False))

    def words(self, text: str) -> list[str]:
        """Search-mode jieba words of the normalised text, lower-cased, without stop words or punctuation."""
        return self._words_of(normalize(text))

    def _words_of(self, normalized: str) -> list[str]:
        if len(normalized) > WORDS_CACHE_MAX_CHARS:
            return list(self._segment(normalized))
        return list(self._cached_words(normalized))  # a new list: callers may change theirs

    def _segment(self, normalized: str) -> tuple[str, ...]:
        stop = self.lexicon.stopwords
        tokens = self._segmenter().lcut_for_search(normalized)
        out: list[str] = []
        for token in tokens:
            token = token.strip().lower()
            if token and token not in stop and _MEANINGFUL.search(token):
                out.append(token)
        return tuple(out)

    def tokenize(self, text: str) -> TokenizedText:
        """Words, bigrams and characters of ``text`` (bigrams and characters skip stop words)."""
        stop = self.lexicon.stopwords
        normalized = normalize(text)
        grams = [g for g in cjk_bigrams(normalized) if g not in stop]
        chars = [c for c in cjk_chars(normalized) if c not in stop]
        return TokenizedText(words=self._words_of(normalized), bigrams=grams, chars=chars)
