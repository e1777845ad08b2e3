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


async def _call(app: BodyLimit, headers: list[tuple[bytes, bytes]], parts: list[bytes]) -> tuple[int, int]:
    """Drive the middleware directly: (status sent, bytes the inner app received)."""
    messages = [
        {"type": "http.request", "body": p, "more_body": i < len(parts) - 1} for i, p in enumerate(parts)
    ]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/echo", "headers": headers}
    await app(scope, receive, send)  # type: ignore[arg-type]
    return int(sent[0]["status"]), int(str(sent[0].get("received", 0)))  # type: ignore[call-overload]


def test_body_without_any_declared_length_is_counted_too() -> None:
    import asyncio

    async def inner(scope: object, receive: object, send: object) -> None:
        total, more = 0, True
        while more:
            message = await receive()  # type: ignore[operator]
            total += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "received": total})  # type: ignore[operator]

    limit = BodyLimit(inner, max_bytes=100)
    # Neither Content-Length nor Transfer-Encoding (e.g. an HTTP/2 server): still limited.
    assert asyncio.run(_call(limit, [], [b"x" * 60, b"x" * 60])) == (413, 0)
    assert asyncio.run(_call(limit, [], [b"x" * 40, b"x" * 50])) == (200, 90)
    assert asyncio.run(_call(limit, [], [b""])) == (200, 0)
