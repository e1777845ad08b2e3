"""The body-size middleware: declared and chunked bodies over the limit get 413; others pass intact."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from assistant.api.body_limit import BodyLimit


def make_client(limit: int = 100) -> TestClient:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    app.add_middleware(BodyLimit, max_bytes=limit)
    return TestClient(app)


def chunks(total: int, size: int = 30) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        part = min(size, total - sent)
        sent += part
        yield b"x" * part


def test_declared_length_over_limit_is_refused() -> None:
    response = make_client().post("/echo", content=b"x" * 101)
    assert response.status_code == 413
    assert "100 bytes" in response.json()["detail"]


def test_declared_length_at_limit_passes() -> None:
    response = make_client().post("/echo", content=b"x" * 100)
    assert response.status_code == 200 and response.json() == {"received": 100}


def test_chunked_body_over_limit_is_refused() -> None:
    response = make_client().post("/echo", content=chunks(250))
    assert response.status_code == 413


def test_chunked_body_under_limit_is_replayed_whole() -> None:
    response = make_client().post("/echo", content=chunks(95))
    assert response.status_code == 200 and response.json() == {"received": 95}


def test_get_requests_are_untouched() -> None:
    assert make_client().get("/echo").status_code == 405
