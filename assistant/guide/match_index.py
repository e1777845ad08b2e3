"""A tiny inverted index of term sets for the catalogue matcher: IDF-weighted overlap, both ways.

Each entry (a guide's name, one of its aliases, its materials …) is a *set* of units (words, character
bigrams or single characters). For a weighted query, :meth:`UnitIndex.overlap` returns, for every
entry, the IDF mass of the query units it contains; divided by the query's mass that is the share of
the query the entry explains, and divided by the entry's own mass the share of the entry the query
mentions. Both are 0–1, which is what lets the matcher turn them into an absolute confidence.
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterable, Mapping, Sequence

import numpy as np


class UnitIndex:
    """Postings of unit → entries, with a smoothed IDF per unit and the IDF mass of each entry."""

    def __init__(self, entries: Sequence[Iterable[str]], *, df_count: Sequence[int] | None = None) -> None:
        """``entries``: the units of each entry; ``df_count``: the group (guide) of each entry, so that
        a unit repeated in a guide's aliases counts once in its document frequency."""
        sets = [set(units) for units in entries]
        groups = list(df_count) if df_count is not None else list(range(len(sets)))
        postings: dict[str, list[int]] = {}
        owners: dict[str, set[int]] = {}
        for index, units in enumerate(sets):
            for unit in units:
                postings.setdefault(unit, []).append(index)
                owners.setdefault(unit, set()).add(groups[index])
        n = max(len(set(groups)), 1)
        self.size = len(sets)
        self._postings = {unit: np.asarray(ids, dtype=np.int32) for unit, ids in postings.items()}
        self._idf = {unit: _idf(len(owner), n) for unit, owner in owners.items()}
        self.unseen_idf = _idf(0, n)
        self.mass = np.asarray([sum(self._idf[u] for u in units) for units in sets], dtype=np.float64)

    def holding(self, unit: str) -> np.ndarray:
        """The entries that hold ``unit`` (empty when none)."""
        ids = self._postings.get(unit)
        return ids if ids is not None else np.zeros(0, dtype=np.int32)

    def idf(self, unit: str) -> float:
        """The unit's IDF here (``unseen_idf`` when no entry holds it)."""
        return self._idf.get(unit, self.unseen_idf)

    def __contains__(self, unit: object) -> bool:
        return unit in self._idf

    def overlap(self, query: Mapping[str, float]) -> np.ndarray:
        """Per entry: Σ weight × IDF over the query units it contains."""
        total = np.zeros(self.size, dtype=np.float64)
        for unit, weight in query.items():
            ids = self._postings.get(unit)
            if ids is not None:
                total[ids] += weight * self._idf[unit]
        return total

    def query_mass(
        self, query: Mapping[str, float], unseen: float = 1.0, counted: Container[str] | None = None
    ) -> float:
        """Σ weight × IDF of the query units; a unit no entry holds counts ``unseen`` × its IDF, and only
        when it is in ``counted`` (by default every unit): a stray bigram across two words is no content."""
        total = 0.0
        for unit, weight in query.items():
            if unit in self._idf:
                total += weight * self._idf[unit]
            elif counted is None or unit in counted:
                total += weight * unseen * self.unseen_idf
        return total


def _idf(df: int, n: int) -> float:
    """BM25's smoothed IDF, always positive."""
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def group_max(values: np.ndarray, groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """The max of ``values`` per group and the first entry that reaches it (-1 where all are 0)."""
    best = np.zeros(n_groups, dtype=np.float64)
    np.maximum.at(best, groups, values)
    positions = np.nonzero((values > 0) & (values >= best[groups]))[0]
    first = np.full(n_groups, len(values), dtype=np.int64)
    np.minimum.at(first, groups[positions], positions)
    return best, np.where(first < len(values), first, -1)


class EntryTexts:
    """The normalised text of every entry, for matches that units cannot see: a colloquial phrase that an
    entry holds word for word, and a two-character abbreviation whose characters an entry holds in order,
    a few characters apart (二建 → 二级注册建造师, 社工 → 社会工作者, 高企 → 高新技术企业)."""

    def __init__(self, texts: Sequence[str], chars: UnitIndex, max_gap: int = 6) -> None:
        self._texts = list(texts)
        self._chars = chars
        self._max_gap = max_gap

    def _candidates(self, text: str) -> np.ndarray:
        """Entries holding every character of ``text`` (a superset of the real matches)."""
        ids: np.ndarray | None = None
        for char in set(text):
            holding = self._chars.holding(char)
            ids = holding if ids is None else np.intersect1d(ids, holding, assume_unique=True)
            if not len(ids):
                break
        return ids if ids is not None else np.zeros(0, dtype=np.int32)

    def containing(self, phrase: str) -> np.ndarray:
        """The entries whose text holds ``phrase`` (normalised, lower-cased) word for word."""
        return np.asarray(
            [int(i) for i in self._candidates(phrase) if phrase in self._texts[i]], dtype=np.int64
        )

    def abbreviating(self, pair: str) -> np.ndarray:
        """The entries whose text holds the two characters of ``pair`` in order, 1 to ``max_gap`` apart."""
        first, second = pair[0], pair[1]
        found = [
            int(i) for i in self._candidates(pair) if _spread(self._texts[i], first, second, self._max_gap)
        ]
        return np.asarray(found, dtype=np.int64)


def _spread(text: str, first: str, second: str, max_gap: int) -> bool:
    start = text.find(first)
    while start >= 0:
        if text.find(second, start + 2, start + 2 + max_gap) >= 0:
            return True
        start = text.find(first, start + 1)
    return False
