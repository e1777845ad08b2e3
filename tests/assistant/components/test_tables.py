"""Tables created by several processes at once: every creator succeeds (a plain ``create_all`` fails
for all but one of six on PostgreSQL, nearly every time). On a SQLite file and on PostgreSQL (skipped
without ``GOVASSIST_TEST_POSTGRES_URL``, like the other tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, MetaData, String, Table, inspect
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assistant.analytics.feedback import AnalyticsBase
from assistant.analytics.feedback import create_schema as create_feedback_schema
from assistant.api.rate_counter import metadata as counter_tables
from assistant.components.database import make_engine
from assistant.components.tables import create_tables, lost_a_race
from assistant.handoff.assist_store import AssistBase, SuggestionStore
from assistant.handoff.models import HandoffBase
from assistant.handoff.models import create_schema as create_handoff_schema
from assistant.handoff.ratings import RatingsBase
from assistant.prereview.db_storage import metadata as upload_tables
from assistant.sessions.migrate import add_missing_columns
from assistant.sessions.models import Base as SessionBase
from assistant.sessions.store import SessionStore
from tests.handoff_db import BACKENDS, database_engine

STORE_TABLES = [SessionBase, HandoffBase, AnalyticsBase, AssistBase, RatingsBase]


def create_both(engine: Engine) -> None:
    create_tables(counter_tables, engine)
    create_tables(upload_tables, engine)


def create_every_store(engine: Engine) -> None:
    """What a worker does at start: every store's ``create_schema`` (tables, then additive upgrades)."""
    SessionStore(engine).create_schema()
    create_handoff_schema(engine)
    create_feedback_schema(engine)
    SuggestionStore(engine).create_schema()
    create_tables(RatingsBase.metadata, engine)
    add_missing_columns(engine, RatingsBase)


def race(url: str, creators: int = 6, work: Callable[[Engine], object] = create_both) -> list[Exception]:
    """``creators`` engines (processes' pools) doing ``work`` at the same moment; their errors."""
    engines = [make_engine(url) for _ in range(creators)]
    for engine in engines:  # connected before the start, so the creators collide
        engine.connect().close()
    start, errors = threading.Barrier(creators), []

    def create(engine: Engine) -> None:
        start.wait()
        try:
            work(engine)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=create, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    return errors


@pytest.mark.parametrize("backend", BACKENDS)
def test_six_creators_at_once_all_succeed(backend: str, tmp_path: Path) -> None:
    with database_engine(backend, tmp_path) as first:
        url = first.url.render_as_string(hide_password=False)
        for attempt in range(3):  # three fresh races (the tables are dropped in between)
            errors = race(url)
            assert errors == [], f"race {attempt}: {errors[:2]}"
            assert {"rate_limit_counters", "prereview_uploads"} <= set(inspect(first).get_table_names())
            counter_tables.drop_all(first)
            upload_tables.drop_all(first)


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_store_created_by_six_workers_at_once(backend: str, tmp_path: Path) -> None:
    """Workers starting together on an empty database: sessions, handoff, feedback, suggestions, ratings."""
    with database_engine(backend, tmp_path) as first:
        url = first.url.render_as_string(hide_password=False)
        errors = race(url, work=create_every_store)
        assert errors == [], errors[:2]
        names = set(inspect(first).get_table_names())
        expected = {table for base in STORE_TABLES for table in base.metadata.tables}
        assert expected <= names, expected - names


class NewerBase(DeclarativeBase):
    pass


class NewerRow(NewerBase):
    """A table whose newer version added two nullable columns, one of them indexed."""

    __tablename__ = "upgrade_race_rows"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    note: Mapped[str | None] = mapped_column(String(64), nullable=True)
    region: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_six_workers_upgrading_an_older_table_at_once(backend: str, tmp_path: Path) -> None:
    """An older table lacking two columns: every upgrader succeeds and each column is added once."""
    with database_engine(backend, tmp_path) as first:
        url = first.url.render_as_string(hide_password=False)
        older = MetaData()
        Table(NewerRow.__tablename__, older, Column("id", String(40), primary_key=True))
        older.create_all(first)
        errors = race(url, work=lambda engine: add_missing_columns(engine, NewerBase))
        assert errors == [], errors[:2]
        inspector = inspect(first)
        columns = [c["name"] for c in inspector.get_columns(NewerRow.__tablename__)]
        assert sorted(columns) == ["id", "note", "region"]
        assert [i["column_names"] for i in inspector.get_indexes(NewerRow.__tablename__)] == [["region"]]


@pytest.mark.parametrize(
    ("error", "race"),
    [
        (ProgrammingError("CREATE TABLE t", {}, Exception('relation "t" already exists')), True),
        (
            IntegrityError("CREATE TABLE t", {}, Exception("duplicate key value violates unique constraint")),
            True,
        ),
        (OperationalError("ALTER TABLE t", {}, Exception("duplicate column name: c")), True),
        (OperationalError("CREATE TABLE t", {}, Exception("database is locked")), False),
        (ProgrammingError("CREATE TABLE t", {}, Exception("permission denied for schema public")), False),
    ],
)
def test_only_a_lost_race_is_tolerated(error: OperationalError, race: bool) -> None:
    assert lost_a_race(error) is race


def test_an_error_that_is_no_race_is_raised_at_once() -> None:
    calls = []

    class Failing:
        tables = ("t",)

        def create_all(self, engine: object) -> None:
            calls.append(engine)
            raise ProgrammingError("CREATE TABLE t", {}, Exception("permission denied for schema public"))

    with pytest.raises(ProgrammingError):
        create_tables(Failing(), "engine")  # type: ignore[arg-type]
    assert calls == ["engine"]  # not tried again


class _LosesOncePerTable:
    """Metadata whose ``create_all`` loses a race once for each of its tables, as a creator can on
    SQLite (each ``CREATE TABLE`` commits on its own), then succeeds."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.tables = dict.fromkeys(names)
        self.losses = 0

    def create_all(self, engine: object) -> None:
        if self.losses < len(self.tables):
            self.losses += 1
            raise OperationalError("CREATE TABLE", {}, Exception(f"table t{self.losses} already exists"))


def test_a_creator_that_loses_once_per_table_still_succeeds() -> None:
    metadata = _LosesOncePerTable(("a", "b", "c", "d"))
    create_tables(metadata, "engine")  # type: ignore[arg-type]
    assert metadata.losses == 4
