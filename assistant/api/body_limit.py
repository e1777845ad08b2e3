"""A pure ASGI middleware that rejects request bodies over a size limit with 413.

Declared lengths are checked before anything is read (the server reads no more than the declared length);
bodies without one (chunked) are read up to the limit and replayed to the app, so an oversized upload is
refused without being buffered whole. Added to the FastAPI app, it covers every route, the mounted Gradio
pages included.
Pure ASGI rather than ``@app.middleware("http")``: that wrapper costs about a millisecond a request.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """Answers 413 with a JSON ``detail`` when an HTTP request body exceeds ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int, overrides: dict[str, int] | None = None) -> None:
        """``overrides`` maps path prefixes (e.g. the upload endpoint) to their own limits."""
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = overrides or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = next((v for k, v in self.overrides.items() if path.startswith(k)), self.max_bytes)
        await self._limited(scope, receive, send, limit)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            if length.isdigit() and int(length) > limit:
                await self._reject(send, limit)
                return
            await self.app(scope, receive, send)
            return
        # No declared length (chunked, or a server that passes bodies without one): count what arrives.
        body, more, size = [], True, 0
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._reject(send, limit)
                return
            body.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, _replay([{"type": "http.request", "body": b"".join(body)}], receive), send)

    async def _reject(self, send: Send, limit: int) -> None:
        payload = json.dumps({"detail": f"请求体过大 (body over {limit} bytes)"}, ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A ``receive`` that yields ``messages`` first, then defers to ``then`` (e.g. for disconnects)."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


__all__ = ["BodyLimit"]
