"""End to end over HTTP: a citizen is refused twice and handed off, an agent works the ticket, the
citizen sees the reply in their chat and rates the closed ticket; then the bot answers again.

On SQLite and (when ``GOVASSIST_TEST_POSTGRES_URL`` is set) PostgreSQL; the citizen and agent are made up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.container import Services
from tests.handoff_db import BACKENDS, database_engine, services_on

PASSWORD = "a-long-enough-password"
PHONE = "13655556666"  # made up


@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest, chat_services: Services, tmp_path: Path) -> Iterator[TestClient]:
    with database_engine(request.param, tmp_path) as engine:
        services = services_on(chat_services, engine)
        services.auth.create_user("agent.chen", PASSWORD, "agent", display_name="陈一")
        with TestClient(create_app(services=services, mount_ui=False)) as test_client:
            yield test_client


def test_refused_twice_handed_off_answered_by_an_agent_closed_and_rated(client: TestClient) -> None:
    # the citizen asks twice what the assistant cannot answer: the second refusal hands off
    first = client.post("/api/chat", json={"message": f"量子色动力学的夸克禁闭，我电话{PHONE}"}).json()
    assert first["outcome"] == "refused"
    session_id = first["session_id"]
    second = client.post(
        "/api/chat", json={"message": "暗物质是由什么组成的", "session_id": session_id}
    ).json()
    assert second["outcome"] == "handoff" and second["handoff"]["reason"] == "repeated_refusals"
    ticket_id = second["handoff"]["ticket_id"]
    waiting = client.post("/api/chat", json={"message": "还有人吗", "session_id": session_id}).json()
    assert waiting["outcome"] == "handoff" and waiting["reason"] == "awaiting_agent"

    # an agent logs in, finds the ticket in the queue, claims it and replies
    token = client.post("/api/agent/login", json={"username": "agent.chen", "password": PASSWORD}).json()
    agent = {"Authorization": f"Bearer {token['token']}"}
    queue = client.get("/api/agent/tickets", params={"status": "待受理"}, headers=agent).json()
    assert [t["id"] for t in queue["items"]] == [ticket_id]
    detail = client.get(f"/api/agent/tickets/{ticket_id}", headers=agent).json()
    assert PHONE not in str(detail["transcript"]) and len(detail["transcript"]) == 3
    assert [m["body"] for m in detail["messages"] if m["kind"] == "citizen"] == ["还有人吗"]
    assert client.post(f"/api/agent/tickets/{ticket_id}/claim", headers=agent).status_code == 200
    reply_text = "您好，这类问题不属于政务服务范围，建议咨询相关科研机构。"
    sent = client.post(
        f"/api/agent/tickets/{ticket_id}/reply",
        json={"body": reply_text},
        headers={**agent, "Idempotency-Key": "e2e-reply-1"},
    )
    assert sent.status_code == 201

    # the citizen sees the reply on the ticket and in the session's messages
    view = client.get(f"/api/sessions/{session_id}/ticket").json()
    assert (view["status"], [r["body"] for r in view["replies"]]) == ("已受理", [reply_text])
    messages = client.get(f"/api/sessions/{session_id}/messages").json()
    assert [m["content"] for m in messages if m["role"] == "agent"] == [reply_text]

    # the agent works the ticket to 办结; the citizen can rate it only then
    rating = {"session_id": session_id, "rating": "好", "reason": "答复清楚", "comment": "谢谢"}
    assert client.post(f"/api/tickets/{ticket_id}/rating", json=rating).status_code == 409
    for step, body in (("start", None), ("respond", {"note": "已答复"}), ("close", {"resolution": "已解答"})):
        response = client.post(f"/api/agent/tickets/{ticket_id}/{step}", json=body, headers=agent)
        assert response.status_code == 200, response.text
    view = client.get(f"/api/sessions/{session_id}/ticket").json()
    assert (view["status_code"], view["resolution"]) == ("closed", "已解答")
    rated = client.post(f"/api/tickets/{ticket_id}/rating", json=rating)
    assert rated.status_code == 200 and rated.json()["rating"] == "好"

    # the ticket is closed: the assistant answers in the session again
    again = client.post("/api/chat", json={"message": "什么是跨省通办？", "session_id": session_id}).json()
    assert again["outcome"] == "answered" and again["citations"]
    late = client.post(f"/api/agent/tickets/{ticket_id}/reply", json={"body": "补充"}, headers=agent)
    assert late.status_code == 409 and "已办结" in late.json()["detail"]
