"""The agent workspace over HTTP: auth and roles, the queue, lifecycle, idempotency, SLA breaches.

Every test runs on SQLite and, when ``GOVASSIST_TEST_POSTGRES_URL`` is set, on PostgreSQL. The index is
the shared one of ``chat_services`` (bundled policies, hash embeddings); the records live on a fresh
database per test. All people and phone numbers are made up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.api.app import create_app
from assistant.container import Services
from assistant.handoff.models import TicketEventRow
from assistant.handoff.triage import RoutingHint
from tests.handoff_db import BACKENDS, database_engine, services_on

PASSWORD = "correct-horse-battery"
PHONE = "13912345678"  # made up


def fake_routing(text: str) -> RoutingHint | None:
    return RoutingHint("市人力资源和社会保障局", None, 0.9, 0.0) if "社保" in text else None


@pytest.fixture(params=BACKENDS)
def services(request: pytest.FixtureRequest, chat_services: Services, tmp_path: Path) -> Iterator[Services]:
    with database_engine(request.param, tmp_path) as engine:
        built = services_on(
            chat_services,
            engine,
            fake_routing,
            handoff_accept_sla_hours={"urgent": 0.0, "high": 1.0, "normal": 2.0, "low": 4.0},
            handoff_max_text_chars=500,
        )
        for name, role in (("agent.zhao", "agent"), ("agent.qian", "agent"), ("lead.sun", "supervisor")):
            built.auth.create_user(name, PASSWORD, role, display_name=name)
        yield built


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=services, mount_ui=False)) as test_client:
        yield test_client


def login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/agent/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def handed_off(client: TestClient, message: str = "我要转人工") -> dict[str, Any]:
    body = client.post("/api/chat", json={"message": message}).json()
    assert body["outcome"] == "handoff", body
    return dict(body)


def phone_ticket(client: TestClient, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = client.post("/api/agent/tickets", json={"question": "来电咨询", **fields}, headers=auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


# -------------------------------------------------------------------------------------- auth


def test_login_me_and_logout(client: TestClient) -> None:
    wrong = client.post("/api/agent/login", json={"username": "agent.zhao", "password": "nope-nope-nope"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "wrong username or password"
    unknown = client.post("/api/agent/login", json={"username": "ghost", "password": PASSWORD})
    assert unknown.status_code == 401 and unknown.json()["detail"] == wrong.json()["detail"]

    body = client.post("/api/agent/login", json={"username": "Agent.Zhao", "password": PASSWORD}).json()
    assert body["role"] == "agent" and body["token_type"] == "bearer" and body["expires_at"]
    auth = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/agent/me", headers=auth).json()["username"] == "agent.zhao"
    assert client.post("/api/agent/logout", headers=auth).json() == {"logged_out": True}
    after = client.get("/api/agent/me", headers=auth)
    assert after.status_code == 401 and after.headers["www-authenticate"] == "Bearer"
    missing = client.get("/api/agent/me")
    assert missing.status_code == 401 and "Bearer" in missing.json()["detail"]


def test_unauthenticated_and_wrong_role_requests_change_nothing(
    client: TestClient, services: Services
) -> None:
    ticket_id = handed_off(client)["handoff"]["ticket_id"]
    for headers in ({}, {"Authorization": "Bearer gst_forged"}, {"Authorization": "Basic YTpi"}):
        assert client.post(f"/api/agent/tickets/{ticket_id}/claim", headers=headers).status_code == 401
        assert (
            client.post(
                f"/api/agent/tickets/{ticket_id}/reply", json={"body": "x"}, headers=headers
            ).status_code
            == 401
        )
        assert client.get("/api/agent/tickets", headers=headers).status_code == 401
    agent = login(client, "agent.zhao")
    denied = client.get("/api/agent/sla-breaches", headers=agent)
    assert denied.status_code == 403 and "supervisor" in denied.json()["detail"]
    ticket = services.tickets.get(ticket_id)
    assert ticket.status.value == "待受理" and ticket.assignee is None and ticket.version == 1
    assert services.tickets.messages(ticket_id) == []
    with services.tickets.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(TicketEventRow)) == 1  # only 创建


# ---------------------------------------------------------------------------- queue and detail


def test_queue_filters_and_pages(client: TestClient) -> None:
    zhao, qian = login(client, "agent.zhao"), login(client, "agent.qian")
    chat_ticket = handed_off(client)["handoff"]["ticket_id"]
    complaint = phone_ticket(client, zhao, category="投诉", priority="high", department="市市场监管局")
    social = phone_ticket(client, zhao, question="灵活就业社保怎么交")  # department from routing
    assert social["department"] == "市人力资源和社会保障局" and social["source"] == "phone"
    client.post(f"/api/agent/tickets/{complaint['id']}/claim", headers=zhao)

    def ids(**params: Any) -> list[str]:
        response = client.get("/api/agent/tickets", params=params, headers=qian)
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["items"]]

    assert set(ids()) == {chat_ticket, complaint["id"], social["id"]}
    assert ids()[0] == complaint["id"]  # high priority first
    assert ids(category="投诉") == [complaint["id"]]
    assert ids(priority="high") == ids(priority="2") == [complaint["id"]]
    assert ids(department="市市场监管局") == [complaint["id"]]
    assert ids(status="已受理") == ids(assignee="agent.zhao") == [complaint["id"]]
    assert set(ids(status=["待受理", "已受理"])) == {chat_ticket, complaint["id"], social["id"]}
    assert set(ids(unassigned=True)) == {chat_ticket, social["id"]}
    assert ids(mine=True) == []
    mine = client.get("/api/agent/tickets", params={"mine": True}, headers=zhao).json()["items"]
    assert [t["id"] for t in mine] == [complaint["id"]]
    assert ids(sla_breached=True) == []
    page = client.get("/api/agent/tickets", params={"page": 2, "page_size": 2}, headers=qian).json()
    assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 1)
    assert client.get("/api/agent/tickets", params={"category": "闲聊"}, headers=qian).status_code == 422
    assert client.get("/api/agent/tickets", params={"page_size": 999}, headers=qian).status_code == 422


def test_ticket_detail_has_transcript_messages_events_actions_and_suggestions(client: TestClient) -> None:
    agent = login(client, "agent.zhao")
    first = client.post("/api/chat", json={"message": "什么是跨省通办？"}).json()
    handed = client.post("/api/chat/handoff", json={"session_id": first["session_id"]}).json()
    ticket_id = handed["handoff"]["ticket_id"]
    client.post(
        f"/api/agent/tickets/{ticket_id}/note", json={"body": f"市民来电两次，回电{PHONE}"}, headers=agent
    )
    detail = client.get(f"/api/agent/tickets/{ticket_id}", headers=agent).json()
    assert detail["ticket"]["source"] == "button" and detail["ticket"]["status_code"] == "pending"
    assert [m["role"] for m in detail["transcript"]] == ["user", "assistant"]
    assert PHONE not in str(detail)  # masked everywhere
    assert [m["kind"] for m in detail["messages"]] == ["note"]
    assert [e["action"] for e in detail["events"]] == ["创建", "备注"]
    assert detail["allowed_actions"] == ["claim", "transfer", "reply", "note"]
    (suggestion,) = detail["suggestions"]
    assert suggestion["outcome"] == "answered" and suggestion["citations"]
    assert "[1]" in suggestion["answer"] and suggestion["suggestion_id"].startswith("sg_")
    quick = client.get(f"/api/agent/tickets/{ticket_id}", params={"suggest": False}, headers=agent).json()
    assert quick["suggestions"] == [] and quick["events"] == detail["events"]
    apart = client.get(f"/api/agent/tickets/{ticket_id}/suggestions", headers=agent)
    assert apart.status_code == 200 and apart.json() == detail["suggestions"]
    assert client.get("/api/agent/tickets/tk_unknown/suggestions", headers=agent).status_code == 404
    assert client.get(f"/api/agent/tickets/{ticket_id}/suggestions").status_code == 401
    assert client.get("/api/agent/tickets/tk_nope", headers=agent).status_code == 404


# ----------------------------------------------------------------------------------- lifecycle


def test_the_lifecycle_and_its_errors_over_http(client: TestClient, services: Services) -> None:
    zhao, qian = login(client, "agent.zhao"), login(client, "agent.qian")
    chat = handed_off(client)
    ticket_id, session_id = chat["handoff"]["ticket_id"], chat["session_id"]
    url = f"/api/agent/tickets/{ticket_id}"

    assert client.post(f"{url}/claim", headers=zhao).json()["status"] == "已受理"
    lost = client.post(f"{url}/claim", headers=qian)
    assert lost.status_code == 409 and "agent.zhao" in lost.json()["detail"]
    early = client.post(f"{url}/close", json={"resolution": "已解答"}, headers=zhao)
    assert early.status_code == 409 and "已受理" in early.json()["detail"]
    too_long = client.post(f"{url}/reply", json={"body": "长" * 501}, headers=zhao)
    assert too_long.status_code == 413 and "500" in too_long.json()["detail"]
    assert client.post(f"{url}/reply", json={"body": ""}, headers=zhao).status_code == 422
    assert client.post("/api/agent/tickets/tk_nope/claim", headers=zhao).status_code == 404

    assert client.post(f"{url}/start", headers=zhao).json()["status"] == "办理中"
    sent = client.post(f"{url}/reply", json={"body": f"您好，请拨打{PHONE}咨询"}, headers=zhao)
    assert sent.status_code == 201 and PHONE not in sent.json()["body"]
    transferred = client.post(
        f"{url}/transfer", json={"department": "区政务服务中心", "note": "需窗口核实"}, headers=zhao
    ).json()
    assert (transferred["status"], transferred["department"], transferred["assignee"]) == (
        "已转办",
        "区政务服务中心",
        None,
    )
    assert client.post(f"{url}/start", headers=qian).json()["assignee"] == "agent.qian"
    assert (
        client.post(f"{url}/respond", json={"note": "已电话告知"}, headers=qian).json()["status"] == "已反馈"
    )
    closed = client.post(f"{url}/close", json={"resolution": "已告知办理渠道"}, headers=qian).json()
    assert closed["status"] == "已办结" and closed["status_code"] == "closed"

    refused = client.post(f"{url}/reply", json={"body": "补充一句"}, headers=qian)
    assert refused.status_code == 409 and "已办结" in refused.json()["detail"]
    assert client.post(f"{url}/note", json={"body": "归档"}, headers=qian).status_code == 201
    assert (
        client.post(f"{url}/revisit", json={"satisfaction": "满意"}, headers=qian).json()["satisfaction"]
        == "满意"
    )
    reopened = client.post(f"{url}/reopen", json={"reason": "市民再次来电"}, headers=qian).json()
    assert reopened["status"] == "办理中"

    # the reply and the closure reached the citizen's session
    session = client.get(f"/api/sessions/{session_id}/messages").json()
    agent_lines = [m["content"] for m in session if m["role"] == "agent"]
    assert agent_lines[0] == sent.json()["body"] and "已办结" in agent_lines[1]


def test_idempotency_keys_over_http(client: TestClient, services: Services) -> None:
    zhao, qian = login(client, "agent.zhao"), login(client, "agent.qian")
    key = {"Idempotency-Key": "call-2026-03-02-0007"}
    first = phone_ticket(client, {**zhao, **key}, question="来电：营业执照遗失怎么补办")
    again = phone_ticket(client, {**zhao, **key}, question="来电：营业执照遗失怎么补办")
    other_agent = phone_ticket(client, {**qian, **key}, question="来电：营业执照遗失怎么补办")
    assert first["id"] == again["id"] != other_agent["id"]
    assert client.get("/api/agent/tickets", headers=zhao).json()["total"] == 2

    chat = handed_off(client)
    ticket_id, session_id = chat["handoff"]["ticket_id"], chat["session_id"]
    client.post(f"/api/agent/tickets/{ticket_id}/claim", headers=zhao)
    reply_key = {**zhao, "Idempotency-Key": "reply-1"}
    one = client.post(
        f"/api/agent/tickets/{ticket_id}/reply", json={"body": "您好"}, headers=reply_key
    ).json()
    two = client.post(
        f"/api/agent/tickets/{ticket_id}/reply", json={"body": "您好"}, headers=reply_key
    ).json()
    assert one["id"] == two["id"]
    assert len(services.tickets.messages(ticket_id)) == 1
    session = client.get(f"/api/sessions/{session_id}/messages").json()
    assert [m["content"] for m in session if m["role"] == "agent"] == ["您好"]
    long_key = {**zhao, "Idempotency-Key": "k" * 129}
    assert client.post("/api/agent/tickets", json={"question": "x"}, headers=long_key).status_code == 422


def test_sla_breaches_are_for_supervisors(client: TestClient) -> None:
    agent, lead = login(client, "agent.zhao"), login(client, "lead.sun")
    urgent = phone_ticket(client, agent, question="来电：燃气泄漏", priority="urgent")  # 0 h to accept
    normal = phone_ticket(client, agent)
    assert client.get("/api/agent/sla-breaches", headers=agent).status_code == 403
    breaches = client.get("/api/agent/sla-breaches", headers=lead).json()
    assert [t["id"] for t in breaches["items"]] == [urgent["id"]] and breaches["items"][0]["sla_breached"]
    flagged = client.get("/api/agent/tickets", params={"sla_breached": False}, headers=agent).json()
    assert [t["id"] for t in flagged["items"]] == [normal["id"]]


# ------------------------------------------------------------------------------ citizen and assist


def test_the_citizen_sees_status_and_replies_and_rates_once_closed(client: TestClient) -> None:
    agent = login(client, "agent.zhao")
    chat = handed_off(client)
    ticket_id, session_id = chat["handoff"]["ticket_id"], chat["session_id"]
    assert client.get("/api/sessions/s_nope/ticket").status_code == 404
    view = client.get(f"/api/sessions/{session_id}/ticket").json()
    assert (view["ticket_id"], view["status"], view["status_code"]) == (ticket_id, "待受理", "pending")
    assert view["due_at"] and view["replies"] == []

    url = f"/api/agent/tickets/{ticket_id}"
    client.post(f"{url}/claim", headers=agent)
    client.post(f"{url}/note", json={"body": "内部：疑似重复来电"}, headers=agent)
    client.post(f"{url}/reply", json={"body": "您好，我是12345的工作人员"}, headers=agent)
    view = client.get(f"/api/sessions/{session_id}/ticket").json()
    assert [r["body"] for r in view["replies"]] == ["您好，我是12345的工作人员"]  # never the note

    rating = {"session_id": session_id, "rating": "好", "reason": "解决及时", "comment": f"回电{PHONE}"}
    assert client.post(f"/api/tickets/{ticket_id}/rating", json=rating).status_code == 409
    client.post(f"{url}/start", headers=agent)
    client.post(f"{url}/respond", headers=agent, json={})
    client.post(f"{url}/close", json={"resolution": "已解答"}, headers=agent)
    assert (
        client.post(f"/api/tickets/{ticket_id}/rating", json={**rating, "session_id": "s_other"}).status_code
        == 403
    )
    assert client.post("/api/tickets/tk_nope/rating", json=rating).status_code == 404
    assert client.post(f"/api/tickets/{ticket_id}/rating", json={**rating, "rating": "中"}).status_code == 422
    stored = client.post(f"/api/tickets/{ticket_id}/rating", json=rating).json()
    assert stored["rating"] == "好" and PHONE not in stored["comment"]
    changed = client.post(f"/api/tickets/{ticket_id}/rating", json={**rating, "rating": "差"}).json()
    assert changed["id"] == stored["id"] and changed["rating"] == "差"
    view = client.get(f"/api/sessions/{session_id}/ticket").json()
    assert view["status"] == "已办结" and view["resolution"] == "已解答"


def test_assist_for_free_text_and_suggestion_feedback(client: TestClient, services: Services) -> None:
    agent = login(client, "agent.zhao")
    assert client.post("/api/agent/assist", json={"text": "什么是跨省通办"}).status_code == 401
    suggestion = client.post("/api/agent/assist", json={"text": "什么是跨省通办"}, headers=agent).json()
    assert suggestion["outcome"] == "answered" and suggestion["citations"] and suggestion["ticket_id"] is None
    assert client.post("/api/agent/assist", json={"text": "问" * 2001}, headers=agent).status_code == 413
    social = client.post("/api/agent/assist", json={"text": "社保断缴怎么办"}, headers=agent).json()
    assert social["routing"]["department"] == "市人力资源和社会保障局"

    ticket = phone_ticket(client, agent, question="来电：什么是跨省通办")
    url = f"/api/agent/tickets/{ticket['id']}/suggestion-feedback"
    used = client.post(
        url, json={"suggestion_id": suggestion["suggestion_id"], "action": "used"}, headers=agent
    )
    assert used.status_code == 201 and used.json()["action"] == "used"
    unknown = client.post(url, json={"suggestion_id": "sg_nope", "action": "used"}, headers=agent)
    assert unknown.status_code == 404
    assert client.post(url, json={"suggestion_id": "x", "action": "liked"}, headers=agent).status_code == 422
    missing_ticket = "/api/agent/tickets/tk_nope/suggestion-feedback"
    body = {"suggestion_id": suggestion["suggestion_id"], "action": "discarded"}
    assert client.post(missing_ticket, json=body, headers=agent).status_code == 404
    assert [f.action.value for f in services.assist.store.feedback(ticket["id"])] == ["used"]


def test_staff_added_with_the_cli_can_log_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.components.database import make_engine
    from assistant.handoff.auth import AuthService
    from assistant.settings import Settings

    monkeypatch.setenv("GOVASSIST_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    added = runner.invoke(
        app, ["staff", "add", "lead.li", "--role", "supervisor", "--password-stdin"], input=f"{PASSWORD}\n"
    )
    assert added.exit_code == 0, added.output
    assert "supervisor lead.li" in added.output
    again = runner.invoke(app, ["staff", "add", "lead.li", "--password-stdin"], input=f"{PASSWORD}\n")
    assert again.exit_code == 1 and "already exists" in again.output
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]
    engine = make_engine(settings.resolved_database_url)
    try:
        assert AuthService(engine, settings).login("lead.li", PASSWORD).user.role.value == "supervisor"
    finally:
        engine.dispose()


def test_a_dropped_database_connection_answers_503(
    client: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    agent = login(client, "agent.zhao")

    def dropped(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionResetError("server closed the connection"))

    monkeypatch.setattr(services.tickets, "list_queue", dropped)
    response = client.get("/api/agent/tickets", headers=agent)
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    monkeypatch.undo()
    assert client.get("/api/agent/tickets", headers=agent).status_code == 200


# -------------------------------------------------------------------------------------- analytics


def test_analytics_is_for_supervisors_and_counts_rated_answers(client: TestClient) -> None:
    answered = client.post("/api/chat", json={"message": "一网通办是什么"}).json()
    assert answered["outcome"] == "answered"
    bad_reason = client.post(
        f"/api/messages/{answered['message_id']}/rating", json={"rating": "bad", "reason": "不存在的原因"}
    )
    assert bad_reason.status_code == 422
    rated = client.post(
        f"/api/messages/{answered['message_id']}/rating",
        json={"rating": "bad", "reason": "答非所问", "comment": f"请打{PHONE}联系我"},
    )
    assert rated.status_code == 200, rated.text

    assert client.get("/api/analytics/summary").status_code == 401
    assert client.get("/api/analytics/summary", headers=login(client, "agent.zhao")).status_code == 403
    lead = login(client, "lead.sun")
    summary = client.get("/api/analytics/summary", headers=lead)
    assert summary.status_code == 200, summary.text
    reasons = client.get("/api/analytics/feedback-reasons", headers=lead).json()
    assert "答非所问" in str(reasons)
    exported = client.get("/api/analytics/export/worst_answers.csv", headers=lead)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert PHONE not in exported.text
