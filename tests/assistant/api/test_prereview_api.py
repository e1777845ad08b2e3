"""智能预审 over HTTP with real OCR on generated materials of made-up people; bad input; delete."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.container import Services, build_services
from assistant.prereview.storage import UploadStore
from assistant.settings import Settings

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TODAY = date(2026, 11, 22)
pytestmark = pytest.mark.skipif(not FONT.exists(), reason="fonts-noto-cjk is not installed (make install)")


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    data = tmp_path_factory.mktemp("prereview-api")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=data, embedding_mode="hash", index_guides=False, prereview_max_files=6
    )
    built = build_services(settings, ensure_index=True)
    assert built.prereview is not None
    built.prereview.today = lambda: TODAY
    yield built
    built.close()


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=services, mount_ui=False)) as test_client:
        yield test_client


def generated_case(index: int, out: Path) -> dict[str, Any]:
    from evals.prereview_samples.cases import build_case, write_case

    return write_case(build_case(index, 7, TODAY), out)


def post_case(client: TestClient, record: dict[str, Any], out: Path) -> dict[str, Any]:
    files = [("files", (Path(f["path"]).name, (out / f["path"]).read_bytes())) for f in record["files"]]
    data = {"service_id": record["service_id"], "answers": json.dumps(record["answers"])}
    response = client.post("/api/prereview", data=data, files=files)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def clean_set(
    client: TestClient, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Case 5 (教育入学, three clean files) posted once: its record and the review (OCR takes ~13 s a set).
    The review is deleted by ``test_delete_removes_the_uploads``; the other test only reads the answer."""
    out = tmp_path_factory.mktemp("clean-set")
    record = generated_case(5, out)
    return record, post_case(client, record, out)


def test_a_complete_clean_set_is_ready(clean_set: tuple[dict[str, Any], dict[str, Any]]) -> None:
    record, body = clean_set
    expected = record["expected"]["materials"]
    got = {m["material_id"]: m["status"] for m in body["materials"]}
    assert {k: v for k, v in got.items() if k in expected} == {
        k: v for k, v in expected.items() if v != "not_checked"
    }
    assert body["verdict"] == "ready" and "仅供参考" in body["text"]
    timings = body["timings_ms"]
    assert timings["total_ms"] > 0
    stages = ("decode_ms", "detect_ms", "orient_ms", "recognise_ms", "classify_ms", "fields_ms", "checks_ms")
    assert all(stage in timings for stage in stages), timings


def test_a_planted_check_digit_error_is_flagged_and_masked(client: TestClient, tmp_path: Path) -> None:
    record = generated_case(29, tmp_path)  # 教育入学 with a wrong ID check digit
    body = post_case(client, record, tmp_path)
    codes = {p["code"] for m in body["materials"] for p in m["problems"]}
    assert "id_check_digit" in codes and body["verdict"] == "needs_fixes"
    printed = [f["fields"]["id_numbers"] for f in record["files"] if f["fields"].get("id_numbers")]
    for numbers in printed:
        for number in numbers.values():
            assert number not in json.dumps(body, ensure_ascii=False)


def test_a_missing_material_is_reported(client: TestClient, tmp_path: Path) -> None:
    record = generated_case(4, tmp_path)  # 退休 with a material left out
    body = post_case(client, record, tmp_path)
    statuses = [m["status"] for m in body["materials"]]
    assert "missing" in statuses and body["verdict"] == "needs_fixes"


def test_bad_files_are_refused_by_name_and_the_rest_checked(client: TestClient) -> None:
    files = [
        ("files", ("empty.jpg", b"")),
        ("files", ("../../etc/passwd.png", b"not an image at all")),
        ("files", ("scan.pdf", b"%PDF-1.4 broken")),
    ]
    response = client.post("/api/prereview", data={"service_id": "yjs-retirement"}, files=files)
    assert response.status_code in (413, 415, 422)
    body = response.json()
    refused = {r["file"]: r for r in body["rejected"]}
    assert set(refused) == {"empty.jpg", "passwd.png", "scan.pdf"}
    assert all(r["detail"] for r in refused.values())
    assert client.get("/api/health").status_code == 200  # still serving


def test_request_level_errors(client: TestClient) -> None:
    one = [("files", ("a.png", b"\x89PNG\r\n\x1a\n"))]
    assert client.post("/api/prereview", data={"service_id": "nope"}, files=one).status_code == 404
    bad_answers = {"service_id": "yjs-newborn", "answers": "{not json"}
    assert client.post("/api/prereview", data=bad_answers, files=one).status_code == 422
    wrong_option = {"service_id": "yjs-newborn", "answers": json.dumps({"married": "perhaps"})}
    assert client.post("/api/prereview", data=wrong_option, files=one).status_code == 422
    seven = [("files", (f"{n}.png", b"x")) for n in range(7)]
    too_many = client.post("/api/prereview", data={"service_id": "yjs-retirement"}, files=seven)
    assert too_many.status_code == 413 and "6" in too_many.json()["detail"]


def test_delete_removes_the_uploads(
    client: TestClient, services: Services, clean_set: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    _record, body = clean_set
    review_id = body["review_id"]
    assert services.prereview is not None
    store = services.prereview.store
    assert isinstance(store, UploadStore)
    folder = store.root / str(review_id)
    assert folder.exists() and any(folder.iterdir())
    assert client.delete(f"/api/prereview/{review_id}").status_code == 204
    assert not folder.exists()
    assert client.delete(f"/api/prereview/{review_id}").status_code == 404
    assert client.delete("/api/prereview/..%2F..%2Fetc").status_code == 404


def test_in_a_chat_session_the_item_and_answers_come_from_the_guided_flow(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    from assistant.guide.dialogue_state import GuideState

    record = generated_case(5, tmp_path)  # 教育入学, three clean files
    opened = client.post("/api/chat", json={"message": "你好"}).json()
    session_id = opened["session_id"]
    state = GuideState("done", guide_id=str(record["service_id"]), answers=dict(record["answers"]))
    services.store.set_guide_state(session_id, state.to_dict())
    files = [("files", (Path(f["path"]).name, (tmp_path / f["path"]).read_bytes())) for f in record["files"]]
    response = client.post("/api/prereview", data={"session_id": session_id}, files=files)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["guide_id"] == record["service_id"] and body["verdict"] == "ready"
    assert body["session_id"] == session_id
    messages = client.get(f"/api/sessions/{session_id}/messages").json()
    assert messages[-1]["id"] == body["message_id"] and messages[-1]["content"] == body["text"]
    assert messages[-2]["role"] == "user" and "3个文件" in messages[-2]["content"]


def test_a_session_without_an_item_or_an_unknown_session_is_a_clear_error(client: TestClient) -> None:
    opened = client.post("/api/chat", json={"message": "你好"}).json()
    files = [("files", ("a.png", b"\x89PNG\r\n\x1a\n"))]
    no_item = client.post("/api/prereview", data={"session_id": opened["session_id"]}, files=files)
    assert no_item.status_code == 422 and "service_id is required" in no_item.json()["detail"]
    unknown = client.post("/api/prereview", data={"session_id": "s_nope"}, files=files)
    assert unknown.status_code == 404 and "s_nope" in unknown.json()["detail"]
    messages = client.get(f"/api/sessions/{opened['session_id']}/messages").json()
    assert len(messages) == 2  # nothing was added to the conversation
