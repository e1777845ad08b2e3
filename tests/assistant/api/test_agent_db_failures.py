"""A database that goes away mid-request: the request fails cleanly (503), a retry succeeds, nothing is lost.

PostgreSQL (skipped without ``GOVASSIST_TEST_POSTGRES_URL``): the server-side backends of the app's
pooled connections are terminated with ``pg_terminate_backend`` from a second connection, once while a
request holds its connection in the middle of a transaction and once while the pool is idle. SQLite:
another process holds the write lock beyond the busy timeout. In both, every acknowledged write is in
the database exactly once afterwards. All people are made up.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select, text

from assistant.api.app import create_app
from assistant.components.database import make_engine, read_only
from assistant.container import Services
from assistant.handoff.lifecycle import Action
from assistant.handoff.models import TicketEventRow, TicketMessageRow, TicketRow
from tests.handoff_db import POSTGRES_ENV, fresh_postgres_schema, services_on

PASSWORD = "correct-horse-battery"
MARK = "（断线测试）"


def _client(base: Services, engine: Engine) -> tuple[Services, TestClient, dict[str, str]]:
    services = services_on(base, engine)
    services.auth.create_user("agent.wu", PASSWORD, "agent")
    client = TestClient(create_app(services=services, mount_ui=False))
    token = client.post("/api/agent/login", json={"username": "agent.wu", "password": PASSWORD}).json()
    return services, client, {"Authorization": f"Bearer {token['token']}"}


def _create(client: TestClient, auth: dict[str, str], n: int) -> Any:
    return client.post(
        "/api/agent/tickets",
        json={"question": f"来电咨询居住证办理{MARK}{n}"},
        headers={**auth, "Idempotency-Key": f"call-{n}"},
    )


def _counts(engine: Engine) -> dict[str, Any]:
    """What the database holds, read on a fresh connection."""
    with engine.connect() as db:
        questions = db.scalars(select(TicketRow.question).where(TicketRow.question.contains(MARK))).all()
        return {
            "questions": sorted(questions),
            "messages": db.scalar(select(func.count()).select_from(TicketMessageRow)),
            "events": dict(
                db.execute(select(TicketEventRow.action, func.count()).group_by(TicketEventRow.action)).all()
            ),
        }


class _Pause:
    """Holds the first matching statement of a request on its connection until ``act`` has run."""

    def __init__(self, engine: Engine, starts_with: str, act: Callable[[int], object]) -> None:
        self.starts_with, self.act, self.fired = starts_with, act, False
        self.engine = engine
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.fired or not statement.lstrip().upper().startswith(self.starts_with):
            return
        self.fired = True
        pid = connection.connection.dbapi_connection.info.backend_pid
        worker = threading.Thread(target=self.act, args=(pid,))
        worker.start()
        worker.join(30)  # the statement then runs on a connection whose backend is gone

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)


# ------------------------------------------------------------------------------------ PostgreSQL


@pytest.fixture
def postgres(chat_services: Services) -> Iterator[tuple[Services, TestClient, dict[str, str], Engine]]:
    with fresh_postgres_schema() as engine:
        services, client, auth = _client(chat_services, engine)
        with client:
            yield services, client, auth, engine


def _terminate(admin: Engine, where: str, **params: Any) -> int:
    """Terminate backends matching ``where`` and wait until they are gone; returns how many."""
    with admin.connect() as db:
        pids = db.scalars(text(f"SELECT pid FROM pg_stat_activity WHERE {where}"), params).all()
        for pid in pids:
            db.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid})
    return len(pids)


def test_postgres_backend_killed_mid_request_503_then_retry_and_pool_recover(
    postgres: tuple[Services, TestClient, dict[str, str], Engine],
) -> None:
    import os

    services, client, auth, engine = postgres
    admin = make_engine(os.environ[POSTGRES_ENV])
    try:
        acknowledged = [_create(client, auth, n).json()["id"] for n in range(3)]

        # 1. A ticket create whose backend dies between its read and its INSERT.
        pause = _Pause(engine, "INSERT INTO TICKETS", lambda pid: _terminate(admin, "pid = :p", p=pid))
        try:
            failed = _create(client, auth, 3)
        finally:
            pause.remove()
        assert pause.fired
        assert failed.status_code == 503, failed.text
        assert failed.headers["retry-after"] == "1" and "retry" in failed.json()["detail"]
        assert len(_counts(engine)["questions"]) == 3  # rolled back: nothing half-written
        retried = _create(client, auth, 3)
        assert retried.status_code == 201, retried.text
        acknowledged.append(retried.json()["id"])
        assert _create(client, auth, 3).json()["id"] == retried.json()["id"]  # a second retry: same ticket

        # 2. A claim whose backend dies inside its compare-and-set transaction.
        ticket = acknowledged[0]
        pause = _Pause(engine, "UPDATE TICKETS", lambda pid: _terminate(admin, "pid = :p", p=pid))
        try:
            claim = client.post(f"/api/agent/tickets/{ticket}/claim", headers=auth)
        finally:
            pause.remove()
        assert pause.fired and claim.status_code == 503, claim.text
        assert (
            client.get(f"/api/agent/tickets/{ticket}?suggest=false", headers=auth).json()["ticket"]["status"]
            == "待受理"
        )
        assert client.post(f"/api/agent/tickets/{ticket}/claim", headers=auth).status_code == 200

        # 3. Every pooled connection killed while idle: pool_pre_ping replaces them, no request fails.
        killed = _terminate(admin, "application_name = :app", app=engine.url.query["application_name"])
        assert killed >= 1
        for n in range(3):
            reply = client.post(
                f"/api/agent/tickets/{ticket}/reply",
                json={"body": f"您好，已为您登记（第{n}次答复）"},
                headers={**auth, "Idempotency-Key": f"reply-{n}"},
            )
            assert reply.status_code == 201, reply.text
        assert client.get("/api/agent/tickets", headers=auth).json()["total"] == 4

        # Nothing acknowledged lost, nothing duplicated.
        stored = _counts(engine)
        assert stored["questions"] == sorted(f"来电咨询居住证办理{MARK}{n}" for n in range(4))
        assert stored["messages"] == 3  # the audit trail too: one event per acknowledged action
        assert stored["events"] == {Action.CREATE: 4, Action.CLAIM: 1, Action.REPLY: 3}
        assert services.tickets.get(ticket).assignee == "agent.wu"
    finally:
        admin.dispose()


# ---------------------------------------------------------------------------------------- SQLite


@pytest.fixture
def sqlite_db(
    chat_services: Services, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, str], Engine, Path]]:
    path = tmp_path / "locked.db"
    engine = make_engine(f"sqlite:///{path}", sqlite_busy_timeout_s=0.2)
    _services, client, auth = _client(chat_services, engine)
    with client:
        yield client, auth, engine, path
    engine.dispose()


def test_sqlite_locked_beyond_busy_timeout_503_then_retry_writes_once(
    sqlite_db: tuple[TestClient, dict[str, str], Engine, Path],
) -> None:
    client, auth, engine, path = sqlite_db
    first = _create(client, auth, 0)
    assert first.status_code == 201

    other = sqlite3.connect(path, timeout=0, isolation_level=None)  # another process's writer
    other.execute("BEGIN IMMEDIATE")
    try:
        locked = _create(client, auth, 1)
        assert locked.status_code == 503, locked.text
        assert locked.headers["retry-after"] == "1"
        reply = client.post(
            f"/api/agent/tickets/{first.json()['id']}/reply",
            json={"body": "您好，已收到"},
            headers={**auth, "Idempotency-Key": "r-1"},
        )
        assert reply.status_code == 503
        listed = client.get("/api/agent/tickets", headers=auth)  # readers are not blocked (WAL)
        assert listed.status_code == 200 and listed.json()["total"] == 1
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert _create(client, auth, 1).status_code == 201
    assert _create(client, auth, 1).status_code == 201  # a retry of an acknowledged create: same ticket
    for _ in range(2):
        assert (
            client.post(
                f"/api/agent/tickets/{first.json()['id']}/reply",
                json={"body": "您好，已收到"},
                headers={**auth, "Idempotency-Key": "r-1"},
            ).status_code
            == 201
        )
    stored = _counts(engine)
    assert stored["questions"] == [f"来电咨询居住证办理{MARK}0", f"来电咨询居住证办理{MARK}1"]
    assert stored["messages"] == 1
    assert stored["events"] == {Action.CREATE: 2, Action.REPLY: 1}


def test_sqlite_engine_has_wal_and_the_busy_timeout_asked_for(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}", sqlite_busy_timeout_s=0.25)
    try:
        with engine.connect() as db:
            assert db.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert db.exec_driver_sql("PRAGMA busy_timeout").scalar() == 250
        assert read_only(engine) is engine  # the SQLite driver begins only before writes
    finally:
        engine.dispose()


def test_postgres_reads_run_in_autocommit_on_the_same_pool() -> None:
    with fresh_postgres_schema() as postgres:
        with read_only(postgres).connect() as db:
            assert db.connection.dbapi_connection.autocommit  # type: ignore[union-attr]
        with postgres.connect() as db:  # the same pool: the connection is back in a transaction mode
            assert not db.connection.dbapi_connection.autocommit  # type: ignore[union-attr]
