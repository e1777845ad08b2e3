"""Fault: a uvicorn worker is SIGKILLed while chat requests are in flight (``govassist serve --workers 2``).

Citizens keep chatting on loopback; each turn carries a ``client_message_id`` and is retried (same id)
after a connection error or a 5xx. One more request is left half-sent (headers, part of the body), and
the worker that accepted it (found through ``/proc``) is killed: that client sees its connection closed
with no answer, and the retry succeeds. The supervisor must start a replacement; once that one has
started, the other original worker is killed too, so the chat that follows can only be answered by the
replacement. Afterwards the SQLite database must hold every acknowledged turn's message exactly once and
the reply each acknowledgement named. No timing is asserted.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from evals.serve_process import RunningServer, running_server, worker_pids

pytestmark = pytest.mark.e2e

ENV = {"GOVASSIST_EMBEDDING_MODE": "hash", "GOVASSIST_INDEX_GUIDES": "false", "GOVASSIST_SERVE_UI": "false"}
QUESTIONS = ["居住证怎么办理？", "电子证照能全国通用吗？", "那需要带什么材料？", "异地就医怎么备案？"]
RETRYABLE = {500, 502, 503, 504}


@dataclass
class ChatLoad:
    """Citizens chatting in threads; each turn retried with its ``client_message_id`` until answered."""

    base: str
    citizens: int = 4
    attempts: int = 120  # 0.25 s apart: half a minute
    acknowledged: dict[str, str] = field(default_factory=dict)  # client id -> the reply's message id
    failures: list[str] = field(default_factory=list)  # what a first attempt saw when it failed
    unanswered: list[str] = field(default_factory=list)  # turns that never got an answer
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._citizen, args=(n,)) for n in range(self.citizens)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def count(self) -> int:
        with self._lock:
            return len(self.acknowledged)

    def _citizen(self, n: int) -> None:
        session_id: str | None = None
        with httpx.Client(base_url=self.base, timeout=30) as http:
            turn = 0
            while not self._stop.is_set():
                client_id = f"fault-{n}-{turn}"
                body = {"message": QUESTIONS[turn % len(QUESTIONS)], "session_id": session_id}
                reply = self._send(http, {**body, "client_message_id": client_id})
                with self._lock:
                    if reply is None:
                        self.unanswered.append(client_id)
                        return
                    self.acknowledged[client_id] = reply["message_id"]
                session_id = reply["session_id"]
                turn += 1

    def _send(self, http: httpx.Client, body: dict[str, object]) -> dict[str, str] | None:
        for attempt in range(self.attempts):
            try:
                response = http.post("/api/chat", json=body)
                if response.status_code == 200:
                    return dict(response.json())
                seen = f"HTTP {response.status_code}"
                if response.status_code not in RETRYABLE:
                    with self._lock:
                        self.failures.append(seen)
                    return None
            except httpx.TransportError as error:
                seen = type(error).__name__
            if attempt == 0:
                with self._lock:
                    self.failures.append(seen)
            time.sleep(0.25)
        return None


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def startups(log: Path) -> int:
    return log.read_text(errors="replace").count("Application startup complete")


def holder(server_port: int, client_port: int, pids: list[int]) -> int | None:
    """Which of ``pids`` holds the server side of the loopback connection from ``client_port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(address.rsplit(":", 1)[1], 16) for address in fields[1:3])
            if (local, remote) == (server_port, client_port):
                inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        try:
            if any(os.readlink(fd) in inodes for fd in Path(f"/proc/{pid}/fd").iterdir()):
                return pid
        except OSError:
            continue
    return None


def half_sent(base: str, body: bytes) -> socket.socket:
    """A connection carrying a chat request's headers and only the first byte of its body."""
    host, port = base.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=30)
    head = (
        f"POST /api/chat HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    connection.sendall(head.encode() + body[:1])
    return connection


def answer_of(connection: socket.socket) -> bytes:
    """What the server sent back before closing (b"" for nothing; a reset counts as nothing)."""
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def _workers(server: RunningServer, count: int) -> list[int]:
    wait_for(lambda: len(worker_pids(server.process)) == count, f"{count} workers")
    return worker_pids(server.process)


def test_a_killed_worker_is_replaced_and_no_acknowledged_turn_is_lost_or_doubled(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "server.log"
    with running_server(data, workers=2, env=ENV, log_path=log) as server:
        wait_for(lambda: startups(log) >= 2, "both workers to start")
        first, second = _workers(server, 2)
        load = ChatLoad(server.base)
        load.start()
        try:
            wait_for(lambda: load.count() >= 8, "chat under way")
            turn = {"message": "居住证怎么办理？", "client_message_id": "fault-halfway"}
            pending = half_sent(server.base, json.dumps(turn).encode())
            port, client_port = int(server.base.rsplit(":", 1)[1]), pending.getsockname()[1]
            wait_for(lambda: holder(port, client_port, [first, second]) is not None, "a worker to take it")
            if holder(port, client_port, [first, second]) == second:
                first, second = second, first
            os.kill(first, signal.SIGKILL)  # the worker in the middle of that request
            assert answer_of(pending) == b""  # the client sees the connection close, with no answer
            pending.close()
            retried = httpx.post(f"{server.base}/api/chat", json=turn, timeout=60)
            assert retried.status_code == 200, retried.text
            load.acknowledged["fault-halfway"] = retried.json()["message_id"]
            wait_for(
                lambda: f"Child process [{first}] died" in log.read_text(errors="replace"), "the supervisor"
            )
            replacement = [pid for pid in _workers(server, 2) if pid not in (first, second)]
            assert len(replacement) == 1
            wait_for(lambda: startups(log) >= 3, "the replacement to start")
            os.kill(second, signal.SIGKILL)
            served = load.count()
            wait_for(lambda: load.count() >= served + 8, "answers from the replacement alone")
            assert replacement[0] in worker_pids(server.process)  # it served them and is still there
            assert server.process.poll() is None
        finally:
            load.stop()
        assert not load.unanswered, f"turns never answered: {load.unanswered}"
        assert all(re.fullmatch(r"HTTP 5\d\d|\w+Error", seen) for seen in load.failures), load.failures

    with sqlite3.connect(data / "govassist.db") as db:
        asked = dict(
            db.execute(
                "SELECT client_id, COUNT(*) FROM chat_messages WHERE client_id LIKE 'fault-%' GROUP BY client_id"
            ).fetchall()
        )
        replies = {row[0] for row in db.execute("SELECT id FROM chat_messages WHERE role = 'assistant'")}
    assert {client_id: asked.get(client_id, 0) for client_id in load.acknowledged} == dict.fromkeys(
        load.acknowledged, 1
    )
    assert set(load.acknowledged.values()) <= replies
