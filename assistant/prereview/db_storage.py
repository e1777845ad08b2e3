"""Pre-review uploads in the shared database, for several machines: an upload received by one is deleted
through any other, and the retention sweep of whichever worker runs it removes every machine's uploads.

The files' bytes are rows of ``prereview_uploads`` (with their review id, kind, size and upload time;
never the client's file name), written in one transaction per request: all of a request's files or
none. Reading a file needs a path (the extractors open files), so :meth:`DatabaseUploadStore.save_all`
also writes a private working copy under ``scratch_root/<review_id>/``, which the service drops with
:meth:`release` once the files are read; the sweep removes working copies a crash left behind. The same
interface as :class:`assistant.prereview.storage.UploadStore`, which keeps uploads on the local disk.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    func,
    select,
)
from sqlalchemy.exc import OperationalError

from assistant.components.tables import create_tables
from assistant.prereview.intake import EXTENSIONS
from assistant.prereview.models import FileKind, StoredUpload
from assistant.prereview.storage import StorageFull, is_review_id, new_review_id

log = logging.getLogger(__name__)

SCRATCH_MAX_AGE_S: Final = 3600.0
"""A working copy older than this belongs to no running request (a review takes seconds)."""

metadata = MetaData()
uploads = Table(
    "prereview_uploads",
    metadata,
    Column("file_id", String(32), primary_key=True),
    Column("review_id", String(32), nullable=False, index=True),
    Column("kind", String(8), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_s", Float, nullable=False, index=True),  # seconds since the epoch (UTC)
    Column("data", LargeBinary, nullable=False),
)


class DatabaseUploadStore:
    """Accepted uploads as database rows; ``max_bytes`` (0: none) caps the bytes of all stored uploads.

    As with the disk store, the cap is checked before a request's rows are written, so concurrent
    requests can overshoot it by at most their own size.
    """

    new_review_id = staticmethod(new_review_id)

    def __init__(self, engine: Engine, scratch_root: Path, retention: timedelta, max_bytes: int = 0) -> None:
        self.engine = engine
        self.scratch_root = Path(scratch_root)
        self.retention = retention
        self.max_bytes = max_bytes

    def create_schema(self) -> None:
        create_tables(metadata, self.engine)

    def save_all(self, review_id: str, files: list[tuple[str, bytes, FileKind]]) -> list[StoredUpload]:
        """Store a request's files (name, bytes, kind) in a new review: all of them, or none.

        Raises :class:`StorageFull` when the cap would be exceeded or the database reports a full disk;
        other database errors propagate (the API answers 503). Working copies are removed on failure.
        """
        if not is_review_id(review_id):
            raise ValueError(f"invalid review id: {review_id!r}")
        incoming = sum(len(data) for _, data, _ in files)
        if self.max_bytes and files and self.used_bytes() + incoming > self.max_bytes:
            log.warning("prereview upload refused: the store's cap (%d bytes) is reached", self.max_bytes)
            raise StorageFull("cap")
        created = time.time()
        rows = [
            {
                "file_id": uuid.uuid4().hex,
                "review_id": review_id,
                "kind": kind,
                "size": len(data),
                "created_s": created,
                "data": data,
            }
            for _, data, kind in files
        ]
        try:  # the working copies first: a full local disk must not leave rows behind
            stored = [
                StoredUpload(
                    str(row["file_id"]), name, kind, len(data), self._working_copy(review_id, row, kind, data)
                )
                for (name, data, kind), row in zip(files, rows, strict=True)
            ]
            if rows:
                with self.engine.begin() as connection:
                    connection.execute(uploads.insert(), rows)
            return stored
        except OperationalError as error:
            self.release(review_id)
            if _disk_full(error):
                log.warning("prereview upload refused: the database reports a full disk")
                raise StorageFull("database full") from error
            raise
        except OSError as error:
            self.release(review_id)
            if error.errno in (errno.ENOSPC, errno.EDQUOT):
                log.warning("prereview upload refused: %s (%s)", os.strerror(error.errno), self.scratch_root)
                raise StorageFull(errno.errorcode[error.errno]) from error
            raise
        except BaseException:
            self.release(review_id)
            raise

    def release(self, review_id: str) -> None:
        """Drop the working copies of a review's files (its rows stay until deleted or swept)."""
        if is_review_id(review_id):
            shutil.rmtree(self.scratch_root / review_id, ignore_errors=True)

    def used_bytes(self) -> int:
        """Bytes of all stored uploads."""
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.coalesce(func.sum(uploads.c.size), 0))).scalar_one())

    def exists(self, review_id: str) -> bool:
        if not is_review_id(review_id):
            return False
        query = select(uploads.c.file_id).where(uploads.c.review_id == review_id).limit(1)
        with self.engine.connect() as connection:
            return connection.execute(query).first() is not None

    def delete_review(self, review_id: str) -> bool:
        """Delete a review's files now (from any machine); False for an unknown (or malformed) id."""
        if not is_review_id(review_id):
            return False
        self.release(review_id)
        with self.engine.begin() as connection:
            result = connection.execute(delete(uploads).where(uploads.c.review_id == review_id))
        return bool(result.rowcount)

    def sweep(self, now: datetime | None = None) -> int:
        """Delete every review older than the retention period, whichever machine stored it, and stale
        working copies on this machine; returns how many reviews were deleted."""
        cutoff = (now or datetime.now(UTC)).timestamp() - self.retention.total_seconds()
        statement = delete(uploads).where(uploads.c.created_s < cutoff).returning(uploads.c.review_id)
        with self.engine.begin() as connection:
            deleted = {row.review_id for row in connection.execute(statement)}
        self._sweep_scratch()
        return len(deleted)

    def _working_copy(self, review_id: str, row: dict[str, object], kind: FileKind, data: bytes) -> Path:
        self.scratch_root.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory = self.scratch_root / review_id
        directory.mkdir(mode=0o700, exist_ok=True)
        path = directory / f"{row['file_id']}{EXTENSIONS[kind]}"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        return path

    def _sweep_scratch(self) -> None:
        if not self.scratch_root.is_dir():
            return
        stale = time.time() - SCRATCH_MAX_AGE_S
        for entry in self.scratch_root.iterdir():
            try:
                if is_review_id(entry.name) and entry.stat().st_mtime < stale:
                    shutil.rmtree(entry, ignore_errors=True)
            except OSError:
                continue


def _disk_full(error: OperationalError) -> bool:
    """PostgreSQL's disk_full (SQLSTATE 53100) or SQLite's SQLITE_FULL."""
    original = error.orig
    return getattr(original, "sqlstate", None) == "53100" or "database or disk is full" in str(original)


__all__ = ["DatabaseUploadStore", "uploads"]
