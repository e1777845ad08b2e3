"""Retention for a plain folder of temporary files: the web pages' upload and download cache.

The Gradio pages copy every file a citizen or staff member uploads (ID card photos, scans) and every
file they download (checklists, CSV exports) into a cache folder before our handlers see them. Those
copies are personal data too, so they follow the same retention as pre-review uploads: this sweep
deletes any file in the folder older than the retention period (by its last change) and then the empty
folders left behind (once they are as old). It never follows symbolic links out of the folder.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

log = logging.getLogger(__name__)


class FolderSweep:
    """Deletes files under ``root`` older than ``retention`` (a ``Sweepable``, like the upload stores)."""

    def __init__(self, root: Path, retention: timedelta) -> None:
        self.root = Path(root)
        self.retention = retention

    def sweep(self, now: datetime | None = None) -> int:
        """Delete expired files (and the folders they leave empty); returns how many files were deleted."""
        if not self.root.is_dir():
            return 0
        cutoff = (now or datetime.now(UTC)).timestamp() - self.retention.total_seconds()
        removed = 0
        for directory, folders, files in os.walk(self.root, topdown=False, followlinks=False):
            here = Path(directory)
            for name in files:
                path = here / name
                try:
                    changed = path.lstat()
                    if max(changed.st_mtime, changed.st_ctime) < cutoff:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
                except OSError as exc:  # one unreadable file must not stop the sweep
                    log.warning("cache sweep could not remove %s: %s", path.name, exc)
            for name in folders:
                _remove_if_empty_and_old(here / name, cutoff)
        return removed


def _remove_if_empty_and_old(folder: Path, cutoff: float) -> None:
    """Remove an empty folder unchanged since ``cutoff`` (a fresh one may be about to get its file)."""
    try:
        status = folder.lstat()
        if not folder.is_symlink() and status.st_mtime < cutoff:
            folder.rmdir()  # only succeeds when empty
    except OSError:
        pass
