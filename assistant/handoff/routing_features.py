"""Text features shared by the routing trainer and the runtime classifier.

A text becomes the character 1–3-grams of its normalised form. Each n-gram is packed into one int64
key (21 bits per code point), so features are computed with a few numpy operations and the model
stores a sorted key array instead of a string vocabulary. The trainer (``evals/routing_train.py``)
and :mod:`assistant.handoff.routing` call the same functions, so training and serving cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from assistant.textnorm import normalize

MAX_CHARS = 2000
"""Longer input is cut: the opening of a message says what it is about, and latency stays bounded."""

_BITS = 21  # every Unicode code point (+1) fits in 21 bits; three of them fit in an int64
_MAX_N = 3
_SPACE = ord(" ") + 1
_MASK = re.compile(r"\*+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class FeatureSpec:
    """Which n-grams a text yields; stored in the model file so the runtime reproduces it."""

    min_n: int = 1
    max_n: int = 3
    max_chars: int = MAX_CHARS

    def __post_init__(self) -> None:
        if not 1 <= self.min_n <= self.max_n <= _MAX_N or self.max_chars < 1:
            raise ValueError(f"unsupported feature spec {self}")

    def to_dict(self) -> dict[str, int]:
        return {"min_n": self.min_n, "max_n": self.max_n, "max_chars": self.max_chars}

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> FeatureSpec:
        return cls(min_n=int(data["min_n"]), max_n=int(data["max_n"]), max_chars=int(data["max_chars"]))


@dataclass(frozen=True)
class Features:
    """Distinct n-gram keys of one text (sorted) and how often each occurs."""

    keys: np.ndarray
    counts: np.ndarray

    def __len__(self) -> int:
        return int(self.keys.size)


def prepare(text: str, max_chars: int = MAX_CHARS) -> str:
    """Matching form for routing: the project's normaliser, lower case, masks and numbers collapsed.

    Runs of ``*`` (masked personal data) become one ``*``; runs of digits become ``0``.
    """
    text = normalize(text[: max_chars * 2])[:max_chars].lower()
    text = _MASK.sub("*", text)
    return _DIGITS.sub("0", text)


def gram_key(gram: str) -> int:
    """The int64 key of one n-gram (1 to 3 characters)."""
    if not 1 <= len(gram) <= _MAX_N:
        raise ValueError("an n-gram has 1 to 3 characters")
    key = 0
    for ch in gram:
        key = (key << _BITS) | (ord(ch) + 1)
    return key


def key_gram(key: int) -> str:
    """The n-gram of a key (inverse of :func:`gram_key`), for explaining a model."""
    chars = []
    while key:
        chars.append(chr((key & ((1 << _BITS) - 1)) - 1))
        key >>= _BITS
    return "".join(reversed(chars))


def gram_keys(text: str, spec: FeatureSpec) -> np.ndarray:
    """Keys of every n-gram of the prepared text, in order; n-grams never span a space."""
    prepared = prepare(text, spec.max_chars)
    codes = np.frombuffer(prepared.encode("utf-32-le"), dtype=np.uint32).astype(np.int64) + 1
    parts = [np.empty(0, dtype=np.int64)]
    for n in range(spec.min_n, spec.max_n + 1):
        width = codes.size - n + 1
        if width <= 0:
            break
        keys = np.zeros(width, dtype=np.int64)
        spans_space = np.zeros(width, dtype=bool)
        for offset in range(n):
            window = codes[offset : offset + width]
            keys = (keys << _BITS) | window
            spans_space |= window == _SPACE
        parts.append(keys[~spans_space])
    return np.concatenate(parts)


def feature_counts(text: str, spec: FeatureSpec) -> Features:
    """Distinct n-gram keys of ``text`` with their counts."""
    keys, counts = np.unique(gram_keys(text, spec), return_counts=True)
    return Features(keys.astype(np.int64), counts.astype(np.float32))


def with_extra(features: Features, extra: Mapping[int, int]) -> Features:
    """``features`` with more keys (word or cue features, outside the n-gram key range) and their counts in
    front; the same features when there are none."""
    if not extra:
        return features
    found = np.array(sorted(extra), dtype=np.int64)
    return Features(
        np.concatenate([found, features.keys]),
        np.concatenate([np.array([extra[k] for k in found], dtype=np.float32), features.counts]),
    )


def vectorize(features: Features, keys: np.ndarray, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Columns and L2-normalised TF-IDF values of the known keys (sublinear tf: ``1 + ln(count)``).

    ``keys`` is the model's sorted int64 vocabulary and ``idf`` its weights; unknown keys are dropped.
    """
    if not len(features) or keys.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    pos = np.minimum(np.searchsorted(keys, features.keys), keys.size - 1)
    known = keys[pos] == features.keys
    cols = pos[known]
    values = (1.0 + np.log(features.counts[known])) * idf[cols]
    norm = float(np.linalg.norm(values))
    if norm > 0:
        values = values / norm
    return cols.astype(np.int64), values.astype(np.float32)
