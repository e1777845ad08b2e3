"""Per-client rate limits for chat, uploads and staff log-in: a pure ASGI middleware answering 429.

Each rule is a token bucket per client address (``scope["client"]``: behind a reverse proxy uvicorn's
proxy headers put the real client there): ``per_minute`` requests a minute on average, bursts of up
to ``per_minute``. An over-limit request gets 429 with ``Retry-After`` (whole seconds until a token is
back) before the app sees it. These buckets live in memory, per worker process: with N workers a
client can get up to N times the limit, and a restart forgets them. Idle buckets are dropped.

With shared state in the database (``Settings.shared_state_store``; the production profile) the counts
come from :class:`assistant.api.rate_counter.DatabaseRateCounter` instead: one fixed one-minute window
per client shared by every worker and machine, so the limit holds however requests are spread.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final, Protocol

from anyio import to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.settings import Settings

_MAX_BUCKETS: Final = 100_000


@dataclass(frozen=True)
class Rule:
    """``per_minute`` requests per client to any of ``paths`` (exact path or ``prefix/…``) by ``methods``."""

    name: str
    per_minute: int
    paths: tuple[str, ...]
    methods: frozenset[str] = frozenset({"POST"})

    def matches(self, method: str, path: str) -> bool:
        return method in self.methods and any(path == p or path.startswith(p + "/") for p in self.paths)


def rules_from(settings: Settings) -> list[Rule]:
    """The chat, upload and log-in rules of ``settings`` (a rule with ``per_minute`` 0 is left out)."""
    rules = [
        # The citizen page's chat turns go through Gradio's queue; the staff pages' queues are not chat.
        Rule(
            "chat",
            settings.rate_limit_chat_per_minute,
            ("/api/chat", "/v1/chat/completions", "/gradio_api/queue/join"),
        ),
        Rule(
            "upload",
            settings.rate_limit_upload_per_minute,
            ("/api/prereview", "/gradio_api/upload", "/admin/gradio_api/upload"),
        ),
        Rule("login", settings.rate_limit_login_per_minute, ("/api/agent/login",)),
    ]
    return [rule for rule in rules if rule.per_minute > 0]


class RateCounter(Protocol):
    """Counts a client's requests under a rule: ``take`` returns 0 when allowed, else seconds to wait.
    ``blocking`` counters (database round trips) are called in a worker thread, off the event loop."""

    blocking: bool

    def take(self, rule: Rule, client: str) -> float: ...


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class TokenBuckets:
    """Token buckets keyed by (rule, client); ``take`` returns 0 when allowed, else seconds to wait."""

    clock: Callable[[], float] = time.monotonic
    blocking: bool = False
    buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)

    def take(self, rule: Rule, client: str) -> float:
        now = self.clock()
        rate = rule.per_minute / 60.0
        key = (rule.name, client)
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= _MAX_BUCKETS:
                self._drop_full(now)
            bucket = self.buckets[key] = _Bucket(float(rule.per_minute), now)
        else:
            bucket.tokens = min(float(rule.per_minute), bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate

    def _drop_full(self, now: float) -> None:
        """Forget buckets idle long enough to have refilled (they would start full anyway)."""
        for key, bucket in list(self.buckets.items()):
            if now - bucket.updated > 60.0:
                del self.buckets[key]


class RateLimit:
    """Applies the first matching :class:`Rule` to each HTTP request; 429 + ``Retry-After`` when over."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        rules: Iterable[Rule],
        exempt_hosts: Iterable[str] = (),
        buckets: RateCounter | None = None,
    ) -> None:
        self.app = app
        self.rules = list(rules)
        self.exempt = frozenset(exempt_hosts)
        self.buckets: RateCounter = buckets or TokenBuckets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.rules:
            method, path = str(scope.get("method", "")), str(scope.get("path", ""))
            rule = next((r for r in self.rules if r.matches(method, path)), None)
            client = scope.get("client")
            host = str(client[0]) if client else "unknown"
            if rule is not None and host not in self.exempt:
                if self.buckets.blocking:
                    wait = await to_thread.run_sync(self.buckets.take, rule, host)
                else:
                    wait = self.buckets.take(rule, host)
                if wait > 0:
                    await _too_many(send, rule, math.ceil(wait))
                    return
        await self.app(scope, receive, send)


async def _too_many(send: Send, rule: Rule, retry_after: int) -> None:
    detail = f"请求过于频繁，请 {retry_after} 秒后再试 ({rule.name} limit: {rule.per_minute} a minute)"
    payload = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"retry-after", str(retry_after).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


__all__ = ["RateCounter", "RateLimit", "Rule", "TokenBuckets", "rules_from"]
