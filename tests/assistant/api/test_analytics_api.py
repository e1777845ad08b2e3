"""The analytics router on a bare FastAPI app: JSON endpoints, date checks, CSV download."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.analytics.feedback import create_schema, record_answer_feedback
from assistant.analytics.report import AnalyticsService
from assistant.api import analytics_router
from assistant.components.database import make_engine
from assistant.lexicon import load_lexicon
from assistant.sessions import SessionStore
from assistant.settings import Settings
from assistant.tokenization import ChineseTokenizer

NOW = datetime(2026, 3, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('api') / 'analytics.db'}")
    store = SessionStore(engine)
    store.create_schema()
    create_schema(engine)
    for question, outcome, reason in (
        ("社保断缴怎么补缴", "refused", "no_evidence"),
        ("身份证怎么补领", "answered", ""),
    ):
        state = store.start_turn(None, question)
        message = store.add_message(
            state.id,
            "assistant",
            "……",
            outcome=outcome,
            reason=reason,
            citations=[{"doc_id": "d1", "title": "指南", "section": "材料"}],
        )
    store.rate_message(message.id, "bad")
    record_answer_feedback(engine, message.id, "差", "答非所问")
    tokenizer = ChineseTokenizer(load_lexicon(Settings(_env_file=None).lexicon_dir))  # type: ignore[call-arg]
    app = FastAPI()
    app.state.analytics = AnalyticsService(engine, tokenizer, clock=lambda: NOW)
    app.include_router(analytics_router.router)
    with TestClient(app) as test_client:
        yield test_client
    engine.dispose()


def test_summary(client: TestClient) -> None:
    body = client.get("/api/analytics/summary").json()
    assert (body["questions"], body["answered"], body["refused"], body["answers_bad"]) == (2, 1, 1, 1)
    assert body["since"] is None and body["answer_satisfaction"] == 0.0


@pytest.mark.parametrize(
    "path",
    [
        "unanswered-topics",
        "worst-answers",
        "worst-sources",
        "handoff-reasons",
        "feedback-reasons",
        "sla",
        "trends",
    ],
)
def test_every_endpoint_answers(client: TestClient, path: str) -> None:
    response = client.get(f"/api/analytics/{path}", params={"limit": 5})
    assert response.status_code == 200, response.text


def test_worst_answers_and_topics(client: TestClient) -> None:
    worst = client.get("/api/analytics/worst-answers").json()
    assert worst[0]["question"] == "身份证怎么补领" and worst[0]["feedback_reason"] == "答非所问"
    assert worst[0]["sources"] == [{"doc_id": "d1", "title": "指南", "section": "材料"}]
    topics = client.get("/api/analytics/unanswered-topics").json()
    assert topics[0]["count"] == 1 and topics[0]["examples"] == ["社保断缴怎么补缴"]


def test_a_future_period_is_empty(client: TestClient) -> None:
    body = client.get("/api/analytics/summary", params={"since": "2099-01-01", "until": "2099-01-02"}).json()
    assert body["questions"] == 0 and body["since"] == "2099-01-01"
    trends = client.get("/api/analytics/trends", params={"since": "2099-01-01", "until": "2099-01-02"}).json()
    assert [d["questions"] for d in trends] == [0, 0]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2026-02-30"}, "since"),
        ({"until": "next week"}, "until"),
        ({"since": "2026-03-05", "until": "2026-03-01"}, "after"),
    ],
)
def test_bad_dates_are_422_with_a_clear_message(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    for path in ("/api/analytics/summary", "/api/analytics/export/trends.csv"):
        response = client.get(path, params=params)
        assert response.status_code == 422
        assert message in response.json()["detail"]


def test_limit_is_bounded(client: TestClient) -> None:
    assert client.get("/api/analytics/worst-answers", params={"limit": 0}).status_code == 422


def test_csv_export(client: TestClient) -> None:
    response = client.get("/api/analytics/export/worst_answers.csv", params={"since": "2026-01-01"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="worst_answers_2026-01-01_now.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["feedback_reason"] == "答非所问" and rows[0]["sources"] == "指南 · 材料"
    plain = client.get("/api/analytics/export/summary.csv")
    assert 'filename="summary.csv"' in plain.headers["content-disposition"]


def test_unknown_table_is_404(client: TestClient) -> None:
    response = client.get("/api/analytics/export/secrets.csv")
    assert response.status_code == 404 and "summary" in response.json()["detail"]


def test_without_a_service_the_router_answers_503(tmp_path: Path) -> None:
    app = FastAPI()
    app.include_router(analytics_router.router)
    with TestClient(app) as bare:
        assert bare.get("/api/analytics/summary").status_code == 503


def test_service_is_found_on_the_services_container(client: TestClient) -> None:
    service = client.app.state.analytics  # type: ignore[attr-defined]
    app = FastAPI()
    app.state.services = type("Services", (), {"analytics": service})()
    app.include_router(analytics_router.router)
    with TestClient(app) as other:
        assert other.get("/api/analytics/summary").json()["questions"] == 2
