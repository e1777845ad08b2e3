"""An agent answers a citizen from a second browser: the citizen hands off (转人工) at ``/``, an agent
logs in at ``/agent`` in another context (own cookies and storage), claims the ticket and replies, and
the reply appears in the citizen's conversation and ticket status."""

from __future__ import annotations

import re
from typing import Any

from tests.ui.browser.conftest import DESKTOP, Console, LiveServer
from tests.ui.browser.pages import BOT, ask, open_page, wait_for_answer

AGENT = "agent.browser"
PASSWORD = "browser-Test-2026!"
REPLY = "您好，我是坐席孙小梅。请携带出生医学证明和父母身份证到户籍派出所办理落户。"


def test_an_agent_in_a_second_browser_replies_and_the_citizen_sees_it(
    browser: Any, live_server: LiveServer, context: Any, shoot: Any
) -> None:
    live_server.services.auth.create_user(AGENT, PASSWORD, "agent", display_name="孙小梅")
    citizen = open_page(context, live_server.url)
    ask(citizen, "新生儿落户需要什么材料")
    wait_for_answer(citizen)
    citizen.locator("#handoff-button").click()
    status = citizen.locator("#ticket-status")
    status.get_by_text("工单号").wait_for()
    found = re.search(r"工单号：\s*(\S+)", status.inner_text())
    assert found is not None
    ticket_id = found.group(1)

    console = Console()
    staff = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    staff.set_default_timeout(15_000)
    staff.on("page", console.watch)
    try:
        agent = staff.new_page()
        agent.goto(live_server.url + "/agent/")
        agent.locator("#agent-username input").fill(AGENT)
        agent.locator("#agent-password input").fill(PASSWORD)
        agent.locator("#agent-login-button").click()
        agent.locator("#agent-console").wait_for(state="visible")
        assert "孙小梅" in agent.locator("#agent-user").inner_text()
        agent.locator("#agent-queue").get_by_text(ticket_id).wait_for()
        shoot(agent, "agent-01-queue")

        picker = agent.locator("#ticket-picker input")
        picker.fill(ticket_id)
        picker.press("Enter")
        agent.locator("#open-ticket").click()
        header = agent.locator("#ticket-header")
        header.get_by_text(ticket_id).wait_for()
        assert "待受理" in header.inner_text()
        queue = agent.locator("#agent-queue .agent-queue-scroll").bounding_box()
        beside = header.bounding_box()
        assert queue is not None and beside is not None
        assert queue["x"] + queue["width"] <= beside["x"]  # the queue stays in its column
        assert "新生儿落户需要什么材料" in agent.locator("#ticket-transcript").inner_text()
        agent.locator("#action-claim").click()
        header.get_by_text("已受理").wait_for()

        agent.locator("#reply-box textarea").fill(REPLY)
        agent.locator("#send-reply").click()
        agent.locator("#agent-status").get_by_text("回复已发送").wait_for()
        shoot(agent, "agent-02-replied")
    finally:
        staff.close()
    assert console.errors == [], "console errors on the agent console"

    citizen.locator(BOT).get_by_text("请携带出生医学证明和父母身份证").wait_for(timeout=15_000)
    assert "工作人员回复" in citizen.locator(BOT).last.inner_text()
    status.get_by_text("已受理").wait_for()
    assert "工作人员已回复 1 条" in status.inner_text()
    shoot(citizen, "citizen-14-agent-reply-from-console")
