"""The agent console (``/agent``) and the operator dashboard (``/admin``) in the browser: logged in with
the keyboard alone, every control reachable with Tab, and every element Tab reaches named for a screen
reader (the scrolling text boxes Chromium makes tab stops included), with a ticket open and on every
dashboard tab; no console errors (the ``context`` fixture checks); an agent whose log-in expires while writing a reply is sent back to
the log-in form and finds the draft again after logging back in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from assistant.handoff.models import utcnow
from tests.ui.browser.conftest import LiveServer
from tests.ui.browser.test_keyboard_browser import NAMED, reached_snapshots, tab_to, walk_tab_order
from ui.agent_state import EXPIRED_TEXT
from ui.page_messages import GRADIO_MESSAGES

PASSWORD = "staff-Keyboard-2026!"
DESCRIBE = """(el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`
  + ` in #${(el.closest('[id]') || {}).id}`"""
"""Where a nameless element is, for the failure message."""


def keyboard_login(page: Any, prefix: str, username: str) -> None:
    """Fill the log-in form with Tab and typing only, and press Enter in the password box."""
    tab_to(page, page.get_by_role("textbox", name="用户名"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "password"
    page.keyboard.type(PASSWORD)
    tab_to(page, page.get_by_role("button", name="登录", exact=True))
    page.keyboard.press("Enter")
    page.locator(f"#{prefix}-logout").wait_for(state="visible")


def forget_tab_order(page: Any) -> None:
    """Clear the marks of an earlier Tab walk."""
    page.evaluate(
        "() => document.querySelectorAll('[data-tab-order]').forEach((e) => delete e.dataset.tabOrder)"
    )


def unreachable_or_nameless(page: Any, controls: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Walk the Tab order; the ``controls`` never focused, and the focused elements without a name."""
    assert walk_tab_order(page) > 10
    missed = [name for name, c in controls.items() if c.get_attribute("data-tab-order") is None]
    nameless = [
        f"{element.evaluate(DESCRIBE)}: {snapshot[:80]}"
        for element, snapshot in reached_snapshots(page)
        if not NAMED.match(snapshot)
    ]
    return missed, nameless


def test_agent_console_is_usable_by_keyboard(live_server: LiveServer, context: Any, shoot: Any) -> None:
    # the longest browser walk: on a loaded CI machine a click has waited out 15 s with its button on the
    # page (the page busy, not broken), so its steps get 30 s, as the retry test's do
    context.set_default_timeout(30_000)
    services = live_server.services
    services.auth.create_user("agent.keys", PASSWORD, "agent", display_name="键盘坐席")
    handed = services.chat.request_handoff(services.chat.reply("社保卡丢了怎么补办").session_id)
    assert handed.handoff is not None
    ticket = handed.handoff["ticket_id"]
    page = context.new_page()
    page.goto(live_server.url + "/agent/")
    keyboard_login(page, "agent", "agent.keys")
    page.locator("#agent-queue").get_by_text("社保卡").first.wait_for()

    role = page.get_by_role
    controls = {
        "log out": role("button", name="退出登录"),
        "status filter": page.locator("#filter-status input").first,
        "category": role("combobox", name="分类"),
        "department filter": role("textbox", name="部门", exact=True),
        "scope": page.locator("#filter-scope input").first,
        "breached only": role("checkbox", name="只看已超时"),
        "page": role("spinbutton", name="页码"),
        "refresh": role("button", name="刷新队列"),
        "ticket picker": role("combobox", name="打开工单（选择或输入工单号）"),
        "open": role("button", name="打开工单", exact=True),
        "action text": page.locator("#action-text textarea"),
        "accept suggestion": role("button", name="采用建议"),
        "discard suggestion": role("button", name="不采用"),
        "reply": role("textbox", name="回复市民（市民会在对话中看到）"),
        "send reply": role("button", name="发送回复"),
        "transfer department": role("textbox", name="转办部门"),
        "transfer": role("button", name="转办", exact=True),
        "note": role("textbox", name="内部备注（市民看不到）"),
        "add note": role("button", name="添加备注"),
        "phone assist": role("button", name="电话来电辅助"),
    }
    missed, nameless = unreachable_or_nameless(page, controls)
    assert missed == [], f"not reachable with Tab: {missed}"
    assert nameless == [], f"reachable with Tab but without an accessible name: {nameless}"
    assert (
        page.locator("[data-testid='toast-body']").all_inner_texts() == []
    )  # passing the picker warns of nothing
    shoot(page, "agent-03-keyboard-walk")

    picker = page.locator("#ticket-picker input")  # a ticket open, its record and the phone box shown
    picker.fill(ticket)
    picker.press("Enter")
    page.locator("#open-ticket").click()
    page.locator("#ticket-header").get_by_text(ticket).wait_for()
    page.locator("#ticket-suggestion").get_by_text("社保卡").first.wait_for()
    role("button", name="办理记录").click()
    controls["phone assist"].click()
    page.locator("#ticket-history").wait_for(state="visible")
    forget_tab_order(page)
    missed, nameless = unreachable_or_nameless(page, {"claim": role("button", name="受理", exact=True)})
    assert missed == [], f"not reachable with Tab: {missed}"
    assert nameless == [], f"reachable with Tab but without an accessible name: {nameless}"
    controls["phone assist"].click()  # closed again for the keyboard part below

    tab_to(page, controls["phone assist"])
    page.keyboard.press("Enter")  # the accordion opens from the keyboard
    phone = role("textbox", name="来电内容（记录市民的问题）")
    phone.wait_for(state="visible")
    tab_to(page, phone)
    page.keyboard.type("什么是跨省通办")
    tab_to(page, role("button", name="获取建议答复"))
    page.keyboard.press("Enter")
    page.locator("#phone-suggestion").get_by_text("跨省通办").first.wait_for()

    tab_to(page, controls["send reply"])  # no ticket is open: the console warns, in Chinese throughout
    page.keyboard.press("Enter")
    toast = page.locator("[data-testid='toast-body']").first
    toast.wait_for()
    assert GRADIO_MESSAGES["Warning"] in toast.inner_text() and "Warning" not in toast.inner_text()
    assert toast.get_by_role("button", name=GRADIO_MESSAGES["Close"], exact=True).count() == 1
    shoot(page, "agent-05-warning-in-chinese")


def test_an_expired_agent_login_returns_to_login_and_keeps_the_draft(
    live_server: LiveServer, context: Any, shoot: Any
) -> None:
    services = live_server.services
    services.auth.create_user("agent.expiry", PASSWORD, "agent", display_name="过期坐席")
    ticket_id = services.chat.request_handoff(services.chat.reply("居住证怎么办理").session_id).handoff
    assert ticket_id is not None
    ticket = ticket_id["ticket_id"]
    page = context.new_page()
    page.goto(live_server.url + "/agent/")
    page.locator("#agent-username input").fill("agent.expiry")
    page.locator("#agent-password input").fill(PASSWORD)
    page.locator("#agent-login-button").click()
    page.locator("#agent-console").wait_for(state="visible")
    picker = page.locator("#ticket-picker input")
    picker.fill(ticket)
    picker.press("Enter")
    page.locator("#open-ticket").click()
    page.locator("#ticket-header").get_by_text(ticket).wait_for()
    draft = "您好，居住证请携带身份证和居住证明到社区服务中心申请。"
    page.locator("#reply-box textarea").fill(draft)

    past = utcnow() - timedelta(minutes=1)  # the log-in's time is up while the agent writes
    with services.auth.engine.begin() as db:
        db.execute(
            text(
                "UPDATE staff_tokens SET expires_at = :past WHERE user_id = "
                "(SELECT id FROM staff_users WHERE username = 'agent.expiry')"
            ),
            {"past": past},
        )
    page.locator("#send-reply").click()
    page.locator("#agent-login").wait_for(state="visible")
    page.locator("#agent-login-message").get_by_text(EXPIRED_TEXT).wait_for()
    assert page.locator("#agent-console").is_hidden()
    assert services.tickets.messages(ticket) == []  # nothing was sent on the expired log-in
    shoot(page, "agent-04-login-expired")

    page.locator("#agent-password input").fill(PASSWORD)
    page.locator("#agent-login-button").click()
    page.locator("#agent-console").wait_for(state="visible")
    assert page.locator("#reply-box textarea").input_value() == draft  # the draft is back
    page.locator("#send-reply").click()
    page.locator("#agent-status").get_by_text("回复已发送").wait_for()
    assert [m.body for m in services.tickets.messages(ticket)] == [draft]


def test_admin_dashboard_is_usable_by_keyboard(live_server: LiveServer, context: Any, shoot: Any) -> None:
    live_server.services.auth.create_user("admin.keys", PASSWORD, "admin", display_name="键盘管理员")
    page = context.new_page()
    page.goto(live_server.url + "/admin/")
    keyboard_login(page, "admin", "admin.keys")
    page.locator("#knowledge-status").wait_for(state="visible")

    role = page.get_by_role
    controls = {
        "log out": role("button", name="退出登录"),
        "knowledge tab": role("tab", name="知识库"),
        "ingest": role("button", name="导入并索引"),
        "reindex": role("button", name="重新索引全部知识"),
    }
    missed, nameless = unreachable_or_nameless(page, controls)
    assert missed == [], f"not reachable with Tab: {missed}"
    assert nameless == [], f"reachable with Tab but without an accessible name: {nameless}"
    shoot(page, "admin-01-keyboard-walk-knowledge")

    analytics = role("tab", name="好差评与堵点")
    tab_to(page, analytics)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(tab) => tab.getAttribute('aria-selected') === 'true'", arg=analytics.element_handle()
    )
    page.locator("#analytics-since").wait_for(state="visible")
    controls = {
        "since": role("textbox", name="开始日期（YYYY-MM-DD）"),
        "until": role("textbox", name="结束日期（YYYY-MM-DD）"),
        "query": role("button", name="查询", exact=True),
        "export": role("button", name="导出 CSV"),
        "reports tab": role("tab", name="评测报告"),
    }
    forget_tab_order(page)
    missed, nameless = unreachable_or_nameless(page, controls)
    assert missed == [], f"not reachable with Tab: {missed}"
    assert nameless == [], f"reachable with Tab but without an accessible name: {nameless}"
    tab_to(page, controls["query"])
    page.keyboard.press("Enter")
    page.locator("#analytics-summary").wait_for(state="visible")
    shoot(page, "admin-02-keyboard-walk-analytics")

    reports = controls["reports tab"]
    tab_to(page, reports)
    page.keyboard.press("Enter")
    page.locator("#reports-refresh").wait_for(state="visible")
    forget_tab_order(page)
    controls = {"refresh": role("button", name="刷新报告"), "pick": role("combobox", name="查看报告")}
    missed, nameless = unreachable_or_nameless(page, controls)
    assert missed == [], f"not reachable with Tab: {missed}"
    assert nameless == [], f"reachable with Tab but without an accessible name: {nameless}"
    shoot(page, "admin-03-keyboard-walk-reports")
