"""Retrieval metrics, as defined in DESIGN.md §4."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.textnorm import normalize
from ingest.models import Chunk

MRR_DEPTH = 10


def source_matches(chunk: Chunk, expected: Sequence[str]) -> bool:
    """A chunk matches a source when its doc id equals it or its title contains it."""
    title = normalize(chunk.title)
    return any(chunk.doc_id == source or (source and normalize(source) in title) for source in expected)


def first_source_rank(chunks: Sequence[Chunk], expected: Sequence[str]) -> int | None:
    """1-based rank of the first chunk from an expected source, or None."""
    for rank, chunk in enumerate(chunks, start=1):
        if source_matches(chunk, expected):
            return rank
    return None


def groups_covered(text: str, groups: Sequence[Sequence[str]]) -> bool:
    """Whether ``text`` contains one alternative of every keyword group (normalised, case-insensitive)."""
    haystack = normalize(text).lower()
    return all(any(normalize(alt).lower() in haystack for alt in group) for group in groups)


def evidence_hit(chunks: Sequence[Chunk], groups: Sequence[Sequence[str]]) -> bool:
    """Whether the chunks, taken together, contain every keyword group."""
    return groups_covered("\n".join(c.text for c in chunks), groups)


def percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(np.asarray(values), q)) if values else None


def mean_or_none(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if values else None
