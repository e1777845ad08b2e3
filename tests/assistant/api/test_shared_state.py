"""Two app instances (two machines: their own services, engine, rate limiter and data folder) sharing
only a database — a SQLite file, or PostgreSQL (skipped without ``GOVASSIST_TEST_POSTGRES_URL``, like the
other PostgreSQL tests): the rate limit holds across both, a pre-review upload made through one is
deleted and swept through the other, and a staff log-in on one is honoured (and ended) by the other.
Every one of these fails with per-process state (in-memory buckets, uploads on the local disk)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.components.database import make_engine
from assistant.container import Services, build_prereview, build_services
from assistant.prereview.db_storage import DatabaseUploadStore
from assistant.settings import Settings
from tests.handoff_db import BACKENDS, database_engine, services_on

CHAT_LIMIT = 3
PASSWORD = "Zhanghu-2026-demo"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("shared-base"),
        embedding_mode="hash",
        index_guides=False,
    )
    built = build_services(settings, ensure_index=True)
    yield built
    built.close()


@pytest.fixture(params=BACKENDS)
def machines(request: pytest.FixtureRequest, base: Services, tmp_path: Path) -> Iterator[list[TestClient]]:
    """Two apps on one database, each with its own engine (connection pool) and data folder."""
    with database_engine(request.param, tmp_path) as first, ExitStack() as stack:
        url = first.url.render_as_string(hide_password=False)
        clients = []
        for name, engine in (("a", first), ("b", make_engine(url))):
            options = {
                "database_url": url,
                "data_dir": tmp_path / name,
                "shared_state_store": "database",
                "rate_limit_exempt_hosts": [],
                "rate_limit_chat_per_minute": CHAT_LIMIT,
            }
            machine = services_on(base, engine, None, **options)
            assert base.guides is not None
            machine = replace(machine, prereview=build_prereview(machine.settings, base.guides, engine))
            clients.append(stack.enter_context(TestClient(create_app(services=machine, mount_ui=False))))
            if name == "b":
                stack.callback(engine.dispose)
        yield clients


def test_the_rate_limit_holds_across_instances(machines: list[TestClient]) -> None:
    a, b = machines
    statuses = [
        client.post("/api/chat", json={"message": "你好"}).status_code for client in (a, b, a, b, a, b)
    ]
    assert statuses[:CHAT_LIMIT] == [200] * CHAT_LIMIT
    assert statuses[CHAT_LIMIT:] == [429] * (6 - CHAT_LIMIT)  # whichever instance gets it
    refused = b.post("/api/chat", json={"message": "你好"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("出生医学证明 新生儿姓名：李小满 出生日期：2026年10月3日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload_store(client: TestClient) -> DatabaseUploadStore:
    prereview = client.app.state.services.prereview  # type: ignore[attr-defined]
    assert isinstance(prereview.store, DatabaseUploadStore)
    return prereview.store


def test_an_upload_through_one_is_deleted_and_swept_through_the_other(machines: list[TestClient]) -> None:
    a, b = machines
    files = [("files", ("出生医学证明.docx", docx_bytes()))]
    data = {"service_id": "yjs-newborn", "answers": json.dumps({})}
    made = []
    for _ in range(2):
        response = a.post("/api/prereview", data=data, files=files)
        assert response.status_code == 200, response.text
        made.append(response.json()["review_id"])
    store_a, store_b = upload_store(a), upload_store(b)
    assert all(store_b.exists(review) for review in made)
    assert not any(store_a.scratch_root.glob("*/*"))  # no copy left on machine a's disk
    assert b.delete(f"/api/prereview/{made[0]}").status_code == 204
    assert not store_a.exists(made[0])
    assert a.delete(f"/api/prereview/{made[0]}").status_code == 404
    assert store_b.sweep(datetime.now(UTC) + timedelta(hours=25)) == 1  # machine b's sweep, a's upload
    assert a.delete(f"/api/prereview/{made[1]}").status_code == 404


def test_a_staff_login_on_one_is_honoured_by_the_other(machines: list[TestClient]) -> None:
    a, b = machines
    a.app.state.services.auth.create_user("agent.chen", PASSWORD, "agent")  # type: ignore[attr-defined]
    login = a.post("/api/agent/login", json={"username": "agent.chen", "password": PASSWORD})
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    assert b.get("/api/agent/me", headers=headers).json()["username"] == "agent.chen"
    assert b.get("/api/agent/tickets", headers=headers).status_code == 200
    assert b.post("/api/agent/logout", headers=headers).status_code == 200
    assert a.get("/api/agent/me", headers=headers).status_code == 401  # logged out everywhere


def test_log_in_failures_on_both_count_towards_one_lock_out(machines: list[TestClient]) -> None:
    a, b = machines
    a.app.state.services.auth.create_user("agent.zhou", PASSWORD, "agent")  # type: ignore[attr-defined]
    limit = a.app.state.services.settings.staff_login_max_failures  # type: ignore[attr-defined]
    for attempt in range(limit):
        client = (a, b)[attempt % 2]
        wrong = client.post("/api/agent/login", json={"username": "agent.zhou", "password": "wrong-password"})
        assert wrong.status_code == 401
    locked = b.post("/api/agent/login", json={"username": "agent.zhou", "password": PASSWORD})
    assert locked.status_code == 401 and "too many failed log-ins" in locked.text  # the right password too
