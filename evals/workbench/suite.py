"""The one interface every suite implements: load items, run one item, aggregate the results.

A per-item result is a JSON-ready dict::

    {"id": "...", "scores": {"metric": 0.0..1.0, ...}, "latency_ms": 12.3,
     "question": "...", "detail": {...}, "evidence": [{"doc_id", "title", "snippet"}, ...]}

``scores`` hold the item-level values that are averaged into the suite's metrics and paired across
configurations; an item lacks a score that does not apply to it (no keywords, not answered …).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar

from assistant.settings import Settings
from evals.metrics import mean_or_none, percentile
from evals.workbench.jsonl import Item, Loaded

if TYPE_CHECKING:
    from pathlib import Path

    from evals.workbench.judge import Judge
    from evals.workbench.passage_pool import PassagePool

RunItem = Callable[[Item], dict[str, Any]]


class SuiteUnavailable(RuntimeError):
    """The suite's data is not present on this machine (for example ../shared is missing)."""


class Suite(ABC):
    """A family of evaluation items scored the same way."""

    name: ClassVar[str]
    description: ClassVar[str]
    metrics: ClassVar[dict[str, str]]
    """Item-level score name → ``higher`` or ``lower`` (which direction is better)."""
    smoke_size: ClassVar[int] = 0
    """Items the smoke profile runs (0: not part of the smoke profile)."""
    full_size: ClassVar[int] = 0
    """Items a normal run takes, evenly spaced (0: every item)."""
    judge: Judge | None = None
    """Set by the runner for a configuration with the LLM judge on; suites that grade answers use it."""
    pool: PassagePool | None = None
    """Set by the runner: the passage vectors of the configuration, for the suite's corpus indexes."""
    busy_cores: ClassVar[int] = 1
    """Cores one item keeps busy; above 1 the runner pauses the pool's background embedding meanwhile."""

    @abstractmethod
    def load(self) -> Loaded:
        """Every item, with malformed lines skipped and listed. Raises SuiteUnavailable."""

    @abstractmethod
    def session(self, settings: Settings) -> AbstractContextManager[RunItem]:
        """Build what the items need once (index, models, services) and yield the per-item runner."""

    def corpora(self) -> list[tuple[str, Path]]:
        """The external corpora (cache name, corpus file) the session indexes; known after ``load``."""
        return []

    def aggregate(self, results: Sequence[dict[str, Any]]) -> dict[str, float | None]:
        """Mean of every score over the items that carry it, the error count and latency percentiles."""
        scored = [r for r in results if "error" not in r]
        out: dict[str, float | None] = {"n": float(len(results)), "errors": float(len(results) - len(scored))}
        for metric in self.metrics:
            out[metric] = mean_or_none([float(r["scores"][metric]) for r in scored if metric in r["scores"]])
        latencies = [float(r["latency_ms"]) for r in scored if r.get("latency_ms") is not None]
        out["latency_ms.p50"] = percentile(latencies, 50)
        out["latency_ms.p95"] = percentile(latencies, 95)
        return out


def spread(items: Sequence[Item], n: int) -> list[Item]:
    """``n`` items evenly spaced over ``items`` (every category of a sorted file gets a share)."""
    if n <= 0 or n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]
