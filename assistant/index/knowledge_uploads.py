"""Knowledge documents uploaded on the dashboard, kept in the shared database for several machines.

An upload is a file under ``data_dir/uploads_knowledge/`` and a row of ``knowledge_uploads`` (its bytes
and their SHA-256). Before any ingest a machine writes the rows its folder lacks or holds in another
version (:meth:`KnowledgeUploadStore.materialise`), so every machine ingests the same files and none
prunes another's upload from the shared ledger for want of the file. Files found only in the folder
(uploaded before the database kept them) are adopted into the table, so switching to the shared store
loses nothing. Every machine must use the same ``data_dir`` path: the ledger keys files by path.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from pathlib import Path

from sqlalchemy import Column, Engine, Float, Integer, LargeBinary, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError

from assistant.atomic_write import write_bytes_atomic
from assistant.components.database import make_engine
from assistant.components.tables import create_tables
from assistant.settings import Settings

log = logging.getLogger(__name__)

UPLOADS_FOLDER = "uploads_knowledge"
"""Sub-folder of ``data_dir`` that holds the uploaded knowledge documents."""

UPLOAD_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
"""File types the dashboard accepts."""

_SAFE_NAME = re.compile(r"^[^/\\\x00]{1,200}$")

metadata = MetaData()
knowledge_uploads = Table(
    "knowledge_uploads",
    metadata,
    Column("name", String(200), primary_key=True),  # the server's name: slug + suffix
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("uploaded_s", Float, nullable=False),  # seconds since the epoch (UTC)
    Column("data", LargeBinary, nullable=False),
)


def uploads_folder(settings: Settings) -> Path:
    """The folder of uploaded knowledge documents on this machine."""
    return settings.data_dir / UPLOADS_FOLDER


def is_upload_name(name: str) -> bool:
    """A plain file name of an accepted type (no folder part, not hidden): what a row may be written as."""
    return (
        bool(_SAFE_NAME.match(name))
        and not name.startswith(".")
        and Path(name).name == name
        and Path(name).suffix.lower() in UPLOAD_SUFFIXES
    )


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class KnowledgeUploadStore:
    """The ``knowledge_uploads`` table and this machine's copy of it in :func:`uploads_folder`."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        self.engine = engine
        self.folder = Path(folder)

    def create_schema(self) -> None:
        create_tables(metadata, self.engine)

    def save(self, name: str, data: bytes) -> bytes | None:
        """Store ``name``'s bytes (replacing an earlier version); returns the earlier bytes, if any."""
        if not is_upload_name(name):
            raise ValueError(f"not an upload name: {name!r}")
        row = {"sha256": _digest(data), "size": len(data), "uploaded_s": time.time(), "data": data}
        try:
            with self.engine.begin() as connection:
                previous = connection.execute(
                    select(knowledge_uploads.c.data).where(knowledge_uploads.c.name == name).with_for_update()
                ).scalar_one_or_none()
                if previous is None:
                    connection.execute(knowledge_uploads.insert().values(name=name, **row))
                else:
                    connection.execute(
                        knowledge_uploads.update().where(knowledge_uploads.c.name == name).values(**row)
                    )
        except IntegrityError:  # another machine inserted the same name first: replace its version
            with self.engine.begin() as connection:
                connection.execute(
                    knowledge_uploads.update().where(knowledge_uploads.c.name == name).values(**row)
                )
            return None
        return bytes(previous) if previous is not None else None

    def restore(self, name: str, previous: bytes | None) -> None:
        """Undo :meth:`save` after a refused ingest: the earlier bytes back, or no row at all."""
        if previous is not None:
            self.save(name, previous)
            return
        with self.engine.begin() as connection:
            connection.execute(knowledge_uploads.delete().where(knowledge_uploads.c.name == name))

    def digests(self) -> dict[str, str]:
        """Every stored upload's name and SHA-256."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(knowledge_uploads.c.name, knowledge_uploads.c.sha256))
            return {str(name): str(sha) for name, sha in rows}

    def materialise(self) -> list[str]:
        """Bring the folder in line with the table; returns the names written.

        A file is written (atomically, so a concurrent ingest never reads half of it) when it is missing
        or its bytes differ; a file only in the folder is adopted into the table; a row whose name is not
        a plain upload name is skipped with a warning (it cannot have come from the dashboard).
        """
        stored = self.digests()
        local = {
            path.name: path
            for path in (self.folder.iterdir() if self.folder.is_dir() else [])
            if path.is_file() and is_upload_name(path.name)
        }
        for name, path in local.items():
            if name not in stored:
                self.save(name, path.read_bytes())
                log.info("knowledge upload %s adopted into the shared database", name)
        written: list[str] = []
        for name, sha in sorted(stored.items()):
            if not is_upload_name(name):
                log.warning("knowledge upload row %r skipped: not a plain file name", name)
                continue
            present = local.get(name)
            if present is not None and _digest(present.read_bytes()) == sha:
                continue
            with self.engine.connect() as connection:
                data = connection.execute(
                    select(knowledge_uploads.c.data).where(knowledge_uploads.c.name == name)
                ).scalar_one_or_none()
            if data is None:  # removed meanwhile
                continue
            self.folder.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(self.folder / name, bytes(data), mode=0o644)
            written.append(name)
        if written:
            log.info("knowledge uploads written from the shared database: %s", ", ".join(written))
        return written


def shared_knowledge_uploads(settings: Settings, engine: Engine) -> KnowledgeUploadStore | None:
    """The shared store when settings keep state in the database (``shared_state_store``), else None."""
    if not settings.shares_state_in_database:
        return None
    store = KnowledgeUploadStore(engine, uploads_folder(settings))
    store.create_schema()
    return store


def materialise_shared_uploads(settings: Settings) -> list[str]:
    """Write this machine's missing copies of the dashboard uploads kept in the shared database, on an
    engine of its own (a command such as ``govassist ingest``, which has no services); returns the names
    written. Nothing happens when settings keep uploads locally."""
    if not settings.shares_state_in_database:
        return []
    engine = make_engine(settings.resolved_database_url)
    try:
        shared = shared_knowledge_uploads(settings, engine)
        return shared.materialise() if shared is not None else []
    finally:
        engine.dispose()
