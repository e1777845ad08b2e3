"""Passage vectors of the external corpora: each distinct text embedded once, on teams of one thread.

A cold run spends most of its time embedding the corpora of the external suites (MSGABench,
NCPPolicies) into their cached indexes, while the other suites' items run one at a time and leave a
core idle. A ``PassagePool`` fills that gap: given the texts an index will ask for (``prefetch``), one
background thread embeds them with an OpenMP team of one while the foreground works. When an index
build asks for vectors (``embedder``), the calling thread and, on a machine with more than two cores,
helper threads embed the ones still missing, each text on a team of one, beside the background thread,
which goes on with the queue (the build's next batches) meanwhile: every core works on its own texts.
One team of every core is no faster on this 2-core machine and much slower when it is shared (measured
on 120 NCPPolicies chunks at load 2–3: a team of two 142 s, one thread 100 s, two threads with a team of
one each 55 s; evals/README.md). ``paused`` keeps the background thread idle (the pre-review's OCR
needs both cores). A text that repeats (a policy published under two ids) is embedded once, and so
are texts the embedder reads alike: E5 reads ``normalize(text)``, so NCPPolicies' 39 chunks that differ
from another only in full-width forms or spacing take that one's vector (2,150 embedded, not 2,189).

A text's vector is the same whoever computes it and whatever it is batched with (the engine runs each
text on its own; ``embed_passages``), so a run with the pool builds the same index as one without.
Only an embedder with ``embed_passages(texts, threads)`` (the packaged E5) is embedded this way; for
any other the pool just removes repeats.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from assistant.components.e5_embeddings import E5Embedder
from assistant.components.embeddings import TextEmbedder
from assistant.textnorm import normalize

BACKGROUND_BATCH = 4
"""Texts per background call: short calls, so that a pause waits at most a couple of CPU-seconds."""
FOREGROUND_BATCH = 1
"""Texts per call of a thread waiting for its vectors: one, so that no core idles at a batch's end."""


def _same(text: str) -> str:
    return text


def reading_key(base: TextEmbedder) -> Callable[[str], str]:
    """What ``base`` reads of a text: two texts with the same key get the same vector. The packaged E5
    embeds ``normalize(text)`` (assistant/components/e5_embeddings.py); any other, the text itself."""
    return normalize if isinstance(base, E5Embedder) else _same


class PassagePool:
    """Vectors by text for one embedder, a queue of texts to embed ahead, and its worker thread."""

    def __init__(self, base: TextEmbedder, threads: int | None = None) -> None:
        self.base = base
        self.key = reading_key(base)
        self.threads = max(1, threads or os.cpu_count() or 1)
        """Threads embedding at once while an index build waits (the background one included)."""
        self.vectors: dict[str, list[float]] = {}
        """Vectors by reading key (``key``)."""
        self._queue: list[str] = []
        self._queued: set[str] = set()  # keys of the queued texts
        self._inflight: set[str] = set()  # keys of the texts being embedded
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
            fresh = [t for t in self._unique(texts) if self._todo(t) and self.key(t) not in self._queued]
            self._queue.extend(fresh)
            self._queued.update(map(self.key, fresh))
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

    def _unique(self, texts: Sequence[str]) -> list[str]:
        """The first text of each key, in order."""
        first: dict[str, str] = {}
        for text in texts:
            first.setdefault(self.key(text), text)
        return list(first.values())

    def _todo(self, text: str) -> bool:
        """Whether nobody has embedded or is embedding ``text`` (call with the lock held)."""
        key = self.key(text)
        return key not in self.vectors and key not in self._inflight

    def _claim(self, texts: list[str], limit: int) -> list[str]:
        """Up to ``limit`` of ``texts`` that nobody has embedded or is embedding, now marked in flight
        (call with the lock held)."""
        batch: list[str] = []
        for text in texts:
            if len(batch) == limit:
                break
            if self._todo(text):
                batch.append(text)
                self._inflight.add(self.key(text))
        return batch

    def _take(self) -> list[str] | None:
        """The next batch to embed in the background, or None when the pool is closed."""
        with self._cond:
            while True:
                if self._closed:
                    return None
                if self._pauses == 0:
                    batch: list[str] = []
                    while self._queue and len(batch) < BACKGROUND_BATCH:
                        text = self._queue.pop(0)
                        self._queued.discard(self.key(text))
                        if self._todo(text):
                            batch.append(text)
                            self._inflight.add(self.key(text))
                    if batch:
                        self._busy = True
                        return batch
                self._cond.wait()

    def _store(self, batch: list[str], rows: list[list[float]] | None) -> None:
        """Record a finished call's vectors (None: it failed) and release its texts."""
        with self._cond:
            keys = [self.key(t) for t in batch]
            self._inflight.difference_update(keys)
            if rows is not None:
                self.vectors.update(zip(keys, rows, strict=True))
            self._cond.notify_all()

    def _work(self) -> None:
        embed: Any = getattr(self.base, "embed_passages")  # noqa: B009 (checked by can_prefetch)
        while (batch := self._take()) is not None:
            try:
                rows = embed(batch, 1)
            except Exception:  # the foreground embeds these itself, and reports any error
                rows = None
            with self._cond:
                self._busy = False
                if rows is not None:
                    self.background_texts += len(batch)
            self._store(batch, rows)

    def _help(self, wanted: list[str], errors: list[Exception]) -> None:
        """Embed the texts of ``wanted`` nobody has taken yet, one call at a time, on a team of one."""
        embed: Any = getattr(self.base, "embed_passages")  # noqa: B009 (checked by can_prefetch)
        while not errors:
            with self._cond:
                batch = self._claim(wanted, FOREGROUND_BATCH)
            if not batch:
                return
            try:
                rows = embed(batch, 1)
            except Exception as error:
                self._store(batch, None)
                errors.append(error)
                return
            self._store(batch, rows)

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Vectors of ``texts``: from the pool, the missing ones embedded now, every core on its own texts
        (the background thread, unless paused, on the queue; the caller and helpers on these)."""
        wanted = self._unique(texts)
        if not self.can_prefetch:
            self._embed_here([t for t in wanted if self.key(t) not in self.vectors])
            return [list(self.vectors[self.key(t)]) for t in texts]
        with self._cond:
            working = self._worker is not None and self._pauses == 0 and not self._closed
        errors: list[Exception] = []
        helpers = [
            threading.Thread(target=self._help, args=(wanted, errors), name=f"passage-help-{n}", daemon=True)
            for n in range(1, self.threads - (1 if working else 0))
        ]
        for helper in helpers:
            helper.start()
        self._help(wanted, errors)
        for helper in helpers:
            helper.join()
        if errors:
            raise errors[0]
        with self._cond:  # the worker may still be on some of them
            while any(self.key(t) in self._inflight for t in wanted):
                self._cond.wait()
            missing = [t for t in wanted if self.key(t) not in self.vectors]
        self._embed_here(missing)  # the worker's call failed on these: its error is raised here
        return [list(self.vectors[self.key(t)]) for t in texts]

    def _embed_here(self, texts: list[str]) -> None:
        if texts:
            rows = self.base.embed_documents(texts)
            with self._cond:
                self.vectors.update(zip(map(self.key, texts), rows, strict=True))


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
