"""Writing a file whole or not at all: a temporary file beside it, then an atomic rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = False, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never a part.

    The temporary file (``.tmp-….part``) lies in ``path``'s folder, so the rename stays on one file
    system, and is removed if the write fails. The file gets ``mode`` (owner-only by default, for
    personal data). ``durable`` also flushes it to disk (``fsync``) before the rename, for data that
    must survive a power cut once acknowledged.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            if mode != 0o600:
                os.fchmod(out.fileno(), mode)
            out.write(data)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
