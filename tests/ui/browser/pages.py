"""Helpers the browser tests share: open the citizen page, send a question, wait for an answer."""

from __future__ import annotations

import contextlib
import time
import weakref
from typing import Any

from ui.citizen_handlers import THINKING_TEXT
from ui.citizen_render import TRADITIONAL, to_script
from ui.citizen_script import SKIP

BOT = "#chat-window [data-testid='bot']"
ANSWER_STARTED = """([selector, thinking]) => {
  const bots = document.querySelectorAll(selector);
  const last = bots[bots.length - 1];
  return !!last && last.innerText.trim().length > 0 && !last.innerText.includes(thinking);
}"""
NEW_ANSWER = """([sel, before]) => { const b = document.querySelectorAll(sel); const t = b.length ?
  b[b.length - 1].innerText : ''; return t && t !== before && !t.includes('正在查找'); }"""


HEARTBEAT = "/gradio_api/heartbeat/"
"""Gradio's heartbeat stream: open for as long as the page is, so Playwright's ``networkidle`` never comes."""
QUIET_MS = 500  # as long as ``networkidle`` waits with no request in flight
_in_flight: weakref.WeakKeyDictionary[Any, set[Any]] = weakref.WeakKeyDictionary()


def track_requests(page: Any) -> None:
    """Keep count of ``page``'s requests in flight (from now on, across reloads), for ``reload_when_settled``."""
    pending: set[Any] = set()
    _in_flight[page] = pending
    page.on("request", lambda request: pending.add(request))
    page.on("requestfinished", lambda request: pending.discard(request))
    page.on("requestfailed", lambda request: pending.discard(request))


def open_page(context: Any, url: str) -> Any:
    """A new page on the citizen assistant, once its input box is shown."""
    page = context.new_page()
    track_requests(page)
    page.goto(url + "/")
    page.locator("#question-input textarea").wait_for(state="visible")
    return page


def reload_when_settled(page: Any, timeout_ms: int = 30_000) -> None:
    """Reload once the page's own requests are done (the restore on load, an event a click started):
    a reload that cuts one off makes the browser log an AbortError, which the console check counts.

    Done means no request in flight but the heartbeat stream for ``QUIET_MS`` (``networkidle``'s rule
    with the heartbeat left out); a page that never goes quiet is reloaded after ``timeout_ms``."""
    pending = _in_flight.get(page)
    if pending is None:  # a page open_page did not open: its earlier requests are unknown
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=timeout_ms)
        page.reload()
        return
    deadline = time.monotonic() + timeout_ms / 1000
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        now = time.monotonic()
        if any(HEARTBEAT not in request.url for request in list(pending)):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= QUIET_MS / 1000:
            break
        page.wait_for_timeout(50)  # lets Playwright deliver the request events meanwhile
    page.reload()


def ask(page: Any, question: str) -> None:
    """Type ``question`` and click 发送."""
    page.locator("#question-input textarea").fill(question)
    page.locator("#send-button").click()


def wait_for_answer(page: Any) -> None:
    """Until the last assistant message has text other than the “thinking” placeholder."""
    page.wait_for_function(ANSWER_STARTED, arg=[BOT, THINKING_TEXT])


def walk_to_checklist(page: Any, question: str = "孩子刚出生要办什么", steps: int = 6) -> None:
    """Start a guided flow with ``question`` and answer each 情形 question with its first option until
    the checklist panel shows."""
    ask(page, question)
    options = page.locator("#guide-options button:visible")
    options.first.wait_for()
    for _ in range(steps):
        text = page.locator(BOT).last.inner_text()
        if "需要准备的材料" in text:
            break
        options.first.click()
        page.wait_for_function(NEW_ANSWER, arg=[BOT, text])
    page.locator("#checklist-panel").wait_for(state="visible")


WATCH_SEND = """([selector, thinking, button, question]) => {
  const marks = { click: null, thinking: null, answer: null };
  window.govassistSendMarks = marks;
  const clock = () => performance.timeOrigin + performance.now();
  const last = (sel) => { const all = document.querySelectorAll(sel); return all[all.length - 1] || null; };
  document.querySelector(button).addEventListener('click', () => { marks.click = clock(); },
    { capture: true, once: true });
  const USERS = '#chat-window [data-testid="user"]';
  const asked = document.querySelectorAll(USERS).length;  // the question is a new user message
  const watcher = new MutationObserver(() => {  // the answer under this question, not an earlier one
    if (document.querySelectorAll(USERS).length <= asked) return;
    const user = last(USERS);
    const bot = last(selector);
    if (!user || !bot || user.innerText.trim() !== question) return;
    if (!(user.compareDocumentPosition(bot) & Node.DOCUMENT_POSITION_FOLLOWING)) return;
    const text = bot.innerText;
    if (text.includes(thinking)) { if (marks.thinking === null) marks.thinking = clock(); return; }
    if (text.trim()) { marks.answer = clock(); watcher.disconnect(); }
  });
  watcher.observe(document.body, { childList: true, subtree: true, characterData: true });
}"""
"""Marks, in the page's own clock (ms since the epoch), when ``button`` is clicked and when the answer
under ``question`` first shows the placeholder and its first text."""


def watch_send(page: Any, question: str, button: str = "#send-button") -> None:
    """Start marking the send of ``question`` from ``button`` (see ``WATCH_SEND``)."""
    page.evaluate(WATCH_SEND, [BOT, THINKING_TEXT, button, question])


def send_marks(page: Any) -> dict[str, float | None]:
    """The marks once the answer's first text has shown: ``click``, ``thinking`` (or None), ``answer``."""
    page.wait_for_function("() => window.govassistSendMarks && window.govassistSendMarks.answer !== null")
    marks: dict[str, float | None] = page.evaluate("() => window.govassistSendMarks")
    return marks


SHOWN_TEXTS = """(skip) => {
  const texts = [];
  const visible = (el) => !!el && el.checkVisibility({ visibilityProperty: true, opacityProperty: false });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.nodeType === 1 ? node : node.parentElement;
    if (!element || element.closest(skip) || !visible(element)) continue;
    if (node.nodeType === 3) { if (node.nodeValue.trim()) texts.push(node.nodeValue.trim()); continue; }
    for (const name of ['aria-label', 'placeholder', 'title']) {
      const value = node.getAttribute(name);
      if (value && value.trim()) texts.push(value.trim());
    }
  }
  return texts;
}"""


def simplified_texts(page: Any) -> list[str]:
    """The texts the page shows (text, ``aria-label``, ``placeholder``, ``title`` of visible elements
    outside what the server writes in the chosen script) that are not in Traditional script."""
    shown: list[str] = page.evaluate(SHOWN_TEXTS, SKIP)
    return [text for text in dict.fromkeys(shown) if to_script(text, TRADITIONAL) != text]
