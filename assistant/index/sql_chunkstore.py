"""The chunk store in the application's database (PostgreSQL in the scale-out profile).

Same interface as :class:`assistant.index.chunkstore.ChunkStore`, in ``index_*`` tables beside the
sessions and tickets, so every worker on every machine reads one ledger: after an ingest anywhere, a
worker sees the new generation and rebuilds its BM25 index from these rows (no local files needed).
The generation is re-read at most every ``generation_max_age_s`` (writes through this object refresh
it at once), so a question costs no extra round trip most of the time.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from assistant.index.chunkstore import CHUNK_COLUMNS, StoredFile, chunk_from_row
from ingest.models import Chunk, SourceDocument

_TABLES = (
    "CREATE TABLE IF NOT EXISTS index_meta (key VARCHAR(200) PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS index_files (path VARCHAR(1000) PRIMARY KEY, "
    "fingerprint VARCHAR(200) NOT NULL, ingested_at VARCHAR(40) NOT NULL)",
    "CREATE TABLE IF NOT EXISTS index_documents (doc_id VARCHAR(500) PRIMARY KEY, "
    "file_path VARCHAR(1000) NOT NULL REFERENCES index_files(path) ON DELETE CASCADE, "
    "title TEXT NOT NULL, source TEXT NOT NULL, metadata TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS index_chunks (chunk_id VARCHAR(600) PRIMARY KEY, "
    "doc_id VARCHAR(500) NOT NULL REFERENCES index_documents(doc_id) ON DELETE CASCADE, "
    "ordinal INTEGER NOT NULL, section TEXT NOT NULL, text TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS index_chunks_by_doc ON index_chunks(doc_id)",
    "CREATE INDEX IF NOT EXISTS index_documents_by_file ON index_documents(file_path)",
)
_BUMP = text(
    "INSERT INTO index_meta(key, value) VALUES('generation', '1') "
    "ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(index_meta.value AS INTEGER) + 1 AS TEXT)"
)


def index_engine(url: str) -> Engine:
    """A small pool: the index reads its ledger rarely (on a new generation), unlike request handlers."""
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(
            engine, "connect", lambda connection, _record: connection.execute("PRAGMA foreign_keys=ON")
        )
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)


class SqlChunkStore:
    """Files → documents → chunks in SQL tables; every change one transaction that bumps the generation.

    On SQLite the engine must turn foreign keys on (``index_engine`` and the app's ``make_engine`` do)."""

    def __init__(self, engine: Engine, *, generation_max_age_s: float = 1.0) -> None:
        self.engine = engine
        self.generation_max_age_s = generation_max_age_s
        self._lock = threading.Lock()
        self._generation: tuple[float, int] | None = None  # (read at, value)
        # Byte order for ids, as SQLite sorts them, whatever the database's default collation.
        self._by_id = ' COLLATE "C"' if engine.dialect.name == "postgresql" else ""
        with engine.begin() as db:
            if engine.dialect.name == "postgresql":  # two workers creating the tables at once
                db.execute(text("SELECT pg_advisory_xact_lock(740221)"))
            for statement in _TABLES:
                db.execute(text(statement))
            db.execute(
                text("INSERT INTO index_meta(key, value) VALUES('store_id', :v) ON CONFLICT(key) DO NOTHING"),
                {"v": uuid.uuid4().hex},
            )

    @classmethod
    def from_url(cls, url: str, *, generation_max_age_s: float = 1.0) -> SqlChunkStore:
        return cls(index_engine(url), generation_max_age_s=generation_max_age_s)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        with self.engine.connect() as db:
            yield db

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._connect() as db, db.begin():
            if self.engine.dialect.name == "postgresql":  # one writer at a time, e.g. two machines' start-ups
                db.execute(text("SELECT pg_advisory_xact_lock(740222)"))
            yield db
            db.execute(_BUMP)
        with self._lock:
            self._generation = None  # this process wrote: read the new value at once

    def generation(self) -> int:
        """The ledger's generation, re-read from the database at most every ``generation_max_age_s``."""
        with self._lock:
            now = time.monotonic()
            if self._generation is not None and now - self._generation[0] < self.generation_max_age_s:
                return self._generation[1]
        value = int(self.get_meta("generation") or 0)
        with self._lock:
            self._generation = (now, value)
        return value

    def store_id(self) -> str:
        """A random id made when the tables were created: tells this ledger's generations from another's."""
        return self.get_meta("store_id") or ""

    def get_meta(self, key: str) -> str | None:
        with self._connect() as db:
            row = db.execute(text("SELECT value FROM index_meta WHERE key = :k"), {"k": key}).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._connect() as db, db.begin():
            db.execute(
                text(
                    "INSERT INTO index_meta(key, value) VALUES(:k, :v) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
                ),
                {"k": key, "v": value},
            )

    def files(self) -> list[StoredFile]:
        with self._connect() as db:
            rows = db.execute(
                text(f"SELECT path, fingerprint, ingested_at FROM index_files ORDER BY path{self._by_id}")
            )
            return [StoredFile(*row) for row in rows]

    def fingerprint(self, file_path: str) -> str | None:
        with self._connect() as db:
            row = db.execute(
                text("SELECT fingerprint FROM index_files WHERE path = :p"), {"p": file_path}
            ).fetchone()
        return str(row[0]) if row else None

    def doc_owner(self, doc_id: str) -> str | None:
        """The file a document id belongs to, if it is stored."""
        with self._connect() as db:
            row = db.execute(
                text("SELECT file_path FROM index_documents WHERE doc_id = :d"), {"d": doc_id}
            ).fetchone()
        return str(row[0]) if row else None

    def chunk_ids_of_file(self, file_path: str) -> list[str]:
        with self._connect() as db:
            rows = db.execute(
                text(
                    "SELECT c.chunk_id FROM index_chunks c JOIN index_documents d ON c.doc_id = d.doc_id "
                    f"WHERE d.file_path = :p ORDER BY c.doc_id{self._by_id}, c.ordinal"
                ),
                {"p": file_path},
            )
            return [str(r[0]) for r in rows]

    def replace_file(
        self, file_path: str, fingerprint: str, documents: Sequence[tuple[SourceDocument, list[Chunk]]]
    ) -> None:
        """Replace everything stored for one file by its new documents and chunks, atomically."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._transaction() as db:
            db.execute(text("DELETE FROM index_files WHERE path = :p"), {"p": file_path})
            db.execute(
                text("INSERT INTO index_files VALUES (:p, :f, :t)"),
                {"p": file_path, "f": fingerprint, "t": now},
            )
            for doc, chunks in documents:
                db.execute(
                    text("INSERT INTO index_documents VALUES (:d, :p, :title, :source, :meta)"),
                    {
                        "d": doc.doc_id,
                        "p": file_path,
                        "title": doc.title,
                        "source": doc.source,
                        "meta": json.dumps(doc.metadata, ensure_ascii=False),
                    },
                )
                if chunks:
                    db.execute(
                        text("INSERT INTO index_chunks VALUES (:c, :d, :o, :s, :t)"),
                        [
                            {"c": c.chunk_id, "d": c.doc_id, "o": c.ordinal, "s": c.section, "t": c.text}
                            for c in chunks
                        ],
                    )

    def remove_file(self, file_path: str) -> None:
        """Forget a file and all its documents and chunks."""
        with self._transaction() as db:
            db.execute(text("DELETE FROM index_files WHERE path = :p"), {"p": file_path})

    def chunks(self) -> list[Chunk]:
        """Every stored chunk, in document and reading order, with its document's title and metadata."""
        with self._connect() as db:
            return self._chunks(db)

    def snapshot(self) -> tuple[int, list[Chunk]]:
        """The generation and every chunk, read in one repeatable-read transaction (they belong together)."""
        with self._connect() as db:
            if self.engine.dialect.name == "postgresql":
                db = db.execution_options(isolation_level="REPEATABLE READ")
            with db.begin():
                row = db.execute(text("SELECT value FROM index_meta WHERE key = 'generation'")).fetchone()
                return (int(row[0]) if row else 0), self._chunks(db)

    def _chunks(self, db: Connection) -> list[Chunk]:
        rows = db.execute(
            text(
                f"SELECT {CHUNK_COLUMNS} "
                "FROM index_chunks c JOIN index_documents d ON c.doc_id = d.doc_id "
                f"ORDER BY c.doc_id{self._by_id}, c.ordinal"
            )
        ).all()
        return [chunk_from_row(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Numbers of files, documents and chunks."""
        with self._connect() as db:
            return {
                table: int(db.execute(text(f"SELECT COUNT(*) FROM index_{table}")).scalar_one())
                for table in ("files", "documents", "chunks")
            }
