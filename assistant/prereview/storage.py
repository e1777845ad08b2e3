"""Upload storage: server-named files under ``root/<review_id>/``, written atomically, swept when old.

A full disk (``ENOSPC``), an exhausted quota (``EDQUOT``) or the configured size cap raises
:class:`StorageFull`; the request's files are then removed again, so nothing partial is left behind.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import shutil
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from assistant.atomic_write import write_bytes_atomic
from assistant.prereview.intake import EXTENSIONS
from assistant.prereview.models import FileKind, StoredUpload

log = logging.getLogger(__name__)

REVIEW_ID = re.compile(r"^[0-9a-f]{32}$")
_META = "review.json"


def new_review_id() -> str:
    """A fresh, unguessable review id (32 lowercase hex characters)."""
    return uuid.uuid4().hex


def is_review_id(review_id: str) -> bool:
    return bool(REVIEW_ID.fullmatch(review_id or ""))


_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


class StorageFull(Exception):
    """The uploads could not be stored (disk or quota full, or the size cap reached); none were kept."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UploadStore:
    """Accepted uploads on disk: directories 0700, files 0600, names never taken from the client.

    ``max_bytes`` (0: none) caps the bytes under ``root``; it is checked before a request's files are
    written, so concurrent requests (or several workers) can overshoot it by at most their own size.
    """

    def __init__(self, root: Path, retention: timedelta, max_bytes: int = 0) -> None:
        self.root = Path(root)
        self.retention = retention
        self.max_bytes = max_bytes

    new_review_id = staticmethod(new_review_id)

    def review_dir(self, review_id: str) -> Path:
        """The directory of a review; ``ValueError`` for an id that is not a server-made one."""
        if not is_review_id(review_id):
            raise ValueError(f"invalid review id: {review_id!r}")
        return self.root / review_id

    def save(self, review_id: str, display_name: str, data: bytes, kind: FileKind) -> StoredUpload:
        """Store one accepted file under a new uuid name; the write is atomic (temp file + rename)."""
        directory = self._ensure_review(review_id)
        file_id = uuid.uuid4().hex
        path = directory / f"{file_id}{EXTENSIONS[kind]}"
        write_bytes_atomic(path, data, durable=True)
        return StoredUpload(file_id=file_id, display_name=display_name, kind=kind, size=len(data), path=path)

    def save_all(self, review_id: str, files: list[tuple[str, bytes, FileKind]]) -> list[StoredUpload]:
        """Store a request's files (name, bytes, kind) in a new review: all of them, or none.

        Raises :class:`StorageFull` when the cap would be exceeded or the disk (quota) is full; any other
        ``OSError`` propagates. Either way the review's directory is removed again.
        """
        incoming = sum(len(data) for _, data, _ in files)
        if self.max_bytes and files and self.used_bytes() + incoming > self.max_bytes:
            log.warning("prereview upload refused: the store's cap (%d bytes) is reached", self.max_bytes)
            raise StorageFull("cap")
        try:
            return [self.save(review_id, name, data, kind) for name, data, kind in files]
        except OSError as error:
            shutil.rmtree(self.root / review_id, ignore_errors=True)
            if error.errno in _FULL_ERRNOS:
                log.warning("prereview upload refused: %s (%s)", os.strerror(error.errno), self.root)
                raise StorageFull(errno.errorcode[error.errno]) from error
            raise
        except BaseException:
            shutil.rmtree(self.root / review_id, ignore_errors=True)
            raise

    def release(self, review_id: str) -> None:
        """Nothing to do: the files on disk are the store (the database store drops working copies)."""

    def used_bytes(self) -> int:
        """Bytes of the files under ``root`` (0 when it does not exist yet)."""
        total = 0
        for folder, _dirs, names in os.walk(self.root):
            for name in names:
                try:
                    total += os.stat(os.path.join(folder, name)).st_size
                except OSError:  # swept or renamed meanwhile
                    continue
        return total

    def exists(self, review_id: str) -> bool:
        return is_review_id(review_id) and (self.root / review_id).is_dir()

    def delete_review(self, review_id: str) -> bool:
        """Delete a review's files now; False for an unknown (or malformed) id."""
        if not self.exists(review_id):
            return False
        shutil.rmtree(self.root / review_id, ignore_errors=True)
        return True

    def sweep(self, now: datetime | None = None) -> int:
        """Delete every review older than the retention period; returns how many were deleted."""
        now = now or datetime.now(UTC)
        if not self.root.is_dir():
            return 0
        deleted = 0
        for entry in self.root.iterdir():
            if not (is_review_id(entry.name) and entry.is_dir()):
                continue  # not ours (or a stray file): leave it alone
            try:
                if now - self._created(entry) > self.retention:
                    shutil.rmtree(entry)
                    deleted += 1
            except OSError as exc:  # one unreadable review must not stop the sweep
                log.warning("prereview sweep could not remove %s: %s", entry.name, exc)
        return deleted

    def _ensure_review(self, review_id: str) -> Path:
        directory = self.review_dir(review_id)
        if not directory.is_dir():
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            directory.mkdir(mode=0o700, exist_ok=True)
            os.chmod(directory, 0o700)
        meta = directory / _META
        if not meta.exists():
            created = json.dumps({"created": datetime.now(UTC).isoformat()}).encode()
            write_bytes_atomic(meta, created, durable=True)
        return directory

    @staticmethod
    def _created(directory: Path) -> datetime:
        """When a review was created: its metadata file, else the directory's mtime."""
        try:
            created = datetime.fromisoformat(json.loads((directory / _META).read_text())["created"])
            return created if created.tzinfo else created.replace(tzinfo=UTC)
        except (OSError, ValueError, KeyError, TypeError):
            return datetime.fromtimestamp(directory.stat().st_mtime, UTC)


class Sweepable(Protocol):
    """A store whose expired uploads ``sweep`` deletes (this one, or the database store)."""

    def sweep(self, now: datetime | None = None) -> int: ...


class SweepThread(threading.Thread):
    """A daemon thread that runs ``store.sweep()`` at start and then every ``interval_s`` until stopped."""

    def __init__(self, store: Sweepable, interval_s: float = 600.0, name: str = "prereview-sweep") -> None:
        super().__init__(name=name, daemon=True)
        self.store = store
        self.interval_s = interval_s
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            try:
                removed = self.store.sweep()
                if removed:
                    log.info("%s removed %d expired item(s)", self.name, removed)
            except Exception:
                log.exception("%s failed", self.name)
            if self._stop_event.wait(self.interval_s):
                return

    def stop(self, timeout: float | None = 5.0) -> None:
        """Ask the thread to finish and wait for it (up to ``timeout`` seconds)."""
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout)


def start_sweeper(store: Sweepable, interval_s: float = 600.0, name: str = "prereview-sweep") -> SweepThread:
    """Start a :class:`SweepThread` (``name`` is the thread's); call ``.stop()`` on it at shutdown."""
    thread = SweepThread(store, interval_s, name)
    thread.start()
    return thread
