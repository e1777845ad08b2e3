"""Normalisation of Chinese text for matching: NFKC, Traditional→Simplified, whitespace.

Only the *matching* form is normalised; callers keep the original text for display.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Protocol

_SPACES = re.compile(r"[ \t\u3000\xa0]+")


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@functools.cache
def _t2s() -> _Converter:
    import opencc  # lazy: the dictionary loads on first use

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters to Simplified (other text is unchanged)."""
    return _t2s().convert(text) if text else text


_CACHED_MAX_CHARS = 2_000
"""Texts up to this length have their normalised form cached: every answer re-reads the same retrieved
sentences and every request the same rule phrases, and 繁→简 conversion is the costly step."""


def normalize(text: str) -> str:
    """Matching form of ``text``: NFKC (full-width → half-width), 繁→简, collapsed spaces.

    Letters keep their case; tokenisers lower-case English themselves.
    """
    if len(text) <= _CACHED_MAX_CHARS:
        return _normalize_cached(text)
    return _normalize(text)


@functools.lru_cache(maxsize=32_768)
def _normalize_cached(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return _SPACES.sub(" ", text).strip()


def contains_normalized(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` once both are normalised (case-insensitive)."""
    return normalize(needle).lower() in normalize(haystack).lower()
