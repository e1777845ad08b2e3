"""The citizen page at ``/`` in headless Chromium over the real (offline) services.

Each test screenshots its states into ``test-artifacts/``; page-load and answer timings are recorded in
``test-artifacts/browser_timings.json`` (reported, not asserted). Every page must log no console errors
(the ``context`` fixture checks).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from tests.ui.browser.conftest import PHONE, LiveServer
from tests.ui.browser.pages import (
    ANSWER_STARTED,
    BOT,
    NEW_ANSWER,
    ask,
    open_page,
    reload_when_settled,
    send_marks,
    watch_send,
)
from ui.citizen_handlers import THINKING_TEXT


def test_question_gets_a_cited_answer_that_opens_its_source(
    live_server: LiveServer, context: Any, shoot: Any, timings: dict[str, Any]
) -> None:
    page = context.new_page()
    started = time.perf_counter()
    page.goto(live_server.url + "/")
    page.locator("#question-input textarea").wait_for(state="visible")
    page.locator("#starter-questions").wait_for(state="visible")
    timings["page_ready_ms"] = round((time.perf_counter() - started) * 1000)
    paint = page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
    )
    timings["first_contentful_paint_ms"] = round(paint) if paint else None
    shoot(page, "citizen-01-landing")

    watch_send(page, "什么是跨省通办？")
    ask(page, "什么是跨省通办？")
    sent = time.perf_counter()
    marks = send_marks(page)  # measured in the page: the click event to the answer's first text
    assert marks["click"] is not None and marks["answer"] is not None
    timings["send_to_first_answer_text_ms"] = round(marks["answer"] - marks["click"])
    page.locator(f"{BOT} details.citation").first.wait_for(state="visible")
    timings["send_to_cited_answer_ms"] = round((time.perf_counter() - sent) * 1000)
    answer = page.locator(BOT).last
    assert "[1]" in answer.inner_text()
    assert "跨省通办" in answer.inner_text()

    citation = answer.locator("details.citation").first
    assert citation.locator("summary").inner_text().startswith("[1] 《")
    citation.locator("summary").click()
    assert citation.locator("blockquote").is_visible()
    assert len(citation.locator("blockquote").inner_text()) > 10
    dated = answer.locator("details.citation .citation-date")  # the cited document's date
    assert dated.count() >= 1 and re.match(r"(成文日期|信息截至) \d{4}", dated.first.text_content() or "")
    shoot(page, "citizen-02-cited-answer")

    page.locator("#chat-window button[aria-label='赞']").last.click()
    page.locator("#chat-notice").get_by_text("感谢您的好评").wait_for()

    page.locator("#script-toggle").get_by_role("radio", name="繁體").check()
    page.wait_for_function("() => document.querySelector('#chat-window').innerText.includes('跨省通辦')")
    shoot(page, "citizen-03-traditional")


def test_guided_flow_by_clicking_options_ends_in_a_checklist(
    live_server: LiveServer, context: Any, shoot: Any, tmp_path: Path
) -> None:
    page = open_page(context, live_server.url)
    ask(page, "孩子刚出生要办什么")
    options = page.locator("#guide-options button:visible")
    options.first.wait_for()
    assert "新生儿出生" in page.locator(BOT).last.inner_text()
    shoot(page, "citizen-04-guided-question")
    for _ in range(6):  # answer each 情形 question with its first option, until the checklist
        question = page.locator(BOT).last.inner_text()
        if "需要准备的材料" in question:
            break
        options.first.click()
        page.wait_for_function(NEW_ANSWER, arg=[BOT, question])
    panel = page.locator("#checklist-panel")
    panel.wait_for(state="visible")
    text = panel.inner_text()
    for expected in (
        "新生儿出生",
        "需要准备的材料",
        "父母的居民身份证",
        "可用电子证照",
        "原件",
        "在哪里办",
        "收费标准",
    ):
        assert expected in text
    shoot(page, "citizen-05-checklist")

    with page.expect_download() as download_info:
        page.locator("#checklist-download").click()
    saved = tmp_path / "checklist.md"
    download_info.value.save_as(saved)
    document = saved.read_text(encoding="utf-8")
    assert "父母的居民身份证" in document and "以当地政务服务机构的最新规定" in document
    page.emulate_media(media="print")
    shoot(page, "citizen-06-checklist-print")


def test_large_text_mode_persists_after_reload(live_server: LiveServer, context: Any, shoot: Any) -> None:
    page = open_page(context, live_server.url)
    toggle = page.locator("#large-text-toggle button")
    assert toggle.get_attribute("aria-pressed") == "false"
    normal = page.evaluate("() => getComputedStyle(document.querySelector('#page-intro p')).fontSize")
    toggle.click()
    assert page.evaluate("() => document.documentElement.classList.contains('govassist-large')")
    assert toggle.get_attribute("aria-pressed") == "true"
    reload_when_settled(page)
    page.locator("#question-input textarea").wait_for(state="visible")
    page.wait_for_function("() => document.documentElement.classList.contains('govassist-large')")
    toggle = page.locator("#large-text-toggle button")
    assert toggle.get_attribute("aria-pressed") == "true"
    large = page.evaluate("() => getComputedStyle(document.querySelector('#page-intro p')).fontSize")
    assert float(large.rstrip("px")) > float(normal.rstrip("px"))
    shoot(page, "citizen-07-large-text")
    toggle.click()
    assert not page.evaluate("() => document.documentElement.classList.contains('govassist-large')")


def test_phone_viewport_has_no_horizontal_scroll(browser: Any, live_server: LiveServer, shoot: Any) -> None:
    from tests.ui.browser.conftest import Console

    console = Console()
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    phone.on("page", console.watch)
    try:
        page = open_page(phone, live_server.url)
        overflow = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        assert page.evaluate(overflow) <= 0
        shoot(page, "citizen-08-phone")
        ask(page, "电子证照能在全国通用吗？")
        page.locator(f"{BOT} details.citation").first.wait_for(state="visible")
        assert page.evaluate(overflow) <= 0
        page.locator("#large-text-toggle button").click()
        assert page.evaluate(overflow) <= 0
        shoot(page, "citizen-09-phone-answer-large-text")
    finally:
        phone.close()
    assert console.errors == []


def test_handoff_shows_the_ticket_and_the_agents_reply(
    live_server: LiveServer, context: Any, shoot: Any
) -> None:
    page = open_page(context, live_server.url)
    ask(page, "新生儿落户需要什么材料")
    page.wait_for_function(ANSWER_STARTED, arg=[BOT, THINKING_TEXT])
    page.locator("#handoff-button").click()
    status = page.locator("#ticket-status")
    status.get_by_text("工单号").wait_for()
    assert "待受理" in status.inner_text()
    assert "已转人工服务" in page.locator(BOT).last.inner_text()
    shoot(page, "citizen-10-handoff-ticket")

    ticket_id = re.search(r"工单号：\s*(\S+)", status.inner_text())
    assert ticket_id is not None
    live_server.services.handoff.reply(
        ticket_id.group(1), "坐席小林", "您好，请携带出生医学证明到派出所办理。"
    )
    page.locator(BOT).get_by_text("请携带出生医学证明到派出所办理").wait_for(timeout=10_000)
    assert "工作人员回复" in page.locator(BOT).last.inner_text()
    page.locator("#ticket-status").get_by_text("工作人员已回复 1 条").wait_for()
    shoot(page, "citizen-11-agent-reply")
