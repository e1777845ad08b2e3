"""CSRF protection for the staff side: state-changing requests from another site are refused (403).

Why this is the whole defence: no route is authenticated by a cookie. The staff API takes a bearer token
in the ``Authorization`` header, which a browser never attaches on its own, and the Gradio staff
console and dashboard keep their token in server-side session state, reached only with the page's own
random session hash. A forged cross-site request therefore carries no credentials. What remains — a
page on another site driving a logged-in console, or logging a browser into someone's account (login
CSRF) — is stopped here by the standard-header check OWASP recommends: on ``POST``/``PUT``/``PATCH``/
``DELETE`` to a staff path, a request whose ``Origin`` (or, without one, ``Referer``) names another origin
than the server's own ``Host`` or a configured trusted origin, or that the browser marks
``Sec-Fetch-Site: cross-site``, is refused. Clients that are not browsers send neither header and pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

STAFF_PREFIXES: Final = ("/api/agent", "/api/analytics", "/agent", "/admin")
UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url`` (lower-case), or None when it has none."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


class OriginCheck:
    """Refuses cross-site state-changing requests to the staff paths with 403."""

    def __init__(
        self, app: ASGIApp, *, trusted_origins: Iterable[str] = (), prefixes: tuple[str, ...] = STAFF_PREFIXES
    ) -> None:
        self.app = app
        self.trusted = {origin for o in trusted_origins if (origin := _origin_of(o))}
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in UNSAFE_METHODS and self._is_staff(scope):
            problem = self._problem(scope)
            if problem is not None:
                await _forbid(send, problem)
                return
        await self.app(scope, receive, send)

    def _is_staff(self, scope: Scope) -> bool:
        path = str(scope.get("path", ""))
        return any(path == p or path.startswith(p + "/") for p in self.prefixes)

    def _problem(self, scope: Scope) -> str | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        if headers.get("sec-fetch-site") == "cross-site":
            return "cross-site request refused (Sec-Fetch-Site)"
        claimed = headers.get("origin") or headers.get("referer")
        if claimed is None:
            return None  # not a browser, or a browser that sent neither: nothing to compare
        origin = _origin_of(claimed)
        if origin is None:  # "Origin: null" (sandboxed frame, file://) or garbage
            return "request from an opaque origin refused"
        host = headers.get("x-forwarded-host") or headers.get("host", "")
        scheme = headers.get("x-forwarded-proto") or str(scope.get("scheme", "http"))
        own = {f"{scheme}://{host}".lower(), f"http://{host}".lower(), f"https://{host}".lower()}
        if origin in own or origin in self.trusted:
            return None
        return f"cross-origin request from {origin} refused"


async def _forbid(send: Send, problem: str) -> None:
    payload = json.dumps({"detail": f"跨站请求被拒绝 ({problem})"}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


__all__ = ["STAFF_PREFIXES", "OriginCheck"]
