"""The load benchmark's clients against a small local HTTP server (no timing asserts)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from evals.load_test import run_clients
from evals.serve_process import group_cpu_s


class _Chat(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn answers
    seen: ClassVar[list[tuple[str, int]]] = []  # (message, client port): which connection asked what
    fail_on = ""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Chat.seen.append((body["message"], self.client_address[1]))
        failed = body["message"] == _Chat.fail_on
        payload = json.dumps({"detail": "busy"} if failed else {"outcome": "answered"}).encode()
        self.send_response(503 if failed else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Chat.seen, _Chat.fail_on = [], ""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Chat)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("kind", ["http.client", "httpx"])
def test_each_client_asks_its_share_of_the_questions_on_one_connection(server: str, kind: str) -> None:
    questions = ["问题一", "问题二", "问题三", "问题四", "问题五"]
    latencies = run_clients(server, questions, clients=3, per_client=4, kind=kind)
    assert len(latencies) == 12 and all(ms > 0 for ms in latencies)
    asked = [message for message, _port in _Chat.seen]
    assert sorted(asked) == sorted(questions[i % 5] for i in range(12))  # client n asks n*4 … n*4+3
    assert len({port for _message, port in _Chat.seen}) == 3  # one keep-alive connection per client


def test_an_answer_other_than_200_fails_the_run(server: str) -> None:
    _Chat.fail_on = "问题二"
    with pytest.raises(RuntimeError, match="1 failed requests: \\['503"):
        run_clients(server, ["问题一", "问题二"], clients=1, per_client=2)


def test_group_cpu_counts_this_process_group() -> None:
    before = group_cpu_s(os.getpgrp())
    sum(i * i for i in range(2_000_000))  # about a tenth of a second of CPU
    assert group_cpu_s(os.getpgrp()) > before
    assert group_cpu_s(2**22 + 12345) == 0.0  # no such group
