"""The pages render and work under their Content-Security-Policy (a violation is a console error, which
the ``context`` fixture fails on)."""

from __future__ import annotations

from typing import Any

from assistant.api.security_headers import PAGE_CSP
from tests.ui.browser.conftest import LiveServer
from tests.ui.browser.pages import ask, open_page, wait_for_answer


def test_citizen_page_answers_under_its_policy(live_server: LiveServer, context: Any) -> None:
    page = open_page(context, live_server.url)
    ask(page, "失业保险金怎么申领？")
    wait_for_answer(page)
    response = page.request.get(live_server.url + "/")
    assert response.headers["content-security-policy"] == PAGE_CSP
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_staff_pages_render_under_their_policy(live_server: LiveServer, context: Any) -> None:
    for path in ("/agent/", "/admin/"):
        page = context.new_page()
        response = page.goto(live_server.url + path)
        assert response is not None and response.headers["content-security-policy"] == PAGE_CSP
        page.locator("input[type=password]").first.wait_for(state="visible")
