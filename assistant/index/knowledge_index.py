"""The knowledge index: keeps the chunk store, the Chroma collection and the BM25 index in step.

Write order for a file: embed → upsert into Chroma → commit to SQLite → drop the file's stale vectors;
the BM25 index is rebuilt from SQLite once per ingest run. A crash at any point leaves SQLite
consistent; ``reconcile`` (run at the start of every ingest) and the generation stamp on the BM25
index bring the other two back in line.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.components.embeddings import TextEmbedder, build_embedder
from assistant.components.vectorstore import open_chroma_client, open_collection
from assistant.index.chunkstore import ChunkStore
from assistant.index.sparse import SparseIndex, indexed_text
from assistant.lexicon import load_lexicon
from assistant.settings import Settings
from assistant.tokenization import ChineseTokenizer
from ingest.models import Chunk, SourceDocument

_UPSERT_BATCH = 256


@dataclass(frozen=True)
class DenseHit:
    chunk_id: str
    similarity: float


def _chroma_metadata(chunk: Chunk) -> dict[str, str | int]:
    return {
        "doc_id": chunk.doc_id,
        "ordinal": chunk.ordinal,
        "kind": chunk.metadata.get("kind", ""),
        "section": chunk.section,
    }


class KnowledgeIndex:
    """All stores of one index folder, opened lazily from settings."""

    def __init__(self, settings: Settings, embedder: TextEmbedder | None = None) -> None:
        self.settings = settings
        self.folder = settings.index_dir
        self.store = ChunkStore(self.folder / "chunks.sqlite3")
        self.embedder = embedder or build_embedder(settings)
        self.tokenizer = ChineseTokenizer(load_lexicon(settings.lexicon_dir))
        self._collection: Any = None
        self._sparse: SparseIndex | None = None
        self._chunks: dict[str, Chunk] | None = None
        self._open_lock = threading.Lock()

    # --- stores -------------------------------------------------------------------------------
    @property
    def collection(self) -> Any:
        with self._open_lock:  # Chroma's client cannot be created by two threads at once
            if self._collection is None:
                client = open_chroma_client(self.settings, self.folder / "chroma")
                self._collection = open_collection(client, self.settings.collection_name, self.embedder)
            return self._collection

    def chunks(self) -> dict[str, Chunk]:
        """Every chunk by id (cached until the next write)."""
        if self._chunks is None:
            self._chunks = {c.chunk_id: c for c in self.store.chunks()}
        return self._chunks

    def _stamp(self) -> dict[str, Any]:
        return {"generation": self.store.generation(), "lexicon": self.tokenizer.lexicon.fingerprint}

    def sparse(self) -> SparseIndex:
        """The BM25 index, loaded from disk, or rebuilt when it is missing or stale."""
        if self._sparse is None or self._sparse.stamp != self._stamp():
            loaded = SparseIndex.load(self.folder / "bm25")
            self._sparse = (
                loaded if loaded is not None and loaded.stamp == self._stamp() else self.rebuild_sparse()
            )
        return self._sparse

    def rebuild_sparse(self) -> SparseIndex:
        index = SparseIndex.build(list(self.chunks().values()), self.tokenizer.tokenize, self._stamp())
        index.save(self.folder / "bm25")
        self._sparse = index
        return index

    # --- writes -------------------------------------------------------------------------------
    def _invalidate(self) -> None:
        self._chunks = None

    def _upsert_vectors(self, chunks: Sequence[Chunk]) -> None:
        for start in range(0, len(chunks), _UPSERT_BATCH):
            batch = chunks[start : start + _UPSERT_BATCH]
            self.collection.upsert(
                ids=[c.chunk_id for c in batch],
                embeddings=self.embedder.embed_documents([indexed_text(c) for c in batch]),
                documents=[c.text for c in batch],
                metadatas=[_chroma_metadata(c) for c in batch],
            )

    def _delete_vectors(self, chunk_ids: Sequence[str]) -> None:
        for start in range(0, len(chunk_ids), _UPSERT_BATCH):
            self.collection.delete(ids=list(chunk_ids[start : start + _UPSERT_BATCH]))

    def replace_file(
        self, file_path: str, fingerprint: str, documents: Sequence[tuple[SourceDocument, list[Chunk]]]
    ) -> None:
        """Store a file's documents and chunks in place of what the file had before."""
        old_ids = set(self.store.chunk_ids_of_file(file_path))
        new_chunks = [c for _, chunks in documents for c in chunks]
        self._upsert_vectors([c for c in new_chunks if c.chunk_id not in old_ids])
        self.store.replace_file(file_path, fingerprint, documents)
        self._delete_vectors(sorted(old_ids - {c.chunk_id for c in new_chunks}))
        self._invalidate()

    def remove_file(self, file_path: str) -> None:
        """Forget a file and its chunks everywhere."""
        old_ids = self.store.chunk_ids_of_file(file_path)
        self.store.remove_file(file_path)
        self._delete_vectors(old_ids)
        self._invalidate()

    def reconcile(self) -> dict[str, int]:
        """Make Chroma hold exactly the chunks SQLite holds (after a crash or an interrupted run)."""
        stored = self.chunks()
        present = set(self.collection.get(include=[])["ids"])
        extra = sorted(present - stored.keys())
        missing = [stored[i] for i in stored.keys() - present]
        self._delete_vectors(extra)
        self._upsert_vectors(missing)
        return {"removed": len(extra), "added": len(missing)}

    # --- reads --------------------------------------------------------------------------------
    def dense_search(self, query: str, n: int, where: dict[str, Any] | None = None) -> list[DenseHit]:
        """Nearest chunks to the query embedding (cosine similarity), best first."""
        count = self.collection.count()
        if count == 0:
            return []
        result = self.collection.query(
            query_embeddings=[self.embedder.embed_query(query)],
            n_results=min(n, count),
            where=where or None,
            include=["distances"],
        )
        return [
            DenseHit(chunk_id, 1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]

    def stats(self) -> dict[str, Any]:
        """Counts, generation, on-disk size and the last ingest time (ISO, UTC; None if empty), for status."""
        size = (
            sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())
            if self.folder.exists()
            else 0
        )
        last = max((f.ingested_at for f in self.store.files()), default=None)
        return {
            **self.store.counts(),
            "generation": self.store.generation(),
            "index_bytes": size,
            "last_ingest_at": last,
        }

    def close(self) -> None:
        self.store.close()
