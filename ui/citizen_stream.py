"""Reading a service's answer stream ahead of the page, so the first words are not kept waiting.

Gradio handles one yield of a page handler at a time: while it renders the “正在查找” placeholder (a
whole round of output processing and a push to the browser) the handler is paused, and the service had
not even started. ``ReadAhead`` runs the stream in its own thread from the moment the message is sent,
so the answer is produced while the page is busy, and ``ready`` lets the handler skip the placeholder
when the answer starts within a moment anyway.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead(Generic[T]):
    """Iterates ``source`` in a daemon thread; iterating this gives the same items (and raises the same
    exception) in the caller's thread. If the caller stops early the source still runs to its end (a
    chat turn is stored whether or not the page is still there to show it)."""

    def __init__(self, source: Iterator[T], name: str = "answer-read-ahead") -> None:
        self._items: queue.Queue[object] = queue.Queue()
        self._peeked: list[object] = []
        self._thread = threading.Thread(target=self._run, args=(source,), name=name, daemon=True)
        self._thread.start()

    def _run(self, source: Iterator[T]) -> None:
        try:
            for item in source:
                self._items.put(item)
        except BaseException as error:  # handed to the reader, raised there
            self._items.put(_Failed(error))
            return
        self._items.put(_DONE)

    def ready(self, within_s: float) -> bool:
        """Whether the next item (or the end, or an error) arrives within ``within_s`` seconds."""
        if self._peeked:
            return True
        try:
            self._peeked.append(self._items.get(timeout=within_s))
        except queue.Empty:
            return False
        return True

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._peeked.pop() if self._peeked else self._items.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
