"""Rate-limit counters in the database: one limit across instances, atomic under concurrency, on a
SQLite file and on PostgreSQL (skipped without ``GOVASSIST_TEST_POSTGRES_URL``, like the other tests)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from assistant.api.rate_counter import WINDOW_S, DatabaseRateCounter, client_key, counters
from assistant.api.rate_limit import Rule
from assistant.components.database import make_engine
from tests.handoff_db import BACKENDS, database_engine

RULE = Rule("chat", 3, ("/api/chat",))
T0 = 1_800_000_000.0  # the start of a window (divisible by 60)


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=BACKENDS)
def engines(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two engines (two processes' pools) on one empty database."""
    with database_engine(request.param, tmp_path) as first:
        second = make_engine(first.url.render_as_string(hide_password=False))
        DatabaseRateCounter(first).create_schema()
        yield first, second
        second.dispose()


def test_the_limit_holds_whichever_instance_counts(engines: tuple[Engine, Engine]) -> None:
    clock = Clock(T0 + 10)
    a, b = (DatabaseRateCounter(engine, clock) for engine in engines)
    assert [a.take(RULE, "203.0.113.7"), b.take(RULE, "203.0.113.7"), a.take(RULE, "203.0.113.7")] == [
        0,
        0,
        0,
    ]
    assert b.take(RULE, "203.0.113.7") == pytest.approx(50.0)  # refused until the window ends
    assert a.take(RULE, "203.0.113.7") == pytest.approx(50.0)
    assert a.take(RULE, "203.0.113.8") == 0  # another client has its own count
    assert a.take(Rule("login", 3, ("/x",)), "203.0.113.7") == 0  # another rule too
    assert b.hits("chat", "203.0.113.7") == 5
    clock.now = T0 + WINDOW_S  # the next window starts afresh
    assert b.take(RULE, "203.0.113.7") == 0


def test_concurrent_requests_from_two_instances_are_counted_exactly(engines: tuple[Engine, Engine]) -> None:
    clock = Clock(T0 + 1)
    rule = Rule("upload", 60, ("/api/prereview",))
    instances = [DatabaseRateCounter(engine, clock) for engine in engines]
    allowed: list[bool] = []
    lock = threading.Lock()

    def client(counter: DatabaseRateCounter) -> None:
        for _ in range(40):
            ok = counter.take(rule, "198.51.100.23") == 0
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=client, args=(c,)) for c in instances for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 160 and allowed.count(True) == 60  # no lost update, no double count
    assert instances[0].hits("upload", "198.51.100.23") == 160


def test_addresses_are_stored_hashed_and_old_windows_are_purged(engines: tuple[Engine, Engine]) -> None:
    clock = Clock(T0)
    counter = DatabaseRateCounter(engines[0], clock)
    counter.take(RULE, "192.0.2.44")
    clock.now = T0 + 3 * WINDOW_S + 1  # a minute later than the purge interval, two windows on
    counter.take(RULE, "192.0.2.45")
    with engines[0].connect() as connection:
        rows = connection.execute(select(counters.c.client, counters.c.window)).all()
    assert rows == [(client_key("192.0.2.45"), int(clock.now // WINDOW_S))]  # the old window is gone
    assert "192.0.2.45" not in client_key("192.0.2.45")


def test_a_database_error_lets_the_request_through(engines: tuple[Engine, Engine]) -> None:
    counter = DatabaseRateCounter(engines[0], Clock())
    with engines[0].begin() as connection:
        connection.execute(text("DROP TABLE rate_limit_counters"))
    assert counter.take(RULE, "192.0.2.1") == 0  # logged; the request meets the database's own error


def test_after_the_server_drops_its_connections_one_check_passes_and_counting_resumes(tmp_path: Path) -> None:
    with database_engine("postgresql", tmp_path) as engine:  # skips without the test PostgreSQL
        clock = Clock(T0 + 5)
        counter = DatabaseRateCounter(engine, clock)
        counter.create_schema()
        try:
            assert counter.take(RULE, "203.0.113.9") == 0  # its pool now holds a connection
            with engine.begin() as connection:  # as a server restart would: every other backend of ours
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = current_setting('application_name') "
                        "AND pid <> pg_backend_pid()"
                    )
                )
            assert counter.take(RULE, "203.0.113.9") == 0  # the dead connection: let through, logged
            assert [counter.take(RULE, "203.0.113.9") for _ in range(3)] == [0, 0, pytest.approx(55.0)]
            assert counter.hits("chat", "203.0.113.9") == 4  # the one let through was not counted
        finally:
            counter.close()
