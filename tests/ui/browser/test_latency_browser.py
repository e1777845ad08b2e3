"""Where the time goes between 发送 and the answer's first words on the citizen page (offline mode).

Each question is sent with a click; the page marks, in its own clock, the click event, the start of the
send's request and the first answer text; the server marks, in its clock, when the page's handler
starts, when the service yields its first words and when the handler yields them to Gradio (the two
clocks are not compared: this machine's wall clock is adjusted while it runs). The stages and the
machine's load go to ``test-artifacts/browser_latency.json``; nothing here is asserted about time
(the target, ≤ 300 ms, is reported). For figures worth quoting, run it alone:
``flock /tmp/govassist-bench.lock .venv/bin/python -m pytest -q tests/ui/browser/test_latency_browser.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Iterator
from typing import Any

import pytest

import ui.citizen as citizen
import ui.citizen_handlers as citizen_handlers
from tests.ui.browser.conftest import ARTIFACTS, LiveServer
from tests.ui.browser.pages import BOT, open_page, send_marks, watch_send
from ui.citizen_assets import PENDING_KEY

QUESTIONS = [
    "电子证照能在全国通用吗？",
    "什么是跨省通办？",
    "失业保险金怎么申领？",
    "“高效办成一件事”是什么？",
    "政务服务“好差评”怎么评？",
    "医保怎么异地备案？",
]
LATENCY_FILE = ARTIFACTS / "browser_latency.json"
JOIN = """(click) => { const starts = performance.getEntriesByType('resource')
  .filter((r) => r.name.includes('queue/join')).map((r) => performance.timeOrigin + r.startTime)
  .filter((t) => t >= click - 1);
  return starts.length ? Math.min(...starts) : null; }"""
"""When the send's own request started (the first queue join after the click, not the ticket poll's)."""


def _now_ms() -> float:
    return time.time() * 1000


def test_send_to_first_words_by_stage(
    live_server: LiveServer, context: Any, monkeypatch: pytest.MonkeyPatch, artifacts: Any
) -> None:
    marks: dict[str, float] = {}
    chat = live_server.services.chat
    stream, respond = chat.stream, citizen_handlers.respond  # the one ui.citizen calls

    def timed_stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for event in stream(*args, **kwargs):
            marks.setdefault("service_first", _now_ms())
            yield event

    def timed_respond(*args: Any, **kwargs: Any) -> Iterator[Any]:
        marks["handler"] = _now_ms()
        for turn in respond(*args, **kwargs):
            if "service_first" in marks:
                marks.setdefault("handler_yield", _now_ms())
            yield turn

    monkeypatch.setattr(chat, "stream", timed_stream)
    monkeypatch.setattr(citizen, "respond", timed_respond)
    load_before = os.getloadavg()
    page = open_page(context, live_server.url)
    rows: list[dict[str, Any]] = []
    for number, question in enumerate(["什么是一网通办？", *QUESTIONS]):  # the first one warms the page up
        marks.clear()
        page.locator("#question-input textarea").fill(question)
        page.evaluate("() => performance.clearResourceTimings()")
        watch_send(page, question)
        page.locator("#send-button").click()
        shown = send_marks(page)
        page.wait_for_function(f"() => sessionStorage.getItem('{PENDING_KEY}') === null")  # turn over
        click, answer = shown["click"], shown["answer"]
        assert click is not None and answer is not None
        joined = page.evaluate(JOIN, click)
        assert joined is not None
        assert {"handler", "service_first", "handler_yield"} <= set(marks)
        assert page.locator(BOT).last.inner_text().strip()
        if number == 0:
            continue
        rows.append(
            {
                "question": question,
                "page_click_to_request_ms": round(joined - click),
                "server_handler_to_service_first_words_ms": round(marks["service_first"] - marks["handler"]),
                "server_service_to_handler_yield_ms": round(marks["handler_yield"] - marks["service_first"]),
                "page_click_to_first_words_ms": round(answer - click),
                "placeholder_shown": shown["thinking"] is not None,
            }
        )
    stages = [key for key in rows[0] if key.endswith("_ms")]
    result = {
        "target_ms": 300,
        "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "median_ms": {k: statistics.median(r[k] for r in rows) for k in stages},
        "max_ms": {k: max(r[k] for r in rows) for k in stages},
        "questions": rows,
    }
    LATENCY_FILE.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
