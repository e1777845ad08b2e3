"""Chat turns in one process are limited to ``settings.chat_turn_slots`` at once; the rest wait their turn.

A fake answerer counts how many turns are being answered together; a barrier makes the slots really be
used together, so the test shows both that the limit is reached and that it is never passed."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from assistant.answering import Answer
from assistant.chat import ChatService
from assistant.llm_answering import LlmDelta
from assistant.sessions import SessionStore
from assistant.settings import Settings


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


class CountingAnswerer:
    """Answers every question alike, recording how many answers are being worked out at once."""

    def __init__(self, meet: int) -> None:
        self.active = 0
        self.most = 0
        self._lock = threading.Lock()
        self._meet = threading.Barrier(meet, timeout=5) if meet > 1 else None

    def answer(self, question: str) -> Answer:
        with self._lock:
            self.active += 1
            self.most = max(self.most, self.active)
        if self._meet is not None:
            self._meet.wait()
        time.sleep(0.01)
        with self._lock:
            self.active -= 1
        return Answer("answered", f"关于“{question}”的答复。\n第二行。")

    def stream(self, question: str) -> Iterator[LlmDelta | Answer]:
        result = self.answer(question)
        yield LlmDelta(result.text)
        yield result


@pytest.mark.parametrize("slots", [1, 2])
def test_no_more_turns_than_slots_are_answered_at_once(slots: int, chat_store: SessionStore) -> None:
    answerer = CountingAnswerer(meet=slots)
    chat = ChatService(_settings(chat_turn_concurrency=slots), chat_store, answerer)
    questions = [f"居住证第{n}次办理需要什么材料？" for n in range(6)]
    replies: dict[str, str] = {}

    def ask(question: str) -> None:
        replies[question] = chat.reply(question).answer

    threads = [threading.Thread(target=ask, args=(question,)) for question in questions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answerer.most == slots
    assert all(replies[q].startswith(f"关于“{q}”") for q in questions)


def test_a_gated_stream_gives_the_deltas_then_the_stored_reply(chat_store: SessionStore) -> None:
    chat = ChatService(_settings(chat_turn_concurrency=1), chat_store, CountingAnswerer(meet=1))
    events = list(chat.stream("居住证怎么办理？"))
    assert isinstance(events[0], LlmDelta) and events[-1].outcome == "answered"  # type: ignore[union-attr]
    assert [m.role for m in chat_store.messages(events[-1].session_id)] == ["user", "assistant"]  # type: ignore[union-attr]


def test_a_failed_turn_frees_its_slot(chat_store: SessionStore) -> None:
    class Failing(CountingAnswerer):
        def answer(self, question: str) -> Answer:
            raise RuntimeError("index unavailable")

    chat = ChatService(_settings(chat_turn_concurrency=1), chat_store, Failing(meet=1))
    for _ in range(2):  # a held slot would block the second turn for ever
        with pytest.raises(RuntimeError):
            chat.reply("居住证怎么办理？")


def test_the_slots_default_to_twice_the_cores_of_each_process_and_none_with_an_llm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert _settings(serve_ui=False, workers=2).chat_turn_slots == 8
    assert _settings(serve_ui=True, workers=2).chat_turn_slots == 16  # the pages: one process
    assert _settings(serve_ui=False, workers=32).chat_turn_slots == 2  # never fewer than 2
    assert _settings(chat_turn_concurrency=3).chat_turn_slots == 3
    assert _settings(llm_mode="openai").chat_turn_slots == 0  # turns wait on the network: no limit
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert _settings(serve_ui=False, workers=2).chat_turn_slots == 2  # this machine's serve --workers 2
