"""The agent console (``/agent``) and the dashboard (``/admin``) on a 375-pixel-wide phone: no sideways
scrolling of the page, and the main controls inside the screen's width and working by touch-size clicks
(log in, the queue, open, claim, reply; knowledge status, analytics, reports). Screenshots of each view."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui.browser.conftest import Console, LiveServer

PHONE = {"width": 375, "height": 812}
PASSWORD = "staff-Phone-2026!"
TOLERANCE_PX = 1
WIDEST = """() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"""
SCROLLS_SIDEWAYS = """(box) => { if (box.scrollWidth <= box.clientWidth) return true;
  box.scrollLeft = 80; const moved = box.scrollLeft > 0; box.scrollLeft = 0; return moved; }"""
"""A box wider inside than out (the queue's eight columns) scrolls sideways by itself."""


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A phone-sized context (touch, mobile viewport); fails on console errors."""
    console = Console()
    created = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    created.set_default_timeout(15_000)
    created.on("page", console.watch)
    yield created
    created.close()
    assert console.errors == [], "console errors on the page"


def assert_fits(page: Any, *controls: Any) -> None:
    """The page does not scroll sideways, and each control is visible and within the screen's width."""
    widest = page.evaluate(WIDEST)
    assert widest <= PHONE["width"] + TOLERANCE_PX, f"the page is {widest}px wide"
    for control in controls:
        control.scroll_into_view_if_needed()
        assert control.is_visible(), control
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0, control
        assert box["x"] + box["width"] <= PHONE["width"] + TOLERANCE_PX, (control, box)


def log_in(page: Any, prefix: str, username: str) -> None:
    page.locator(f"#{prefix}-username input").fill(username)
    page.locator(f"#{prefix}-password input").fill(PASSWORD)
    page.locator(f"#{prefix}-login-button").click()
    page.locator(f"#{prefix}-logout").wait_for(state="visible")


def test_the_agent_console_works_on_a_phone(live_server: LiveServer, phone: Any, shoot: Any) -> None:
    services = live_server.services
    services.auth.create_user("agent.phone", PASSWORD, "agent", display_name="手机坐席")
    handed = services.chat.request_handoff(services.chat.reply("居住证怎么办理").session_id)
    assert handed.handoff is not None
    ticket = handed.handoff["ticket_id"]
    page = phone.new_page()
    page.goto(live_server.url + "/agent/")
    page.locator("#agent-username input").wait_for()
    assert_fits(page, page.locator("#agent-username input"), page.locator("#agent-login-button"))
    shoot(page, "agent-06-phone-login")

    log_in(page, "agent", "agent.phone")
    queue = page.locator("#agent-queue")
    queue.get_by_text(ticket).wait_for()
    assert_fits(page, page.locator("#refresh-queue"), page.locator("#ticket-picker input"))
    scroller = page.locator("#agent-queue .agent-queue-scroll")
    assert_fits(page, scroller, page.locator("#agent-logout"))
    assert scroller.evaluate(SCROLLS_SIDEWAYS), "the queue's columns cannot be scrolled into view"
    shoot(page, "agent-07-phone-queue")

    picker = page.locator("#ticket-picker input")
    picker.fill(ticket)
    picker.press("Enter")
    page.locator("#open-ticket").click()
    header = page.locator("#ticket-header")
    header.get_by_text(ticket).wait_for()
    claim = page.locator("#action-claim")
    assert_fits(page, header, claim, page.locator("#ticket-transcript"))
    claim.click()
    header.get_by_text("已受理").wait_for()

    reply = page.locator("#reply-box textarea")
    send = page.locator("#send-reply")
    assert_fits(page, reply, send, page.locator("#accept-suggestion"), page.locator("#transfer-button"))
    reply.fill("您好，居住证请携带身份证和居住证明到社区服务中心申请。")
    send.click()
    page.locator("#agent-status").get_by_text("回复已发送").wait_for()
    assert [m.body for m in services.tickets.messages(ticket)] == [
        "您好，居住证请携带身份证和居住证明到社区服务中心申请。"
    ]
    assert_fits(page)
    shoot(page, "agent-08-phone-replied")


def test_the_dashboard_works_on_a_phone(live_server: LiveServer, phone: Any, shoot: Any) -> None:
    live_server.services.auth.create_user("admin.phone", PASSWORD, "admin", display_name="手机管理员")
    page = phone.new_page()
    page.goto(live_server.url + "/admin/")
    page.locator("#admin-username input").wait_for()
    log_in(page, "admin", "admin.phone")
    status = page.locator("#knowledge-status")
    status.wait_for(state="visible")
    assert "文档" in status.inner_text()
    assert_fits(page, status, page.locator("#knowledge-ingest"), page.locator("#knowledge-reindex"))
    shoot(page, "admin-04-phone-knowledge")

    page.get_by_role("tab", name="好差评与堵点").click()
    refresh = page.locator("#analytics-refresh")
    refresh.wait_for(state="visible")
    assert_fits(page, page.locator("#analytics-since"), refresh, page.locator("#chart-trends"))
    refresh.click()
    page.locator("#admin-notice").get_by_text("统计期间").wait_for()
    assert_fits(page, page.locator("#analytics-summary"), page.locator("#export-button"))
    shoot(page, "admin-05-phone-analytics")

    page.get_by_role("tab", name="评测报告").click()
    reload = page.locator("#reports-refresh")
    reload.wait_for(state="visible")
    assert_fits(page, reload, page.locator("#reports-pick"), page.locator("#reports-headlines"))
    reload.click()
    assert_fits(page)
    shoot(page, "admin-06-phone-reports")
