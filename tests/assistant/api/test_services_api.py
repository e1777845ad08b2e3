"""智能导办 over HTTP: catalogue search, item lookup, checklist, errors; and the flow in /api/chat."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.container import build_services
from assistant.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("services-api")
    settings = Settings(_env_file=None, data_dir=data, embedding_mode="hash", index_guides=True)  # type: ignore[call-arg]
    services = build_services(settings, ensure_index=True)
    with TestClient(create_app(services=services, mount_ui=False)) as test_client:
        yield test_client
    services.close()


def test_search_the_whole_catalogue(client: TestClient) -> None:
    hits = client.get("/api/services", params={"q": "执业药师首次注册要什么材料", "limit": 3}).json()
    assert hits and hits[0]["id"].startswith("gd-") and "执业药师" in hits[0]["name"]
    assert set(hits[0]) == {"id", "name", "kind", "department", "region", "score"}


def test_search_needs_a_query(client: TestClient) -> None:
    assert client.get("/api/services").status_code == 422
    assert client.get("/api/services", params={"q": "   "}).status_code == 422


def test_get_one_item_and_unknown_id(client: TestClient) -> None:
    body = client.get("/api/services/yjs-newborn").json()
    assert body["kind"] == "bundle" and {s["id"] for s in body["situations"]} >= {"married"}
    missing = client.get("/api/services/no-such-item")
    assert missing.status_code == 404 and "no-such-item" in missing.json()["detail"]


def test_checklist_round_trip_and_bad_answers(client: TestClient) -> None:
    answers = {"married": "married", "follow": "father", "insure": "together"}
    body = client.post("/api/services/yjs-newborn/checklist", json={"answers": answers}).json()
    assert body["guide_id"] == "yjs-newborn" and body["materials"]
    bad = client.post("/api/services/yjs-newborn/checklist", json={"answers": {"married": "perhaps"}})
    assert bad.status_code == 422 and "perhaps" in bad.json()["detail"]
    assert client.post("/api/services/nope/checklist", json={"answers": {}}).status_code == 404
    assert client.post("/api/services/yjs-newborn/checklist", content=b"{").status_code == 422


def test_the_guided_flow_runs_inside_chat(client: TestClient) -> None:
    first = client.post("/api/chat", json={"message": "想开个小饭馆要办哪些手续"}).json()
    assert first["outcome"] == "clarify" and first["options"]
    assert first["guide"]["id"] == "yjs-restaurant"
    session = first["session_id"]
    body = first
    for _ in range(6):  # answer each question with its first option until the checklist comes
        if body["outcome"] != "clarify":
            break
        body = client.post("/api/chat", json={"message": body["options"][0], "session_id": session}).json()
    assert body["outcome"] == "answered" and body["checklist"]["guide_id"] == "yjs-restaurant"
    assert body["citations"][0]["doc_id"] == "yjs-restaurant"


def test_a_plain_question_is_answered_from_the_guide_it_concerns(client: TestClient) -> None:
    body = client.post("/api/chat", json={"message": "执业药师首次注册的咨询电话是多少"}).json()
    assert body["outcome"] == "answered" and body["guide"]["stage"] == "facts"
    assert body["citations"][0]["section"] == "咨询电话"
    cited = [c["doc_id"] for c in body["citations"]]
    assert any(doc_id.startswith("gd-") for doc_id in cited)
    assert "020-37886901" in body["answer"]  # as the cited guide states it, not invented
