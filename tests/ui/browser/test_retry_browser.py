"""A failed send on the citizen page: the request never arrives, or arrives and the answer is lost on
the way back (a 502), or the server fails to answer. The typed text stays, 重试 appears, and retrying
sends the same message with the same client id, so the server stores it once and the conversation
shows it once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from tests.ui.browser.conftest import DESKTOP, Console, LiveServer
from tests.ui.browser.pages import BOT, ask, open_page, wait_for_answer
from ui.citizen_assets import PENDING_KEY, RETRY_TEXT

QUESTIONS = {
    "never_arrives": "电子证照能在全国通用吗？",
    "answer_lost": "什么是跨省通办？",
    "server_error": "“高效办成一件事”是什么？",
}
NETWORK_NOISE = ("Failed to load resource", "net::ERR_")


def stored(live_server: LiveServer, client_id: str) -> dict[str, int] | None:
    """How many user and assistant messages the session of ``client_id``'s message holds."""
    with live_server.services.store.engine.connect() as db:
        session = db.execute(
            text("SELECT session_id FROM chat_messages WHERE client_id = :id"), {"id": client_id}
        ).scalar()
        if session is None:
            return None
        rows = db.execute(
            text("SELECT role, COUNT(*) FROM chat_messages WHERE session_id = :s GROUP BY role"),
            {"s": session},
        ).all()
    return {str(role): int(count) for role, count in rows}


def wait_until_answered(live_server: LiveServer, client_id: str, limit_s: float = 30) -> None:
    """Until the server has stored an answer in the session of ``client_id``'s message."""
    deadline = time.monotonic() + limit_s
    while (stored(live_server, client_id) or {}).get("assistant", 0) < 1:
        assert time.monotonic() < deadline, "the server did not answer the first attempt"
        time.sleep(0.1)


@pytest.mark.parametrize("failure", list(QUESTIONS))
def test_a_failed_send_offers_retry_which_sends_the_same_message_once(
    browser: Any, live_server: LiveServer, shoot: Any, failure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = QUESTIONS[failure]
    chat = live_server.services.chat
    answer = chat.stream
    broken: list[str | None] = []

    def fails_once(message: str, *args: Any, client_id: str | None = None) -> Iterator[Any]:
        if not broken:
            broken.append(client_id)
            raise RuntimeError("the answerer is down")
        yield from answer(message, *args, client_id=client_id)

    if failure == "server_error":
        monkeypatch.setattr(chat, "stream", fails_once)
    console = Console()
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(30_000)  # under a loaded CI machine
    context.on("page", console.watch)
    try:
        page = open_page(context, live_server.url)
        failed: list[str] = []

        def fail_first_send(route: Any) -> None:
            if failed or failure == "server_error" or question not in (route.request.post_data or ""):
                route.continue_()
                return
            failed.append(route.request.url)
            if failure == "never_arrives":
                route.abort("connectionreset")
            else:  # the server gets the message; the browser gets a gateway error instead of the reply
                route.fetch()
                route.fulfill(status=502, body="Bad Gateway")

        page.route("**/gradio_api/queue/join*", fail_first_send)
        if failure == "never_arrives":  # Gradio reloads the page once the lost connection is back
            with page.expect_event("load", timeout=30_000):
                ask(page, question)
        else:
            ask(page, question)
        bar = page.locator("#retry-bar")
        bar.get_by_text(RETRY_TEXT[:12]).wait_for()
        assert failed or broken, "the send did not fail"
        typed = page.locator("#question-input textarea")
        page.wait_for_function("(box) => box.value.length > 0", arg=typed.element_handle())
        assert typed.input_value() == question  # nothing typed is lost, even across the reload
        shoot(page, f"citizen-17-retry-offered-{failure}")
        client_id = page.evaluate(f"() => JSON.parse(sessionStorage.getItem('{PENDING_KEY}')).id")
        assert broken in ([], [client_id])  # the id the server got is the one kept for 重试
        if failure == "answer_lost":
            wait_until_answered(live_server, client_id)
        else:
            assert stored(live_server, client_id) is None

        page.locator("#retry-button").click()
        page.locator(f"{BOT} details.citation").first.wait_for(state="visible")
        wait_for_answer(page)
        bar.wait_for(state="hidden")
        users = page.locator("#chat-window [data-testid='user']")
        assert users.count() == 1 and users.first.inner_text().strip() == question
        assert page.locator(BOT).count() == 1
        assert stored(live_server, client_id) == {"user": 1, "assistant": 1}  # the same id, stored once
        # the kept message is forgotten once the answer's event has run (after the answer is shown)
        page.wait_for_function(f"() => sessionStorage.getItem('{PENDING_KEY}') === null")
        shoot(page, f"citizen-18-retried-{failure}")

        ask(page, "电子证照怎么申领？")  # the next message is a new one (a new id): stored in that session
        users.nth(1).wait_for()
        wait_for_answer(page)
        page.wait_for_function(f"() => sessionStorage.getItem('{PENDING_KEY}') === null")
        assert stored(live_server, client_id) == {"user": 2, "assistant": 2}
    finally:
        context.close()
    unexpected = [e for e in console.errors if not any(noise in e for noise in NETWORK_NOISE)]
    assert unexpected == [], "console errors other than the failed request"
