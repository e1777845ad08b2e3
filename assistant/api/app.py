"""The FastAPI application: API routers, OpenAPI docs, and the Gradio citizen chat mounted at ``/``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assistant.api import (
    agent_router,
    analytics_router,
    chat_router,
    knowledge_router,
    openai_router,
    prereview_router,
    services_router,
    ticket_router,
)
from assistant.api.agent_auth import current_supervisor
from assistant.api.body_limit import BodyLimit
from assistant.api.errors import install_error_handlers
from assistant.api.rate_counter import database_counter
from assistant.api.rate_limit import RateLimit, rules_from
from assistant.api.security_headers import SecurityHeaders
from assistant.api.security_origin import OriginCheck
from assistant.container import Services, build_services
from assistant.prereview.storage import start_sweeper
from assistant.privacy.log_masking import install_log_masking
from assistant.settings import Settings
from ingest.models import MAX_UPLOAD_BYTES

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 1_000_000

DESCRIPTION = """政务服务智能助手 API — grounded answers with citations over the bundled policy documents.

* `POST /api/chat` — one turn; `outcome` is `answered`, `clarify`, `refused` or `handoff`.
* `POST /api/chat/stream` — the same as server-sent events (`delta` … `done`).
* `GET /api/services?q=` · `GET /api/services/{id}` · `POST /api/services/{id}/checklist` — 智能导办.
* `POST /api/prereview` (multipart) · `DELETE /api/prereview/{id}` — 智能预审 (advisory).
* `GET /api/sessions/{id}/ticket` · `POST /api/tickets/{id}/rating` — the citizen's ticket after 转人工.
* `/api/agent/*` — the agent workspace (bearer token from `POST /api/agent/login`): queue, claim, reply,
  transfer, notes, close, assist; `GET /api/agent/sla-breaches` for supervisors.
* `GET /api/analytics/*` (supervisor or admin) — 好差评 and 堵点 analytics, and
  `GET /api/analytics/export/{table}.csv`.
* `POST /v1/chat/completions` — OpenAI-compatible (use the official `openai` SDK with `base_url=…/v1`).
"""


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    mount_ui: bool = True,
    ensure_index: bool = False,
) -> FastAPI:
    """Build the app. Services are built here (once), not at import; tests may pass their own."""
    install_log_masking()  # every log record of the process, uvicorn's access log included, is PII-masked
    settings = settings or (services.settings if services else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prereview = app.state.services.prereview
        sweeper = (
            start_sweeper(prereview.store, app.state.services.settings.prereview_sweep_interval_s)
            if prereview is not None
            else None
        )
        page_cache_sweeper = None
        if mount_ui:  # the first visitor would otherwise pay Gradio's one-off first-render costs
            from ui.file_cache import page_file_sweep
            from ui.warmup import warm_pages

            live = app.state.services.settings
            page_cache_sweeper = start_sweeper(
                page_file_sweep(live, app.state.page_cache_dir),
                live.prereview_sweep_interval_s,
                name="page-cache-sweep",
            )
            await warm_pages(app)
        yield
        for running in (sweeper, page_cache_sweeper):
            if running is not None:
                running.stop(5)
        if app.state.rate_counter is not None:
            app.state.rate_counter.close()
        if app.state.owns_services:
            app.state.services.close()

    app = FastAPI(
        title="政务服务智能助手 GovAssist", version="0.3.0", description=DESCRIPTION, lifespan=lifespan
    )
    app.state.owns_services = services is None
    app.state.services = services or build_services(settings, ensure_index=ensure_index)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in error.errors()
        ]
        return JSONResponse(
            status_code=422, content={"detail": "请求格式不正确 (invalid request body)", "errors": problems}
        )

    install_error_handlers(app)

    prereview = app.state.services.prereview
    upload_limit = prereview.limits.max_request_bytes + MAX_BODY_BYTES if prereview else MAX_BODY_BYTES
    overrides = {
        "/api/prereview": upload_limit,
        "/gradio_api/upload": upload_limit,  # materials uploaded on the citizen page
        "/admin/gradio_api/upload": MAX_UPLOAD_BYTES + MAX_BODY_BYTES,  # knowledge documents
    }
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES, overrides=overrides)
    # Outermost last: security headers on every response (413/429/403 too), then rate limits, then CSRF.
    app.add_middleware(OriginCheck, trusted_origins=settings.trusted_origins)
    counter = database_counter(settings, app.state.services.store.engine)  # None: in memory, per process
    app.state.rate_counter = counter
    app.add_middleware(
        RateLimit, rules=rules_from(settings), exempt_hosts=settings.rate_limit_exempt_hosts, buckets=counter
    )
    app.add_middleware(SecurityHeaders, hsts_max_age_s=settings.hsts_max_age_s)

    app.include_router(chat_router.router)
    app.include_router(knowledge_router.router)
    app.include_router(openai_router.router)
    app.include_router(services_router.router)
    app.include_router(prereview_router.router)
    app.include_router(ticket_router.router)
    app.include_router(agent_router.router)
    app.include_router(analytics_router.router, dependencies=[Depends(current_supervisor)])
    if mount_ui:
        import gradio as gr

        from ui.admin import build_admin_app
        from ui.agent_console import build_agent_console
        from ui.citizen import build_citizen_app
        from ui.file_cache import use_page_file_cache

        app.state.page_cache_dir = use_page_file_cache(app.state.services.settings)
        app = gr.mount_gradio_app(app, build_admin_app(app.state.services), path="/admin")
        app = gr.mount_gradio_app(app, build_agent_console(app.state.services), path="/agent")
        app = gr.mount_gradio_app(app, build_citizen_app(app.state.services), path="/")
    return app


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory`` worker processes: settings from the environment, index as is."""
    settings = Settings()
    app = create_app(settings, mount_ui=settings.serve_ui)
    app.state.services.warm_up()
    return app
