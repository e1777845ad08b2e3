"""Handoff fixtures: every store test runs on SQLite and on PostgreSQL (when one is configured).

PostgreSQL comes from ``GOVASSIST_TEST_POSTGRES_URL`` (``make test`` starts a throwaway cluster and sets
it); each test module gets a fresh schema, emptied before each test. Without the variable those tests skip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from assistant.components.database import make_engine
from assistant.handoff.auth import AuthService
from assistant.handoff.models import HandoffBase, create_schema
from assistant.handoff.tickets import TicketService
from assistant.settings import Settings
from tests.handoff_db import fresh_postgres_schema


class FakeClock:
    """A settable clock for deterministic deadlines and token expiry."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="module")
def postgres_engine() -> Iterator[Engine]:
    """An engine on a fresh schema of the configured PostgreSQL, shared by one test module."""
    with fresh_postgres_schema() as engine:
        create_schema(engine)
        yield engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty handoff schema on SQLite (a file under tmp_path) or PostgreSQL."""
    if request.param == "sqlite":
        sqlite = make_engine(f"sqlite:///{tmp_path / 'handoff.db'}")
        create_schema(sqlite)
        yield sqlite
        sqlite.dispose()
        return
    postgres: Engine = request.getfixturevalue("postgres_engine")
    tables = ", ".join(table.name for table in HandoffBase.metadata.sorted_tables)
    with postgres.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    yield postgres


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def handoff_settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def tickets(engine: Engine, handoff_settings: Settings, clock: FakeClock) -> TicketService:
    return TicketService(engine, handoff_settings, clock=clock)


@pytest.fixture
def auth(engine: Engine, handoff_settings: Settings, clock: FakeClock) -> AuthService:
    return AuthService(engine, handoff_settings, clock=clock)
