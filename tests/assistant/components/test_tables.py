"""Tables created by several processes at once: every creator succeeds (a plain ``create_all`` fails
for all but one of six on PostgreSQL, nearly every time). On a SQLite file and on PostgreSQL (skipped
without ``GOVASSIST_TEST_POSTGRES_URL``, like the other tests)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from assistant.api.rate_counter import metadata as counter_tables
from assistant.components.database import make_engine
from assistant.components.tables import create_tables
from assistant.prereview.db_storage import metadata as upload_tables
from tests.handoff_db import BACKENDS, database_engine


def race(url: str, creators: int = 6) -> list[Exception]:
    """``creators`` engines (processes' pools) creating both tables at the same moment; their errors."""
    engines = [make_engine(url) for _ in range(creators)]
    for engine in engines:  # connected before the start, so the creators collide
        engine.connect().close()
    start, errors = threading.Barrier(creators), []

    def create(engine: Engine) -> None:
        start.wait()
        try:
            create_tables(counter_tables, engine)
            create_tables(upload_tables, engine)
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
