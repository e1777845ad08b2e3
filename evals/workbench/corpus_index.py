"""Indexes of external corpora, cached across suites and runs, and the answerer a configuration uses.

An external suite (MSGABench, NCPPolicies) indexes its corpus file in its own folder under
``reports/eval-cache/<name>-<key>``, where the key is a hash of the settings that shape an index
(embedding, chunking). Ingestion is incremental (``ingest_paths`` skips a file whose bytes, chunking
and embedder are unchanged), so the second suite on the same corpus — and every later run — opens
the index instead of embedding the corpus again. The cache is never part of the product's index; a
second process opening the same cache folder waits for the first to finish with it.

With a ``PassagePool`` (evals/workbench/passage_pool.py) the index takes its passage vectors from the
pool, which ``pending_texts`` fills ahead of time with what the index will ask for; while the build
waits for the ones still missing, the pool's background thread goes on with the next ones.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from assistant.settings import PROJECT_ROOT, Settings
from evals.workbench.configs import INDEX_FIELDS

if TYPE_CHECKING:
    from assistant.answering import Answer
    from assistant.index.knowledge_index import KnowledgeIndex
    from assistant.retrieval import HybridRetriever
    from evals.workbench.passage_pool import PassagePool

CACHE_ROOT = PROJECT_ROOT / "reports" / "eval-cache"
SHAPING_FIELDS = INDEX_FIELDS - {"index_guides", "knowledge_dir", "collection_name"}
"""Settings that change what an index holds (the product-only ones, e.g. index_guides, left out)."""


def cache_dir(settings: Settings, name: str, root: Path | None = None) -> Path:
    """The index folder of corpus ``name`` under these settings (in ``root``, default CACHE_ROOT)."""
    shaping = {key: getattr(settings, key) for key in SHAPING_FIELDS}
    key = hashlib.sha1(json.dumps(shaping, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return (root or CACHE_ROOT) / f"{name}-{key}"


@dataclass
class CorpusIndex:
    """An opened corpus index, its retriever and the settings that point at it."""

    settings: Settings
    index: KnowledgeIndex
    retriever: HybridRetriever
    updated: bool
    """Whether this opening had to (re)index the corpus (False: the cached index was up to date)."""


def _local(settings: Settings, name: str, root: Path | None) -> Settings:
    return settings.model_copy(update={"data_dir": cache_dir(settings, name, root)})


def pending_texts(settings: Settings, name: str, corpus: Path, root: Path | None = None) -> list[str]:
    """What the embedding model will read when ``corpus_index`` next opens this corpus: the dense texts
    of its chunks that the cached index does not hold yet (all of them for an index not built yet)."""
    from assistant.index.knowledge_index import dense_text, open_ledger
    from ingest.chunker import ChunkingOptions
    from ingest.loaders import load_path
    from ingest.pipeline import prepare_document

    local = _local(settings, name, root)
    options = ChunkingOptions(local.chunk_max_chars, local.chunk_overlap_chars, local.chunk_min_chars)
    texts = [
        dense_text(chunk)
        for doc in load_path(corpus, root=corpus.parent)
        for chunk in prepare_document(doc, options)[1]
    ]
    held: set[str] = set()
    if local.index_store == "local" and (local.index_dir / "chunks.sqlite3").exists():
        store = open_ledger(local)
        try:
            held = {dense_text(chunk) for chunk in store.chunks()}
        finally:
            store.close()
    return [text for text in texts if text not in held]


@contextmanager
def corpus_index(
    settings: Settings,
    name: str,
    corpus: Path,
    root: Path | None = None,
    pool: PassagePool | None = None,
) -> Iterator[CorpusIndex]:
    """Open (building or updating as needed) the cached index of ``corpus`` and warm its retriever;
    with ``pool``, its passage vectors come from the pool."""
    from assistant.index.knowledge_index import KnowledgeIndex
    from assistant.retrieval import HybridRetriever
    from ingest.pipeline import ingest_paths

    local = _local(settings, name, root)
    folder = local.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run on the same cache waits instead of corrupting it
        index = KnowledgeIndex(local, pool.embedder() if pool is not None else None)
        try:
            report = ingest_paths(index, [corpus], project_root=PROJECT_ROOT)
            if report.failed:
                raise ValueError("; ".join(report.failed.values()))
            retriever = HybridRetriever.from_settings(local, index)
            retriever.search("预热", k=5)  # load models and index files before timing
            yield CorpusIndex(local, index, retriever, report.changed)
        finally:
            index.close()


class Answers(Protocol):
    def answer(self, question: str) -> Answer: ...


def answerer_for(corpus: CorpusIndex) -> Answers:
    """The answerer of the configuration over this corpus: the LLM one when an endpoint is configured
    (with its extractive fallback), otherwise the extractive one."""
    from assistant.answering import ExtractiveAnswerer
    from assistant.components.llm import build_chat_model
    from assistant.llm_answering import LlmAnswerer

    extractive = ExtractiveAnswerer(corpus.settings, corpus.index, corpus.retriever)
    model = build_chat_model(corpus.settings)
    return LlmAnswerer(model, extractive) if model is not None else extractive
