"""Passage vectors of the external corpora: each distinct text embedded once, some ahead of time.

A cold run spends most of its time embedding the corpora of the external suites (MSGABench,
NCPPolicies) into their cached indexes, with every core, while the other suites' items run one at a
time and leave a core idle. A ``PassagePool`` fills that gap: given the texts an index will ask for
(``prefetch``), one background thread embeds them with an OpenMP team of one while the foreground
works, and the index's embedder (``embedder``) takes the vectors found in the pool and embeds only
the rest, with every core, while the pool is ``paused``. A text that repeats (a policy published
under two ids) is embedded once.

A text's vector is the same whoever computes it and whatever it is batched with (the engine runs each
text on its own; ``embed_passages``), so a run with the pool builds the same index as one without.
Only an embedder with ``embed_passages(texts, threads)`` (the packaged E5) is embedded ahead; for any
other the pool just removes repeats.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from assistant.components.embeddings import TextEmbedder

BACKGROUND_BATCH = 4
"""Texts per background call: short calls, so that a pause waits at most a couple of CPU-seconds."""


class PassagePool:
    """Vectors by text for one embedder, a queue of texts to embed ahead, and its worker thread."""

    def __init__(self, base: TextEmbedder) -> None:
        self.base = base
        self.vectors: dict[str, list[float]] = {}
        self._queue: list[str] = []
        self._queued: set[str] = set()
        self._pauses = 0
        self._busy = False
        self._closed = False
        self._worker: threading.Thread | None = None
        self._cond = threading.Condition()
        self.background_texts = 0
        """Texts the background thread embedded (reported by the runner)."""

    @property
    def can_prefetch(self) -> bool:
        """Whether the base embedder can embed on a team of one thread (only then is there a worker)."""
        return callable(getattr(self.base, "embed_passages", None))

    def embedder(self) -> TextEmbedder:
        """The embedder an index of this pool uses: the base's identity, the pool's vectors."""
        return PooledEmbedder(self)

    def prefetch(self, texts: Sequence[str]) -> int:
        """Queue the texts not yet embedded (in order, once each) for the worker; returns how many."""
        if not self.can_prefetch:
            return 0
        with self._cond:
            fresh = [t for t in dict.fromkeys(texts) if t not in self.vectors and t not in self._queued]
            self._queue.extend(fresh)
            self._queued.update(fresh)
            if fresh and self._worker is None and not self._closed:
                self._worker = threading.Thread(target=self._work, name="passage-prefetch", daemon=True)
                self._worker.start()
            self._cond.notify_all()
        return len(fresh)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Keep the worker idle (once its current call is over) while the foreground needs every core."""
        with self._cond:
            self._pauses += 1
            while self._busy:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._pauses -= 1
                self._cond.notify_all()

    def close(self) -> None:
        """Stop the worker (after its current call) and wait for it."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._worker is not None:
            self._worker.join()

    def _take(self) -> list[str] | None:
        """The next batch to embed in the background, or None when the pool is closed."""
        with self._cond:
            while True:
                if self._closed:
                    return None
                if self._pauses == 0:
                    while self._queue and self._queue[0] in self.vectors:
                        self._queued.discard(self._queue.pop(0))
                    if self._queue:
                        batch = self._queue[:BACKGROUND_BATCH]
                        del self._queue[:BACKGROUND_BATCH]
                        self._busy = True
                        return batch
                self._cond.wait()

    def _work(self) -> None:
        embed: Any = getattr(self.base, "embed_passages")  # noqa: B009 (checked by can_prefetch)
        while (batch := self._take()) is not None:
            try:
                rows = embed(batch, 1)
            except Exception:  # the foreground embeds these itself, and reports any error
                rows = None
            with self._cond:
                self._busy = False
                self._queued.difference_update(batch)
                if rows is not None:
                    self.vectors.update(zip(batch, rows, strict=True))
                    self.background_texts += len(batch)
                self._cond.notify_all()

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Vectors of ``texts``: from the pool, the missing ones embedded now with every core."""
        with self.paused():
            missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
            if missing:
                self.vectors.update(zip(missing, self.base.embed_documents(missing), strict=True))
            return [list(self.vectors[t]) for t in texts]


class PooledEmbedder(TextEmbedder):
    """The pool's base embedder (same name and config, so the same index), passages from the pool."""

    def __init__(self, pool: PassagePool) -> None:
        self.pool = pool
        self.name = pool.base.name

    def config(self) -> dict[str, str | int]:
        return self.pool.base.config()

    def coverage(self, text: str) -> float:
        return self.pool.base.coverage(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.pool.embed(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.pool.base.embed_query(text)
