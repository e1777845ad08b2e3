"""Security headers, the staff CSRF (origin) check and per-client rate limits, each on a bare app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from assistant.api.rate_limit import RateLimit, Rule, TokenBuckets, rules_from
from assistant.api.security_headers import API_CSP, DOCS_CSP, PAGE_CSP, SecurityHeaders
from assistant.api.security_origin import OriginCheck
from assistant.settings import Settings


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.get("/page", response_class=HTMLResponse)
    def page() -> str:
        return "<html><body>hi</body></html>"

    @app.get("/api/agent/me")
    def me() -> dict[str, str]:
        return {"username": "agent.zhao"}

    @app.get("/framed")
    def framed() -> HTMLResponse:
        return HTMLResponse("<p>x</p>", headers={"X-Frame-Options": "DENY"})

    @app.post("/api/agent/login")
    @app.post("/agent/gradio_api/queue/join")
    @app.post("/api/chat")
    @app.post("/api/chat/stream")
    @app.post("/api/prereview")
    def changed() -> dict[str, bool]:
        return {"ok": True}

    return app


# ------------------------------------------------------------------------------------------ headers


def test_html_pages_get_the_page_policy_and_every_response_the_common_headers() -> None:
    app = bare_app()
    app.add_middleware(SecurityHeaders)
    client = TestClient(app)
    page = client.get("/page")
    assert page.headers["content-security-policy"] == PAGE_CSP
    assert "frame-ancestors 'self'" in PAGE_CSP and "object-src 'none'" in PAGE_CSP
    api = client.get("/api/agent/me")
    assert api.headers["content-security-policy"] == API_CSP
    assert api.headers["cache-control"] == "no-store"
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.headers["content-security-policy"] == API_CSP
    for response in (page, api, missing):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "SAMEORIGIN"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "camera=()" in response.headers["permissions-policy"]
        assert response.headers["cross-origin-opener-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers
    assert "cache-control" not in page.headers


def test_headers_a_route_sets_are_kept_and_hsts_is_opt_in() -> None:
    app = bare_app()
    app.add_middleware(SecurityHeaders, hsts_max_age_s=31536000)
    client = TestClient(app)
    framed = client.get("/framed")
    assert framed.headers.get_list("x-frame-options") == ["DENY"]
    assert framed.headers["strict-transport-security"] == "max-age=31536000"


def test_openapi_docs_may_load_their_cdn_assets() -> None:
    app = bare_app()
    app.add_middleware(SecurityHeaders)
    docs = TestClient(app).get("/docs")
    assert docs.status_code == 200 and docs.headers["content-security-policy"] == DOCS_CSP


# --------------------------------------------------------------------------------------------- CSRF


def origin_client(trusted: tuple[str, ...] = ()) -> TestClient:
    app = bare_app()
    app.add_middleware(OriginCheck, trusted_origins=trusted)
    return TestClient(app, base_url="http://gov.example.cn")


def test_cross_site_state_changes_to_staff_paths_are_refused() -> None:
    client = origin_client()
    for headers in (
        {"Origin": "https://evil.example.com"},
        {"Referer": "https://evil.example.com/page.html"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://gov.example.cn.evil.example.com"},
    ):
        for path in ("/api/agent/login", "/agent/gradio_api/queue/join"):
            response = client.post(path, headers=headers)
            assert response.status_code == 403, (path, headers)
            assert "跨站请求被拒绝" in response.json()["detail"]


def test_same_origin_non_browser_and_citizen_requests_pass() -> None:
    client = origin_client(trusted=("https://console.example.cn/",))
    for headers in (
        {},  # curl, the SDKs, tests: no Origin, no Referer
        {"Origin": "http://gov.example.cn"},
        {"Origin": "https://gov.example.cn", "Sec-Fetch-Site": "same-origin"},
        {"Referer": "http://gov.example.cn/agent/"},
        {"Origin": "https://console.example.cn"},  # configured as trusted
    ):
        assert client.post("/api/agent/login", headers=headers).status_code == 200, headers
    # Reads are never refused, and the citizen side is not a staff path.
    assert client.get("/api/agent/me", headers={"Origin": "https://evil.example.com"}).status_code == 200
    assert client.post("/api/chat", headers={"Origin": "https://evil.example.com"}).status_code == 200


# --------------------------------------------------------------------------------------- rate limits


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limited_client(clock: FakeClock, *, exempt: tuple[str, ...] = ()) -> TestClient:
    app = bare_app()
    rules = [Rule("chat", 3, ("/api/chat",)), Rule("upload", 1, ("/api/prereview",))]
    app.add_middleware(RateLimit, rules=rules, exempt_hosts=exempt, buckets=TokenBuckets(clock))
    return TestClient(app)


def test_over_the_limit_gets_429_with_retry_after_and_recovers() -> None:
    clock = FakeClock()
    client = limited_client(clock)
    assert [client.post("/api/chat").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.post("/api/chat/stream")  # the same rule covers the path's children
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "20"  # 3 a minute: one token every 20 s
    assert "请求过于频繁" in refused.json()["detail"]
    clock.now += 10
    assert client.post("/api/chat").headers["retry-after"] == "10"
    clock.now += 10
    assert client.post("/api/chat").status_code == 200
    # Each rule has its own bucket; unmatched paths and methods are never limited.
    assert client.post("/api/prereview").status_code == 200
    assert client.post("/api/prereview").status_code == 429
    assert all(client.get("/api/agent/me").status_code == 200 for _ in range(10))


def test_limits_are_per_client_and_exempt_hosts_are_not_limited() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(clock)
    rule = Rule("chat", 2, ("/api/chat",))
    assert [buckets.take(rule, "10.0.0.1") for _ in range(3)][:2] == [0.0, 0.0]
    assert buckets.take(rule, "10.0.0.2") == 0.0
    assert buckets.take(rule, "10.0.0.1") > 0
    client = limited_client(clock, exempt=("testclient",))
    assert all(client.post("/api/chat").status_code == 200 for _ in range(10))


def test_rules_from_settings() -> None:
    settings = Settings(_env_file=None, rate_limit_upload_per_minute=0)  # type: ignore[call-arg]
    rules = {rule.name: rule for rule in rules_from(settings)}
    assert set(rules) == {"chat", "login"}
    assert rules["chat"].matches("POST", "/gradio_api/queue/join")
    assert not rules["chat"].matches("POST", "/agent/gradio_api/queue/join")
    assert rules["chat"].matches("POST", "/v1/chat/completions")
    assert not rules["chat"].matches("GET", "/api/chat")
    assert rules["login"].per_minute == settings.rate_limit_login_per_minute
