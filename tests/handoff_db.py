"""Databases for tests of the handoff over HTTP: a SQLite file, or a fresh schema of the test PostgreSQL.

PostgreSQL comes from ``GOVASSIST_TEST_POSTGRES_URL`` (``make test`` starts one); without it the
PostgreSQL variants skip. ``fresh_postgres_schema`` also serves the handoff and analytics fixtures.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from assistant.components.database import make_engine
from assistant.container import Services
from assistant.handoff.triage import RoutingHook

POSTGRES_ENV = "GOVASSIST_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def fresh_postgres_schema() -> Iterator[Engine]:
    """An engine on a new, empty schema of the test PostgreSQL, dropped afterwards.

    Skips when ``GOVASSIST_TEST_POSTGRES_URL`` is unset; fails when it is set but unreachable. The
    engine's connections carry the schema's name as their ``application_name`` (see ``pg_stat_activity``).
    """
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set, so the PostgreSQL run is skipped (`make test` starts one)")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as error:
        admin.dispose()
        pytest.fail(f"{POSTGRES_ENV} is set but PostgreSQL cannot be reached: {error}")
    scoped = make_url(url).update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    engine = make_engine(scoped.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def database_engine(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of ``kind`` (``sqlite`` or ``postgresql``), removed afterwards."""
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'handoff-api.db'}")
        yield engine
        engine.dispose()
        return
    with fresh_postgres_schema() as engine:
        yield engine


def services_on(
    base: Services, engine: Engine, routing: RoutingHook | None = None, **settings: object
) -> Services:
    """``base`` (the shared, already indexed services) with its records on ``engine``."""
    from assistant.analytics.report import AnalyticsService
    from assistant.chat import ChatService
    from assistant.container import build_handoff
    from assistant.sessions import SessionStore

    configured = base.settings.model_copy(update=settings)
    store = SessionStore(engine)
    store.create_schema()
    handoff = build_handoff(configured, store, base.answerer, base.index, base.guides, routing)
    chat = ChatService(configured, store, base.answerer, base.guides, base.extractive.strength, handoff.chat)
    analytics = AnalyticsService(engine, base.index.tokenizer)
    analytics.create_schema()
    return replace(
        base,
        settings=configured,
        store=store,
        chat=chat,
        tickets=handoff.tickets,
        auth=handoff.auth,
        handoff=handoff.chat,
        assist=handoff.assist,
        ratings=handoff.ratings,
        analytics=analytics,
    )
