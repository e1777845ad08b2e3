"""Durability benchmark: chat messages and tickets written over HTTP while the server is SIGKILLed.

Clients send ``--messages`` chat messages (each with a ``client_message_id``) and create ``--tickets``
tickets (each with an ``Idempotency-Key``) through a real ``govassist serve`` process; meanwhile the
server is killed with SIGKILL ``--kills`` times and restarted. A request that fails (connection
dropped, 5xx) is retried with the same id/key until it is acknowledged. Afterwards the database is
read directly: every acknowledged message and ticket must be there exactly once.

Run: ``python -m evals.durability [--database-url URL] --report reports/durability`` (SQLite in a
temporary folder by default; a PostgreSQL URL tests that engine). Embeddings are the hash fake here:
the benchmark is about writes, not answers.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from tqdm import tqdm

from assistant.components.database import make_engine
from assistant.settings import PROJECT_ROOT, Settings
from evals.load_test import free_port
from evals.metrics_file import write_metrics

MESSAGE_TEXT = "社保卡丢了怎么补办？（压测消息 {run}-{i}）"
TICKET_TEXT = "来电反映办事遇到问题（压测工单 {run}-{i}）"
AGENT = "durability_agent"


@dataclass
class Tally:
    """What the clients saw: acknowledged ids, retries, and errors that were not retried."""

    messages: dict[str, str] = field(default_factory=dict)  # client_message_id → stored message id
    tickets: dict[str, str] = field(default_factory=dict)  # idempotency key → ticket id
    retries: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Server:
    """``govassist serve`` as a subprocess that can be killed and restarted on the same data."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen[bytes] | None = None
        self.base = f"http://127.0.0.1:{port}"

    def start(self, timeout_s: float = 180) -> float:
        started = time.perf_counter()
        command = [sys.executable, "-m", "assistant.cli", "serve", "--no-ui", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=PROJECT_ROOT, stdout=log, stderr=log, start_new_session=True
            )
        while time.perf_counter() - started < timeout_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log}")
            try:
                if httpx.get(f"{self.base}/docs", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                time.sleep(0.2)
        raise TimeoutError("server did not start")

    def kill(self) -> None:
        """SIGKILL the server and its worker processes at once (its own process group), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)


def _post_until_acknowledged(
    http: httpx.Client, url: str, tally: Tally, *, give_up_s: float = 300, **kwargs: Any
) -> dict[str, Any]:
    """POST until a 2xx; dropped connections and 5xx are retried with the same body and headers."""
    deadline = time.monotonic() + give_up_s
    while True:
        try:
            response = http.post(url, **kwargs)
            if response.status_code < 300:
                return response.json()  # type: ignore[no-any-return]
            if response.status_code < 500 and response.status_code != 429:
                raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url}: not acknowledged in {give_up_s} s")
        with tally.lock:
            tally.retries += 1
        time.sleep(0.2)


def _client(
    server: Server, token: str, jobs: list[tuple[str, int]], run: str, tally: Tally, bar: tqdm[Any]
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=30) as http:
        session_id: str | None = None
        for kind, i in jobs:
            try:
                if kind == "message":
                    client_id = f"{run}-m{i}"
                    body = {
                        "message": MESSAGE_TEXT.format(run=run, i=i),
                        "session_id": session_id,
                        "client_message_id": client_id,
                    }
                    reply = _post_until_acknowledged(http, f"{server.base}/api/chat", tally, json=body)
                    session_id = reply["session_id"] if reply.get("outcome") != "handoff" else None
                    with tally.lock:
                        tally.messages[client_id] = str(reply["message_id"])
                else:
                    key = f"{run}-t{i}"
                    body = {"question": TICKET_TEXT.format(run=run, i=i), "category": "咨询"}
                    ticket = _post_until_acknowledged(
                        http,
                        f"{server.base}/api/agent/tickets",
                        tally,
                        json=body,
                        headers={**headers, "Idempotency-Key": key},
                    )
                    with tally.lock:
                        tally.tickets[key] = str(ticket["id"])
            except Exception as error:  # recorded, and the run goes on
                with tally.lock:
                    tally.failures.append(f"{kind} {i}: {error}")
            bar.update(1)


def benchmark_server(data: Path, database_url: str) -> tuple[Server, Settings]:
    """A server (not started) on ``data`` with hash embeddings, as the write benchmarks measure writes,
    not answers; and the same settings, for set-up done in-process (staff accounts)."""
    env = {
        **os.environ,
        "GOVASSIST_DATA_DIR": str(data),
        "GOVASSIST_EMBEDDING_MODE": "hash",
        "GOVASSIST_DATABASE_URL": database_url,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    settings = Settings(_env_file=None, data_dir=data, database_url=database_url)  # type: ignore[call-arg]
    return Server(env, free_port(), data / "server.log"), settings


def login(server: Server, username: str, password: str) -> str:
    """A staff bearer token from the running server."""
    response = httpx.post(
        f"{server.base}/api/agent/login", json={"username": username, "password": password}, timeout=30
    )
    response.raise_for_status()
    return str(response.json()["token"])


def verify(database_url: str, run: str, tally: Tally) -> dict[str, Any]:
    """Every acknowledged write present exactly once; nothing written twice."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as db:
            stored = Counter(
                str(row[0])
                for row in db.execute(
                    text("SELECT content FROM chat_messages WHERE role = 'user' AND content LIKE :p"),
                    {"p": f"%压测消息 {run}-%"},
                )
            )
            tickets = Counter(
                str(row[0])
                for row in db.execute(
                    text("SELECT question FROM tickets WHERE question LIKE :p"), {"p": f"%压测工单 {run}-%"}
                )
            )
            ticket_ids = {str(row[0]) for row in db.execute(text("SELECT id FROM tickets"))}
    finally:
        engine.dispose()
    message_texts = {cid: MESSAGE_TEXT.format(run=run, i=cid.rsplit("-m", 1)[1]) for cid in tally.messages}
    return {
        "messages_acknowledged": len(tally.messages),
        "messages_lost": sum(1 for t in message_texts.values() if stored[t] == 0),
        "messages_duplicated": sum(1 for n in stored.values() if n > 1),
        "tickets_acknowledged": len(tally.tickets),
        "tickets_lost": sum(1 for ticket_id in tally.tickets.values() if ticket_id not in ticket_ids),
        "tickets_duplicated": sum(1 for n in tickets.values() if n > 1),
    }


def run(
    report_dir: Path,
    database_url: str = "",
    messages: int = 10_000,
    tickets: int = 1_000,
    kills: int = 3,
    clients: int = 8,
) -> dict[str, Any]:
    """The whole benchmark; writes ``report_dir/metrics.json`` and returns the figures."""
    run_id = secrets.token_hex(4)
    with tempfile.TemporaryDirectory(prefix="govassist-durability-") as tmp:
        data = Path(tmp)
        server, settings = benchmark_server(data, database_url)
        from assistant.handoff.auth import create_staff_user

        password = secrets.token_urlsafe(16)
        create_staff_user(settings, f"{AGENT}_{run_id}", password, "agent")
        first_start = server.start()
        token = login(server, f"{AGENT}_{run_id}", password)
        jobs = [("message", i) for i in range(messages)] + [("ticket", i) for i in range(tickets)]
        jobs.sort(key=lambda job: (job[1] * (10 if job[0] == "ticket" else 1), job[0]))  # interleaved
        shares = [jobs[n::clients] for n in range(clients)]
        tally = Tally()
        total = len(jobs)
        restarts: list[float] = []
        started = time.perf_counter()
        with tqdm(total=total, desc="durability", unit="req") as bar:
            threads = [
                threading.Thread(target=_client, args=(server, token, share, run_id, tally, bar))
                for share in shares
            ]
            for thread in threads:
                thread.start()
            for k in range(kills):
                target = total * (k + 1) // (kills + 1)
                while bar.n < target and any(t.is_alive() for t in threads):
                    time.sleep(0.05)
                server.kill()
                restarts.append(round(server.start(), 2))
            for thread in threads:
                thread.join()
        wall = time.perf_counter() - started
        server.stop()
        figures = verify(settings.resolved_database_url, run_id, tally)
    metrics = {
        "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
        "messages_sent": messages,
        "tickets_sent": tickets,
        "kills": kills,
        "clients": clients,
        **figures,
        "retries": tally.retries,
        "failures": len(tally.failures),
        "failure_examples": tally.failures[:5],
        "first_start_s": round(first_start, 2),
        "restart_s": restarts,
        "wall_s": round(wall, 1),
        "passed": not tally.failures
        and figures["messages_lost"] == figures["messages_duplicated"] == 0
        and figures["tickets_lost"] == figures["tickets_duplicated"] == 0
        and figures["messages_acknowledged"] == messages
        and figures["tickets_acknowledged"] == tickets,
    }
    write_metrics(report_dir, metrics)
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default="", help="empty: SQLite in a temporary folder")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--tickets", type=int, default=1_000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--report", type=Path, default=PROJECT_ROOT / "reports" / "durability")
    args = parser.parse_args(argv)
    metrics = run(args.report, args.database_url, args.messages, args.tickets, args.kills, args.clients)
    print(json.dumps(metrics, ensure_ascii=False, indent=2))
    return 0 if metrics["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
