"""Keyboard reach on the citizen page: every primary control is in the Tab order, has an accessible name
(found by role and name, as a screen reader would announce it) and works with Enter or Space."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from assistant.chat import STARTER_QUESTIONS
from tests.ui.browser.conftest import LiveServer
from tests.ui.browser.pages import BOT, open_page, wait_for_answer
from ui.citizen_assets import LARGE_TEXT_CLASS

MAX_TABS = 250
WALK_STEP = """(step) => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  if (el.dataset.tabOrder) return el.dataset.tabOrder;
  el.dataset.tabOrder = String(step);
  return '';
}"""
NAMED = re.compile(r'^- (?:\w+ "[^"]+"|text: \S)')
"""An aria snapshot's first line that gives the element a non-empty accessible name."""


def walk_tab_order(page: Any) -> int:
    """Press Tab from the top of the page until focus comes back round; each focused element gets a
    ``data-tab-order``. Returns how many distinct elements were reached."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    reached = 0
    for step in range(MAX_TABS):
        page.keyboard.press("Tab")
        seen = page.evaluate(WALK_STEP, step)
        if seen:  # an element reached before: the order has wrapped round
            break
        if seen == "":
            reached += 1
    return reached


def reached_snapshots(page: Any) -> list[tuple[Any, str]]:
    """Each element the last Tab walk reached, with the first lines of its aria snapshot. An element
    that has left the page since (a notice that timed out) is skipped rather than waited for. The snapshot
    may wait up to 15 s (the contexts' default): 5 s ran out once on a loaded CI machine with the element
    on the page."""
    orders = page.locator("[data-tab-order]").evaluate_all("(els) => els.map((e) => e.dataset.tabOrder)")
    found = []
    for order in orders:
        element = page.locator(f'[data-tab-order="{order}"]')
        try:
            found.append((element, element.aria_snapshot(timeout=15_000)))
        except PlaywrightTimeout:
            if element.count():
                raise
    return found


def tab_to(page: Any, target: Any) -> None:
    """Press Tab until ``target`` has the focus (fails if it is not reached within ``MAX_TABS``)."""
    handle = target.element_handle()
    for _ in range(MAX_TABS):
        if page.evaluate("(el) => el === document.activeElement", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} is not reachable with Tab")


def test_every_primary_control_is_reachable_named_and_operable_by_keyboard(
    live_server: LiveServer, context: Any, shoot: Any
) -> None:
    page = open_page(context, live_server.url)
    question = page.get_by_role("textbox", name="您的问题")
    tab_to(page, question)
    page.keyboard.type("什么是跨省通办？")
    page.keyboard.press("Enter")  # Enter in the input sends
    wait_for_answer(page)
    page.locator(f"{BOT} details.citation").first.wait_for(state="visible")

    assert walk_tab_order(page) > 10
    controls = {
        "question input": question,
        "send": page.get_by_role("button", name="发送", exact=True),
        "handoff": page.get_by_role("button", name="转人工", exact=True),
        "large text": page.get_by_role("button", name="大字高对比模式（适老化）"),
        "简体": page.get_by_role("radio", name="简体"),
        "good rating": page.get_by_role("button", name="赞").last,
        "bad rating": page.get_by_role("button", name="踩").last,
        "citation": page.locator(f"{BOT} details.citation summary").first,
        **{f"starter {q}": page.get_by_role("button", name=q, exact=True) for q in STARTER_QUESTIONS},
    }
    unreachable = [name for name, c in controls.items() if c.get_attribute("data-tab-order") is None]
    assert unreachable == [], f"not reachable with Tab: {unreachable}"
    nameless = [snapshot for _, snapshot in reached_snapshots(page) if not NAMED.match(snapshot)]
    assert nameless == [], f"reachable with Tab but without an accessible name: {nameless}"
    shoot(page, "citizen-15-keyboard-walk")

    tab_to(page, controls["good rating"])
    page.keyboard.press("Enter")
    page.locator("#chat-notice").get_by_text("感谢您的好评").wait_for()

    large = f"() => document.documentElement.classList.contains('{LARGE_TEXT_CLASS}')"
    tab_to(page, controls["large text"])
    page.keyboard.press("Space")
    page.wait_for_function(large)
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => !({large})()")

    tab_to(page, page.get_by_role("radio", name="繁體"))
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('#chat-window').innerText.includes('跨省通辦')")
    tab_to(page, controls["简体"])
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('#chat-window').innerText.includes('跨省通办')")

    starter = STARTER_QUESTIONS[1]
    tab_to(page, controls[f"starter {starter}"])
    page.keyboard.press("Enter")
    page.locator("#chat-window [data-testid='user']").get_by_text(starter).wait_for()
    wait_for_answer(page)

    tab_to(page, question)
    page.keyboard.type("新生儿落户需要什么材料")
    tab_to(page, controls["send"])
    page.keyboard.press("Space")
    page.locator("#chat-window [data-testid='user']").get_by_text("新生儿落户需要什么材料").wait_for()
    wait_for_answer(page)

    tab_to(page, controls["handoff"])
    page.keyboard.press("Enter")
    page.locator("#ticket-status").get_by_text("工单号").wait_for()
    shoot(page, "citizen-16-keyboard-handoff")
