"""SQLAlchemy engine for the product's records (sessions, messages, handoffs); SQLite by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

POOL_SIZE = 20
"""Connections kept open per process: a request holds one at a time, and the server runs up to 40
requests at once (its thread pool), so most find an idle connection instead of opening one."""
POOL_OVERFLOW = 20


def make_engine(url: str, *, sqlite_busy_timeout_s: float = 30.0) -> Engine:
    """An engine for ``url``.

    PostgreSQL: a pool that checks each connection before use (``pool_pre_ping``), so connections
    whose server side went away are replaced instead of failing a request. SQLite files: WAL mode (readers
    never wait for the writer) and a busy timeout so concurrent writers wait their turn; a writer still
    locked out after ``sqlite_busy_timeout_s`` fails with ``OperationalError`` (the API answers 503).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
    memory = not parsed.database or parsed.database == ":memory:"
    if not memory:
        Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
    pool: dict[str, Any] = {} if memory else {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": sqlite_busy_timeout_s}, **pool
    )
    busy_ms = int(sqlite_busy_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a power cut may lose the last commits
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def read_only(engine: Engine) -> Engine:
    """``engine`` for reads that need no transaction: on PostgreSQL its connections run in autocommit,
    which saves the ``BEGIN`` and ``ROLLBACK`` round trips around every read; SQLite (whose driver
    begins a transaction only before a write) gets the engine itself. Same pool either way."""
    if engine.dialect.name == "sqlite":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")
