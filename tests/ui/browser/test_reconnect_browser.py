"""A failed click on the citizen page (a starter question, a guided-flow option): 重试 sends the same
message with the same client id; after Gradio's reconnect reload the conversation so far is shown again
(the tab keeps its session id); Gradio's own connection notices are shown in Chinese, and the page's own
in Traditional when 繁體 is chosen."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.chat import STARTER_QUESTIONS
from tests.ui.browser.conftest import DESKTOP, Console, LiveServer
from tests.ui.browser.pages import BOT, NEW_ANSWER, ask, open_page, simplified_texts, wait_for_answer
from tests.ui.browser.test_retry_browser import NETWORK_NOISE, stored
from ui.citizen_assets import PENDING_KEY, RETRY_TEXT, SESSION_KEY
from ui.citizen_render import SIMPLIFIED, TRADITIONAL, to_script
from ui.page_messages import GRADIO_MESSAGES

LOST = "Connection to the server was lost. Attempting reconnection..."
USERS = "#chat-window [data-testid='user']"
TOAST = "[data-testid='toast-body']"
UNCOVERED = """(el) => { const box = el.getBoundingClientRect();
  return el.contains(document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)); }"""


@pytest.fixture
def watched(browser: Any) -> Iterator[tuple[Any, Console]]:
    console = Console()
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(15_000)
    context.on("page", console.watch)
    yield context, console
    context.close()
    unexpected = [e for e in console.errors if not any(noise in e for noise in NETWORK_NOISE)]
    assert unexpected == [], "console errors other than the failed request"


def test_a_lost_click_is_retried_after_the_reload_with_the_conversation_restored(
    live_server: LiveServer, watched: tuple[Any, Console], shoot: Any
) -> None:
    context, _ = watched
    page = open_page(context, live_server.url)
    ask(page, "什么是跨省通办？")
    page.locator(f"{BOT} details.citation").first.wait_for(state="visible")
    wait_for_answer(page)
    kept = f"() => sessionStorage.getItem('{SESSION_KEY}')"
    page.wait_for_function(kept)  # the tab keeps the session id once the turn's follow-up has run
    session_id = page.evaluate(kept)
    assert session_id.startswith("s_")

    aborted: list[str] = []

    def lose_the_next_send(route: Any) -> None:
        if aborted:
            route.continue_()
            return
        aborted.append(route.request.post_data or "")
        route.abort("connectionreset")

    page.route("**/gradio_api/queue/join*", lose_the_next_send)
    question = STARTER_QUESTIONS[1]
    with page.expect_event("load", timeout=30_000):  # Gradio reloads the page once it reconnects
        page.locator("#starter-questions").get_by_role("button", name=question, exact=True).click()
        toast = page.locator(TOAST).first
        toast.get_by_text(GRADIO_MESSAGES[LOST]).wait_for()
        text = toast.inner_text()
        assert "Error" not in text and "Connection" not in text
        assert toast.get_by_role("button", name=GRADIO_MESSAGES["Close"], exact=True).count() == 1
        shoot(page, "citizen-19-connection-lost-notice")
    pending = page.evaluate(f"() => JSON.parse(sessionStorage.getItem('{PENDING_KEY}'))")
    assert aborted and pending["text"] == question and pending["id"] in aborted[0]

    page.locator("#retry-bar").get_by_text(RETRY_TEXT[:12]).wait_for()
    users = page.locator(USERS)
    users.first.wait_for()  # the conversation before the reload is shown again, sources included
    assert [users.nth(i).inner_text().strip() for i in range(users.count())] == ["什么是跨省通办？"]
    page.locator(f"{BOT} details.citation").first.wait_for(state="visible")
    assert "跨省通办" in page.locator(BOT).last.inner_text()
    assert page.locator("#question-input textarea").input_value() == ""  # a click puts nothing in the box
    shoot(page, "citizen-20-restored-after-reload")

    page.locator("#retry-button").click()
    users.nth(1).wait_for()
    assert users.nth(1).inner_text().strip() == question
    page.wait_for_function(f"() => sessionStorage.getItem('{PENDING_KEY}') === null")
    wait_for_answer(page)
    assert "电子证照" in page.locator(BOT).last.inner_text()
    assert stored(live_server, pending["id"]) == {"user": 2, "assistant": 2}  # one session, no repeats
    assert page.evaluate(f"() => sessionStorage.getItem('{SESSION_KEY}')") == session_id
    page.locator("#retry-bar").wait_for(state="hidden")


def test_a_failed_option_click_offers_retry_in_the_chosen_script(
    live_server: LiveServer, watched: tuple[Any, Console], monkeypatch: pytest.MonkeyPatch, shoot: Any
) -> None:
    context, _ = watched
    context.set_default_timeout(30_000)  # under a loaded CI machine (a first guided answer took > 15 s)
    page = open_page(context, live_server.url)
    page.locator("#script-toggle").get_by_role("radio", name=TRADITIONAL).check()
    draft = "我正在写的另一个问题"
    chat = live_server.services.chat
    answer = chat.stream
    ids: list[str | None] = []

    def fails_once(message: str, *args: Any, client_id: str | None = None) -> Iterator[Any]:
        ids.append(client_id)
        if len(ids) == 1:
            raise RuntimeError("the answerer is down")
        yield from answer(message, *args, client_id=client_id)

    ask(page, "孩子刚出生要办什么")
    options = page.locator("#guide-options button:visible")
    options.first.wait_for()
    page.locator("#question-input textarea").fill(draft)  # typed, not sent, while the option is clicked
    monkeypatch.setattr(chat, "stream", fails_once)
    before = page.locator(BOT).last.inner_text()
    chosen = options.first.inner_text()
    options.first.click()
    toast = page.locator(TOAST).filter(has_text=to_script(RETRY_TEXT, TRADITIONAL)[:10]).first
    toast.wait_for()
    assert to_script(GRADIO_MESSAGES["Error"], TRADITIONAL) in toast.inner_text()
    bar = page.locator("#retry-bar")
    bar.get_by_text(to_script(RETRY_TEXT, TRADITIONAL)).wait_for()  # the bar in the chosen script too
    assert bar.get_by_role("button").inner_text().strip() == to_script("重试", TRADITIONAL) == "重試"
    assert page.locator("#question-input textarea").input_value() == draft  # the draft is left alone
    assert page.locator("#send-button").inner_text().strip() == "發送"
    assert page.get_by_role("textbox", name="您的問題").get_attribute("placeholder") == to_script(
        "请输入您想咨询的政务服务问题，按回车发送", TRADITIONAL
    )
    assert simplified_texts(page) == [], "fixed texts still in Simplified under 繁體"
    question = page.locator(BOT).last
    question.scroll_into_view_if_needed()
    assert question.evaluate(UNCOVERED), "the conversation is hidden behind the error"
    shoot(page, "citizen-21-option-retry-traditional")

    page.locator("#retry-button").click()
    page.wait_for_function(NEW_ANSWER, arg=[BOT, before])
    page.wait_for_function(f"() => sessionStorage.getItem('{PENDING_KEY}') === null")
    assert len(ids) == 2 and ids[0] == ids[1] and ids[0]  # the same message, the same client id
    users = page.locator(USERS)
    assert users.last.inner_text().strip() == to_script(chosen, TRADITIONAL)
    assert page.locator("#question-input textarea").input_value() == draft
    assert stored(live_server, str(ids[0])) == {"user": 2, "assistant": 2}
    session_id = page.evaluate(f"() => sessionStorage.getItem('{SESSION_KEY}')")
    said = [m.content for m in live_server.services.store.messages(session_id) if m.role == "user"]
    assert to_script(said[-1], SIMPLIFIED) == said[-1] != chosen  # the button showed it in 繁體 and
    assert to_script(said[-1], TRADITIONAL) == chosen  # sent the option's own (Simplified) text

    options.first.wait_for()  # the next question's buttons are shown in Traditional too
    deadline = time.monotonic() + 10
    while simplified_texts(page):
        assert time.monotonic() < deadline, simplified_texts(page)
        time.sleep(0.1)
    shoot(page, "citizen-24-traditional-options")
