"""Passage vectors kept on disk by content, shared between processes.

One file per vector, named by a hash of the model's identity and the text it read, written whole
(temporary file, then rename). Texts missing from the folder are embedded under a file lock, so two
processes that need the same passages at once embed them once: the second waits, then reads them.
The test suite points ``embedding_cache_dir`` at one folder per run, so the bundled knowledge is
embedded with E5 once per run however many indexes (in-process, servers) are built from it.
"""

from __future__ import annotations

import fcntl
import hashlib
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.atomic_write import write_bytes_atomic


class VectorCache:
    """Vectors by (model identity, text) in ``folder``; ``vectors`` embeds only what is missing."""

    def __init__(self, folder: Path, model: str) -> None:
        self.folder = Path(folder)
        self.model = model
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, text: str) -> Path:
        digest = hashlib.sha256(f"{self.model}\0{text}".encode()).hexdigest()
        return self.folder / f"{digest}.f32"

    def read(self, text: str) -> list[float] | None:
        """The stored vector of ``text``, or None (absent, or not a whole vector)."""
        try:
            data = self.path(text).read_bytes()
        except OSError:
            return None
        if not data or len(data) % 4:
            return None
        stored = array("f")
        stored.frombytes(data)
        return stored.tolist()

    def write(self, text: str, vector: list[float]) -> None:
        target = self.path(text)
        write_bytes_atomic(target, array("f", vector).tobytes())

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with (self.folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def vectors(
        self, texts: list[str], compute: Callable[[list[str]], list[list[float]]]
    ) -> list[list[float]]:
        """The vectors of ``texts`` in order; ``compute`` embeds the ones no process has stored yet."""
        found: dict[int, list[float]] = {}
        for i, text in enumerate(texts):
            if (vector := self.read(text)) is not None:
                found[i] = vector
        if len(found) < len(texts):
            with self._locked():
                missing = [i for i in range(len(texts)) if i not in found]
                for i in missing:  # another process may have stored them while this one waited
                    if (vector := self.read(texts[i])) is not None:
                        found[i] = vector
                todo = [i for i in missing if i not in found]
                if todo:
                    computed = compute([texts[i] for i in todo])
                    for i, vector in zip(todo, computed, strict=True):
                        self.write(texts[i], vector)
                        found[i] = vector
        return [found[i] for i in range(len(texts))]
