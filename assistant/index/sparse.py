"""BM25 (bm25s) over two fields of each chunk, persisted on disk.

``terms`` (jieba search-mode words plus CJK character bigrams) is the main field; ``chars`` (single
CJK characters) adds partial matches at a low weight. Weights were chosen on the dev half of
MSGABench (see README), where the chars field added about one point of recall@5.

Synonym expansions of a query are scored as a separate, down-weighted part of the query: an official
term stands in for a colloquial one the user wrote, so it should not count as much as the words the
user actually wrote.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.tokenization import TokenizedText
from ingest.models import Chunk

FIELDS = ("terms", "chars")
DEFAULT_WEIGHTS = {"terms": 1.0, "chars": 0.3}
_MANIFEST = "manifest.json"


_LEFTOVER_AGE_S = 3600.0


def _remove_leftovers(folder: Path) -> None:
    """Temp and old siblings of interrupted saves: any from before unique names, and any over an hour old."""
    now = time.time()
    for sibling in folder.parent.glob(f"{folder.name}.*"):
        legacy = sibling.name in (f"{folder.name}.tmp", f"{folder.name}.old")
        try:
            stale = now - sibling.stat().st_mtime > _LEFTOVER_AGE_S
        except OSError:
            continue
        if sibling.is_dir() and (legacy or stale):
            shutil.rmtree(sibling, ignore_errors=True)


def indexed_text(chunk: Chunk) -> str:
    """What the sparse index reads of a chunk: its title and section path (field boost) and its text."""
    return "\n".join(part for part in (chunk.title, chunk.section, chunk.text) if part)


@dataclass(frozen=True)
class SparseHit:
    chunk_id: str
    score: float


class SparseIndex:
    """One BM25 model per field; a query's score is the weighted sum of each field's max-normalised scores."""

    def __init__(self, chunk_ids: Sequence[str], models: dict[str, Any], stamp: dict[str, Any]) -> None:
        self.chunk_ids = list(chunk_ids)
        self.models = models
        self.stamp = stamp

    @classmethod
    def build(
        cls,
        chunks: Sequence[Chunk],
        tokenize: Callable[[str], TokenizedText],
        stamp: dict[str, Any] | None = None,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> SparseIndex:
        import bm25s

        tokenized = [tokenize(indexed_text(c)) for c in chunks]
        models: dict[str, Any] = {}
        for field in FIELDS:
            model = bm25s.BM25(k1=k1, b=b)
            if chunks:
                model.index([getattr(t, field) or [""] for t in tokenized], show_progress=False)
            models[field] = model
        return cls([c.chunk_id for c in chunks], models, stamp or {})

    def scores(
        self,
        query: TokenizedText,
        weights: dict[str, float] | None = None,
        expansion: TokenizedText | None = None,
        expansion_weight: float = 0.0,
    ) -> np.ndarray:
        """Score of every chunk for the query (0 where nothing matches).

        ``expansion`` (synonyms of the query's terms) adds its BM25 score times ``expansion_weight``
        in each field, before the field's scores are max-normalised.
        """
        total = np.zeros(len(self.chunk_ids), dtype=np.float64)
        if not self.chunk_ids:
            return total
        for field in FIELDS:
            weight = (weights or DEFAULT_WEIGHTS).get(field, 0.0)
            if weight == 0:
                continue
            parts = [(getattr(query, field), 1.0)]
            if expansion is not None and expansion_weight > 0:
                parts.append((getattr(expansion, field), expansion_weight))
            scores = np.zeros(len(self.chunk_ids), dtype=np.float64)
            model = self.models[field]
            for tokens, part_weight in parts:
                if tokens:
                    scores += part_weight * np.asarray(model.get_scores(tokens), dtype=np.float64)
            top = scores.max(initial=0.0)
            if top > 0:
                total += weight * scores / top
        return total

    def search(
        self,
        query: TokenizedText,
        n: int,
        weights: dict[str, float] | None = None,
        expansion: TokenizedText | None = None,
        expansion_weight: float = 0.0,
    ) -> list[SparseHit]:
        """The ``n`` best chunks with a positive score, best first."""
        scores = self.scores(query, weights, expansion, expansion_weight)
        if not len(scores):
            return []
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        ranked = sorted(top, key=lambda i: (-scores[i], i))
        return [SparseHit(self.chunk_ids[i], float(scores[i])) for i in ranked if scores[i] > 0]

    def save(self, folder: Path) -> None:
        """Write to a sibling temp folder, then swap it in. Workers sharing the folder may save at once:
        each writes its own temp folder, and a swap that loses the race is dropped (a reader checks the
        stamp of what it loads, and rebuilds if the folder is missing or from another generation)."""
        _remove_leftovers(folder)
        unique = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp = folder.with_name(f"{folder.name}.tmp-{unique}")
        tmp.mkdir(parents=True)
        try:
            for field, model in self.models.items():
                if self.chunk_ids:
                    model.save(str(tmp / field))
            manifest = {"chunk_ids": self.chunk_ids, "stamp": self.stamp}
            (tmp / _MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
            old = folder.with_name(f"{folder.name}.old-{unique}")
            with contextlib.suppress(FileNotFoundError):
                folder.rename(old)
            with contextlib.suppress(OSError):  # another worker swapped its copy in first
                tmp.rename(folder)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> SparseIndex | None:
        """The saved index, or None if it is missing or unreadable (the caller rebuilds it)."""
        import bm25s

        try:
            manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
            chunk_ids = manifest["chunk_ids"]
            models = {
                field: bm25s.BM25.load(str(folder / field)) if chunk_ids else bm25s.BM25() for field in FIELDS
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        if not isinstance(chunk_ids, list):
            return None
        return cls(chunk_ids, models, manifest.get("stamp", {}))
