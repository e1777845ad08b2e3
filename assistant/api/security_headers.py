"""A pure ASGI middleware that adds browser security headers to every HTTP response.

HTML pages (the Gradio citizen chat, agent console and admin dashboard) get a Content-Security-Policy
that allows only this origin: Gradio's pages need inline scripts (their config is inlined) and
``'unsafe-eval'`` (without it the front end does not render at all in Chromium), so those two are
allowed for scripts; styles may be inline; images, fonts and media may also be ``data:`` / ``blob:``.
The OpenAPI pages (``/docs``, ``/redoc``) load Swagger UI / ReDoc from jsDelivr, which their policy
allows. Every other response (JSON, SSE, assets) gets ``default-src 'none'``. All responses get
nosniff, ``frame-ancestors 'self'`` plus ``X-Frame-Options: SAMEORIGIN``, ``Referrer-Policy:
same-origin``, a Permissions-Policy that switches off camera, microphone and geolocation, COOP, and
(when configured, for HTTPS) HSTS. Staff API responses are never cached. Headers a route sets itself
are left alone.
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP: Final = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; connect-src 'self'; "
    "worker-src 'self' blob:; frame-src 'self'; frame-ancestors 'self'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)
_CDN: Final = "https://cdn.jsdelivr.net"
DOCS_CSP: Final = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {_CDN}; style-src 'self' 'unsafe-inline' {_CDN}; "
    f"img-src 'self' data: https://fastapi.tiangolo.com {_CDN}; font-src 'self' data: {_CDN}; "
    f"worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; object-src 'none'"
)
API_CSP: Final = "default-src 'none'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
DOCS_PATHS: Final = ("/docs", "/redoc")
NO_STORE_PREFIXES: Final = ("/api/agent", "/api/analytics")

_COMMON: Final[tuple[tuple[bytes, bytes], ...]] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeaders:
    """Adds the headers above to HTTP responses that do not already carry them."""

    def __init__(self, app: ASGIApp, *, hsts_max_age_s: int = 0) -> None:
        """``hsts_max_age_s`` > 0 also sends ``Strict-Transport-Security`` (only behind HTTPS)."""
        self.app = app
        self.extra: tuple[tuple[bytes, bytes], ...] = (
            ((b"strict-transport-security", f"max-age={hsts_max_age_s}".encode()),) if hsts_max_age_s else ()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": self._headers(path, list(message.get("headers") or []))}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers(self, path: str, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        present = {name.lower() for name, _ in headers}
        content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
        if path in DOCS_PATHS:
            csp = DOCS_CSP
        elif content_type.startswith(b"text/html"):
            csp = PAGE_CSP
        else:
            csp = API_CSP
        wanted = [*_COMMON, *self.extra, (b"content-security-policy", csp.encode())]
        if path.startswith(NO_STORE_PREFIXES):
            wanted.append((b"cache-control", b"no-store"))
        return headers + [(name, value) for name, value in wanted if name not in present]


__all__ = ["API_CSP", "DOCS_CSP", "PAGE_CSP", "SecurityHeaders"]
