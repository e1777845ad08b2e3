"""The security middleware as wired by ``create_app``: headers, 429, 403 and 413 on the real routes,
the mounted Gradio pages included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.security_headers import API_CSP, PAGE_CSP
from assistant.container import Services
from tests.handoff_db import database_engine, services_on

PASSWORD = "correct-horse-battery"


@pytest.fixture
def services(chat_services: Services, tmp_path: Path) -> Iterator[Services]:
    with database_engine("sqlite", tmp_path) as engine:
        built = services_on(
            chat_services, engine, rate_limit_chat_per_minute=3, rate_limit_login_per_minute=2
        )
        built.auth.create_user("agent.zhao", PASSWORD, "agent")
        yield built


def test_api_routes_carry_the_headers_and_the_limits(services: Services) -> None:
    with TestClient(create_app(services=services, mount_ui=False)) as client:
        health = client.get("/api/health")
        assert health.status_code == 200
        assert health.headers["content-security-policy"] == API_CSP
        assert health.headers["x-content-type-options"] == "nosniff"

        chats = [client.post("/api/chat", json={"message": "我要转人工"}) for _ in range(4)]
        assert [r.status_code for r in chats] == [200, 200, 200, 429]
        assert int(chats[-1].headers["retry-after"]) > 0
        assert chats[-1].headers["x-frame-options"] == "SAMEORIGIN"  # the 429 is dressed too

        evil = {"Origin": "https://evil.example.com"}
        login = {"username": "agent.zhao", "password": PASSWORD}
        assert client.post("/api/agent/login", json=login, headers=evil).status_code == 403
        ok = client.post("/api/agent/login", json=login)
        assert ok.status_code == 200 and ok.headers["cache-control"] == "no-store"
        assert client.post("/api/agent/login", json=login).status_code == 429  # 2 a minute (403 counted)

        big = "字" * 400_000  # 1.2 MB of UTF-8: over the 1 MB default body limit
        oversized = client.post("/api/services/any/checklist", json={"answers": {"q": big}})
        assert oversized.status_code == 413 and oversized.headers["x-content-type-options"] == "nosniff"


def test_gradio_pages_carry_the_page_policy_and_their_posts_are_limited(services: Services) -> None:
    with TestClient(create_app(services=services, mount_ui=True)) as client:
        for path in ("/", "/agent/", "/admin/"):
            page = client.get(path)
            assert page.status_code == 200 and page.headers["content-security-policy"] == PAGE_CSP, path
        oversized = client.post("/agent/gradio_api/queue/join", content=b"x" * 1_100_000)
        assert oversized.status_code == 413
        forged = client.post(
            "/admin/gradio_api/queue/join", json={}, headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert forged.status_code == 403
        joins = [client.post("/gradio_api/queue/join", json={}).status_code for _ in range(4)]
        assert joins[-1] == 429 and 429 not in joins[:3]
