"""The load sweep's client and figures, against a small in-process chat app (no server, no timing asserts)."""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from evals import load_sweep
from evals.load_sweep import FOLLOW_UPS, RunResult, Turn
from evals.serve_process import free_port
from tests.handoff_db import BACKENDS, database_engine

QUESTIONS = ["居住证怎么办理？", "电子证照能全国通用吗？", "新生儿落户要什么材料？"]


def fake_chat(fail_every: int = 0) -> tuple[FastAPI, list[dict[str, Any]]]:
    """A chat endpoint that keeps sessions and answers 503 to every ``fail_every``-th request."""
    app, seen = FastAPI(), []

    @app.post("/api/chat")
    def chat(body: dict[str, Any]) -> Any:
        seen.append(body)
        if fail_every and len(seen) % fail_every == 0:
            return JSONResponse({"detail": "busy"}, status_code=503)
        return {"session_id": body["session_id"] or f"s{len(seen)}", "outcome": "answered"}

    return app, seen


def clients(app: FastAPI) -> load_sweep.ClientFactory:
    return lambda _user: load_sweep.HttpxChat(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sweep")
    )


def test_citizens_hold_multi_turn_sessions_within_their_turn_budget() -> None:
    app, seen = fake_chat()
    result = asyncio.run(load_sweep.run_level(clients(app), 3, "t", QUESTIONS, 60.0, (0.0, 0.0), 5))
    assert len(result.turns) == len(seen) == 15  # 3 citizens x 5 turns, well before the deadline
    assert {t.status for t in result.turns} == {200}
    assert len({t.client_id for t in result.turns}) == 15  # every turn has its own client_message_id
    # A session opens with a dataset question (no session id) and goes on with follow-ups in that session.
    openers = [b for b in seen if b["session_id"] is None]
    assert openers and all(b["message"] in QUESTIONS for b in openers)
    assert all(b["message"] in FOLLOW_UPS for b in seen if b["session_id"] is not None)
    assert len(openers) < len(seen)


def test_the_deadline_bounds_a_run() -> None:
    app, _ = fake_chat()
    result = asyncio.run(load_sweep.run_level(clients(app), 2, "t", QUESTIONS, 0.0, (0.0, 0.0), 1000))
    assert result.turns == []


def test_errors_are_counted_by_status_and_left_out_of_latencies() -> None:
    app, _ = fake_chat(fail_every=4)
    result = asyncio.run(load_sweep.run_level(clients(app), 2, "t", QUESTIONS, 60.0, (0.0, 0.0), 6))
    stats = load_sweep.run_stats(result)
    assert stats["requests"] == 12 and stats["errors"] == 3
    assert stats["error_codes"] == {"503": 3} and stats["error_rate"] == 0.25
    assert stats["p50_ms"] is not None and stats["throughput_rps"] > 0


def test_scripts_are_seeded() -> None:
    one = load_sweep.session_script(random.Random("x"), QUESTIONS)
    assert one == load_sweep.session_script(random.Random("x"), QUESTIONS)
    assert one[0] in QUESTIONS and 2 <= len(one) <= 3


def _run(
    level: int, latencies: list[float], statuses: list[int] | None = None, wall: float = 10.0
) -> RunResult:
    codes = statuses or [200] * len(latencies)
    turns = [
        Turn(0, ms, code, f"sweep-{i}") for i, (ms, code) in enumerate(zip(latencies, codes, strict=True))
    ]
    return RunResult(level, wall, turns)


def test_level_figures_pool_runs_and_give_their_spread_and_the_targets() -> None:
    runs = [_run(50, [100.0] * 99 + [250.0]), _run(50, [120.0] * 100), _run(50, [90.0] * 50, wall=5.0)]
    level = load_sweep.level_stats(runs)
    assert level["pooled"]["requests"] == 250 and level["pooled"]["errors"] == 0
    assert (
        level["spread"]["throughput_rps"]["min"] == 10.0 and level["spread"]["throughput_rps"]["max"] == 10.0
    )
    assert level["spread"]["p50_ms"]["min"] == 90.0 and level["spread"]["p50_ms"]["max"] == 120.0
    assert len(level["runs"]) == 3
    assert load_sweep.targets([level]) == {"error_rate_below_1pct": True, "p95_at_most_300ms": True}
    slow = load_sweep.level_stats([_run(50, [400.0] * 98 + [1.0, 1.0], [200] * 98 + [429, 0])])
    assert load_sweep.targets([slow]) == {"error_rate_below_1pct": False, "p95_at_most_300ms": False}
    assert slow["pooled"]["error_codes"] == {"429": 1, "0": 1}
    assert load_sweep.targets([load_sweep.level_stats([_run(10, [1.0])])])["p95_at_most_300ms"] is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_database_check_finds_missing_and_duplicated_turns(backend: str, tmp_path: Path) -> None:
    with database_engine(backend, tmp_path) as engine:
        with engine.begin() as db:
            db.execute(text("CREATE TABLE chat_messages (client_id TEXT)"))
            db.execute(
                text("INSERT INTO chat_messages VALUES (:c)"),
                [{"c": "sweep-a"}, {"c": "sweep-b"}, {"c": "sweep-b"}, {"c": None}],
            )
        url = engine.url.render_as_string(hide_password=False)
        stored = load_sweep.stored_exactly_once(url, ["sweep-a", "sweep-b", "sweep-c"])
    assert stored == {"acknowledged": 3, "missing": 1, "duplicated": 1}


def test_the_report_names_the_database_engine() -> None:
    assert load_sweep.database_label("") == "SQLite"
    assert load_sweep.database_label("postgresql+psycopg://u@127.0.0.1:5432/db") == "PostgreSQL"
    assert load_sweep.database_label("sqlite:////tmp/x.db") == "SQLite"


def test_the_summary_has_a_row_per_level_and_the_targets() -> None:
    levels = [load_sweep.level_stats([_run(n, [50.0, 80.0])]) for n in (1, 50)]
    metrics = {
        "setup": {
            "workers": 2,
            "runs": 1,
            "duration_s": 20.0,
            "warmup_s": 10.0,
            "think_s": [0.5, 1.5],
            "rate_limit_chat_per_minute": 60,
            "machine": "2 CPU cores",
            "load_before": "1.00 1.00 1.00",
            "load_after": "2.00 1.50 1.00",
        },
        "levels": levels,
        "targets": load_sweep.targets(levels),
        "stored": {"acknowledged": 4, "missing": 0, "duplicated": 0},
    }
    text = load_sweep.render_summary(metrics)
    assert "| 1 | 2 |" in text and "| 50 | 2 |" in text
    assert "p95 ≤ 300 ms: True" in text and "4 acknowledged turns, 0 missing" in text


def test_the_summary_says_when_the_rate_limit_was_off_or_when_429_came() -> None:
    levels = [load_sweep.level_stats([_run(50, [50.0])])]
    setup = {"workers": 2, "runs": 1, "duration_s": 5.0, "warmup_s": 1.0, "think_s": [0.0, 0.0]}
    setup |= {"machine": "2 CPU cores", "load_before": "1", "load_after": "1"}
    stored = {"acknowledged": 1, "missing": 0, "duplicated": 0}
    off = {**setup, "rate_limit_chat_per_minute": 0}
    text = load_sweep.render_summary({"setup": off, "levels": levels, "stored": stored} | _targets())
    assert "rate limit switched off" in text
    on = {**setup, "rate_limit_chat_per_minute": 60, "rate_limit_first_429_after": 63}
    text = load_sweep.render_summary({"setup": on, "levels": levels, "stored": stored} | _targets())
    assert "60/min per citizen" in text and "429 after 63 quick requests" in text


def _targets() -> dict[str, object]:
    return {"targets": {"error_rate_below_1pct": True, "p95_at_most_300ms": True}}


class _Chat(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[tuple[str, int, str]]] = []  # (client address, client port, message)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Chat.seen.append((self.client_address[0], self.client_address[1], body["message"]))
        limited = body["message"] == "too many"
        payload = json.dumps({"detail": "慢一点"} if limited else {"session_id": "s1"}, ensure_ascii=False)
        self.send_response(429 if limited else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload.encode())))
        if body["message"] == "bye":
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload.encode())

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def chat_server() -> Iterator[str]:
    _Chat.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Chat)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_the_light_client_keeps_one_connection_from_its_own_address(chat_server: str) -> None:
    async def talk() -> list[tuple[int, bytes]]:
        client = load_sweep.loopback_clients(chat_server)(3)  # citizen 3: 127.0.0.6
        try:
            return [await client.post("/api/chat", {"message": m}) for m in ("一", "too many", "bye", "二")]
        finally:
            await client.aclose()

    answers = asyncio.run(talk())
    assert [status for status, _ in answers] == [200, 429, 200, 200]
    assert (
        json.loads(answers[1][1]) == {"detail": "慢一点"} and json.loads(answers[0][1])["session_id"] == "s1"
    )
    assert {address for address, _, _ in _Chat.seen} == {"127.0.0.6"}
    ports = [port for _, port, _ in _Chat.seen]
    assert ports[0] == ports[1] == ports[2] != ports[3]  # kept alive, then reopened after "Connection: close"


def test_no_answer_is_a_connection_error() -> None:
    async def ask() -> None:
        await load_sweep.LightChat(f"http://127.0.0.1:{free_port()}", timeout_s=5).post(
            "/api/chat", {"message": "x"}
        )

    with pytest.raises(ConnectionError):
        asyncio.run(ask())
