"""Rate-limit counters in the shared database: a fixed one-minute window per (rule, client), so every
worker on every machine counts against the same limit.

Each request is one atomic upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, on SQLite and
PostgreSQL alike) that adds one to the current window's row and returns the new count: one round trip,
no read-modify-write race. A count above the rule's ``per_minute`` is refused until the window ends. A
fixed window lets a client send up to twice the limit across a window boundary (the end of one and the
start of the next); the in-memory token buckets do not, but they count per process. Windows follow the
application's wall clock (``time.time``), so machines should keep their clocks in sync (NTP).

Client addresses are stored as a hash, and rows of past windows are purged about once a minute, so the
table holds at most two windows of clients. (A hash of an IPv4 address can be reversed by trying them
all: it is a pseudonym that lives two minutes, not an anonymisation.)
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Final, Protocol

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    delete,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from assistant.components.tables import create_tables
from assistant.settings import Settings

log = logging.getLogger(__name__)

WINDOW_S: Final = 60
_PURGE_EVERY_S: Final = 60.0

metadata = MetaData()
counters = Table(
    "rate_limit_counters",
    metadata,
    Column("rule", String(32), primary_key=True),
    Column("client", String(32), primary_key=True),  # blake2b of the address, hex
    Column("window", BigInteger, primary_key=True),  # seconds since the epoch // WINDOW_S
    Column("hits", Integer, nullable=False),
)


class RateRule(Protocol):
    """What a counter needs of a rule (``rate_limit.Rule`` fits)."""

    @property
    def name(self) -> str: ...

    @property
    def per_minute(self) -> int: ...


def client_key(client: str) -> str:
    """The stored form of a client address (a 32-hex-digit hash)."""
    return hashlib.blake2b(client.encode("utf-8"), digest_size=16).hexdigest()


class DatabaseRateCounter:
    """Fixed-window counters in ``engine``'s database; ``take`` returns 0 when allowed, else seconds to
    wait. A database error lets the request through (logged): the limiter must not turn an outage of the
    database into 500s, and the request then meets the database's own 503."""

    blocking = True  # the middleware calls ``take`` in a worker thread

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        dialect = engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"rate-limit counters need SQLite or PostgreSQL, not {dialect}")
        self._writer = _writer_for(engine)
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self._upsert = (  # built once; each call binds its values
            insert(counters)
            .values(rule=bindparam("r"), client=bindparam("c"), window=bindparam("w"), hits=1)
            .on_conflict_do_update(
                index_elements=[counters.c.rule, counters.c.client, counters.c.window],
                set_={"hits": counters.c.hits + 1},
            )
            .returning(counters.c.hits)
        )
        self._purged_at = 0.0
        self._purge_lock = threading.Lock()

    def close(self) -> None:
        """Close the counter's own connections (PostgreSQL); the shared engine is left alone."""
        if self._writer is not self.engine:
            self._writer.dispose()

    def create_schema(self) -> None:
        create_tables(metadata, self.engine)

    def take(self, rule: RateRule, client: str) -> float:
        now = self.clock()
        window = int(now // WINDOW_S)
        try:
            hits = self._hit(rule.name, client_key(client), window)
            self._maybe_purge(now, window)
        except SQLAlchemyError as error:
            log.warning("rate limit not checked (database unavailable): %s", type(error).__name__)
            return 0.0
        if hits <= rule.per_minute:
            return 0.0
        return max((window + 1) * WINDOW_S - now, 0.001)

    def hits(self, rule_name: str, client: str, now: float | None = None) -> int:
        """The current window's count for ``client`` (0 when none); for tests and inspection."""
        window = int((self.clock() if now is None else now) // WINDOW_S)
        query = counters.select().where(
            counters.c.rule == rule_name,
            counters.c.client == client_key(client),
            counters.c.window == window,
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return int(row.hits) if row is not None else 0

    def _hit(self, rule: str, client: str, window: int) -> int:
        with self._writer.begin() as connection:
            return int(connection.execute(self._upsert, {"r": rule, "c": client, "w": window}).scalar_one())

    def _maybe_purge(self, now: float, window: int) -> None:
        """About once a minute per process: drop the rows of windows before the previous one."""
        if now - self._purged_at < _PURGE_EVERY_S or not self._purge_lock.acquire(blocking=False):
            return
        try:
            self._purged_at = now
            with self._writer.begin() as connection:
                connection.execute(delete(counters).where(counters.c.window < window - 1))
        finally:
            self._purge_lock.release()


def _writer_for(engine: Engine) -> Engine:
    """The engine the upserts run on. SQLite: ``engine`` itself. PostgreSQL: a small pool of its own on
    the same database, in autocommit (one statement needs no BEGIN and COMMIT) and without the shared
    engine's pre-ping, so a request costs one round trip instead of three. A connection the server
    dropped fails one check (which then lets the request through) and the pool replaces its connections;
    a check that waits over 2 s for a connection (all 8 busy) lets the request through as well.
    """
    if engine.dialect.name != "postgresql":
        return engine
    return create_engine(
        engine.url,
        pool_size=4,
        max_overflow=4,
        pool_timeout=2,
        pool_pre_ping=False,
        isolation_level="AUTOCOMMIT",
    )


def database_counter(settings: Settings, engine: Engine) -> DatabaseRateCounter | None:
    """A counter on ``engine`` (its table created if missing) when the settings share state in the
    database; None otherwise (the middleware's in-memory buckets then count per process)."""
    if not settings.shares_state_in_database:
        return None
    counter = DatabaseRateCounter(engine)
    counter.create_schema()
    return counter


__all__ = ["WINDOW_S", "DatabaseRateCounter", "client_key", "counters", "database_counter"]
