"""SQLite store of ingested files, documents and chunks: the source of truth the other indexes follow."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from ingest.models import Chunk, SourceDocument

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, ingested_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, file_path TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,
    title TEXT NOT NULL, source TEXT NOT NULL, metadata TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, section TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS documents_by_file ON documents(file_path);
"""


CHUNK_COLUMNS = "c.chunk_id, c.doc_id, c.ordinal, d.title, c.section, c.text, d.metadata"
"""The columns a chunk is read from (chunks ``c`` joined to their documents ``d``), in row order."""


def chunk_from_row(row: Sequence[Any]) -> Chunk:
    """A chunk from a row of :data:`CHUNK_COLUMNS` (the document's metadata stored as JSON)."""
    return Chunk(
        chunk_id=row[0],
        doc_id=row[1],
        ordinal=row[2],
        title=row[3],
        section=row[4],
        text=row[5],
        metadata=json.loads(row[6]),
    )


@dataclass(frozen=True)
class StoredFile:
    path: str
    fingerprint: str
    ingested_at: str


class ChunkStore:
    """Files → documents → chunks, each change one transaction that bumps the store's generation."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.executescript(_SCHEMA)
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES('store_id', ?) ON CONFLICT(key) DO NOTHING",
            (uuid.uuid4().hex,),
        )

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
            self._db.execute(
                "INSERT INTO meta(key, value) VALUES('generation', '1') "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def store_id(self) -> str:
        """A random id made with the store: tells this store's generations from another's."""
        return self.get_meta("store_id") or ""

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def files(self) -> list[StoredFile]:
        rows = self._db.execute("SELECT path, fingerprint, ingested_at FROM files ORDER BY path")
        return [StoredFile(*row) for row in rows]

    def fingerprint(self, file_path: str) -> str | None:
        row = self._db.execute("SELECT fingerprint FROM files WHERE path = ?", (file_path,)).fetchone()
        return str(row[0]) if row else None

    def doc_owner(self, doc_id: str) -> str | None:
        """The file a document id belongs to, if it is stored."""
        row = self._db.execute("SELECT file_path FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return str(row[0]) if row else None

    def chunk_ids_of_file(self, file_path: str) -> list[str]:
        rows = self._db.execute(
            "SELECT c.chunk_id FROM chunks c JOIN documents d USING(doc_id) WHERE d.file_path = ?",
            (file_path,),
        )
        return [str(r[0]) for r in rows]

    def replace_file(
        self, file_path: str, fingerprint: str, documents: Sequence[tuple[SourceDocument, list[Chunk]]]
    ) -> None:
        """Replace everything stored for one file by its new documents and chunks, atomically."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._transaction() as db:
            db.execute("DELETE FROM files WHERE path = ?", (file_path,))
            db.execute("INSERT INTO files VALUES (?, ?, ?)", (file_path, fingerprint, now))
            for doc, chunks in documents:
                db.execute(
                    "INSERT INTO documents VALUES (?, ?, ?, ?, ?)",
                    (
                        doc.doc_id,
                        file_path,
                        doc.title,
                        doc.source,
                        json.dumps(doc.metadata, ensure_ascii=False),
                    ),
                )
                db.executemany(
                    "INSERT INTO chunks VALUES (?, ?, ?, ?, ?)",
                    [(c.chunk_id, c.doc_id, c.ordinal, c.section, c.text) for c in chunks],
                )

    def remove_file(self, file_path: str) -> None:
        """Forget a file and all its documents and chunks."""
        with self._transaction() as db:
            db.execute("DELETE FROM files WHERE path = ?", (file_path,))

    def chunks(self) -> list[Chunk]:
        """Every stored chunk, in document and reading order, with its document's title and metadata."""
        rows = self._db.execute(
            f"SELECT {CHUNK_COLUMNS} FROM chunks c JOIN documents d USING(doc_id) "
            "ORDER BY c.doc_id, c.ordinal"
        )
        return [chunk_from_row(r) for r in rows]

    def snapshot(self) -> tuple[int, list[Chunk]]:
        """The generation and every chunk, read again if a write came in between (so they belong together).

        No explicit transaction: the connection is shared by threads, one of which may be writing."""
        while True:
            generation = self.generation()
            chunks = self.chunks()
            if self.generation() == generation:
                return generation, chunks

    def counts(self) -> dict[str, int]:
        """Numbers of files, documents and chunks."""
        return {
            table: int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in ("files", "documents", "chunks")
        }


class ChunkLedger(Protocol):
    """What the knowledge index needs of a chunk store: this SQLite file, or
    :class:`assistant.index.sql_chunkstore.SqlChunkStore` in the application's database."""

    def close(self) -> None: ...
    def generation(self) -> int: ...
    def store_id(self) -> str: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def files(self) -> list[StoredFile]: ...
    def fingerprint(self, file_path: str) -> str | None: ...
    def doc_owner(self, doc_id: str) -> str | None: ...
    def chunk_ids_of_file(self, file_path: str) -> list[str]: ...
    def replace_file(
        self, file_path: str, fingerprint: str, documents: Sequence[tuple[SourceDocument, list[Chunk]]]
    ) -> None: ...
    def remove_file(self, file_path: str) -> None: ...
    def chunks(self) -> list[Chunk]: ...
    def snapshot(self) -> tuple[int, list[Chunk]]: ...
    def counts(self) -> dict[str, int]: ...
