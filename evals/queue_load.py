"""Queue benchmark: 20 agents working the ticket queue at once over HTTP, latency of each operation.

Tickets are created first (as phone calls); then each agent, in its own thread, pausing ``--think-s``
between actions as a person does (0 makes it a saturation test), repeatedly lists the unassigned
queue, claims a ticket (losing races is part of the work), opens it, fetches its agent-assist
suggestions, replies, and moves it through 办理 → 反馈 → 办结. Every request's latency is recorded per
operation. ``latency_ms.*`` are the queue operations (everything but the suggestions, which run the
answering pipeline and are reported apart and in ``with_assist_ms``).

Run: ``python -m evals.queue_load [--database-url URL] --report reports/queue_load``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from assistant.components.database import make_engine
from assistant.settings import PROJECT_ROOT
from evals.durability import benchmark_server, login
from evals.metrics import percentile
from evals.metrics_file import write_metrics

ASSIST_OP = "suggestions"


def _ms(values: list[float], q: float) -> float | None:
    value = percentile(values, q)
    return round(value, 1) if value is not None else None


def _server_cpu_s(server: Any) -> float | None:
    """CPU seconds used so far by the server's processes (its master and workers: its own process
    group), from Linux ``/proc``; None elsewhere."""
    group = getattr(server.process, "pid", None)
    if group is None or not Path("/proc/self/stat").exists():
        return None
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[2]) == group:  # pgrp
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _timed(
    http: httpx.Client, method: str, url: str, op: str, samples: dict[str, list[float]], **kwargs: Any
) -> httpx.Response:
    started = time.perf_counter()
    response = http.request(method, url, **kwargs)
    samples[op].append((time.perf_counter() - started) * 1000)
    return response


def _agent(
    base: str, token: str, stop_at: float, samples: dict[str, list[float]], errors: list[str], think_s: float
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        while time.monotonic() < stop_at:
            time.sleep(think_s)
            listed = _timed(http, "GET", "/api/agent/tickets", "list", samples, params={"unassigned": True})
            items = listed.json().get("items", []) if listed.status_code == 200 else []
            if not items:
                return
            ticket_id = items[secrets.randbelow(min(len(items), 5))]["id"]
            claim = _timed(http, "POST", f"/api/agent/tickets/{ticket_id}/claim", "claim", samples)
            if claim.status_code == 409:
                continue  # another agent won the race
            if claim.status_code != 200:
                errors.append(f"claim {claim.status_code}")
                continue
            steps: list[tuple[str, str, dict[str, Any] | None]] = [
                ("GET", "?suggest=false", None),  # the console shows the ticket at once …
                ("GET", "/suggestions", None),  # … and fetches the suggestions beside it
                ("POST", "/reply", {"body": "您好，您反映的问题已收到，正在为您核实办理。"}),
                ("POST", "/start", {}),
                ("POST", "/respond", {}),
                ("POST", "/close", {"resolution": "已电话答复来电人，问题已解决。"}),
            ]
            for method, path, body in steps:
                time.sleep(think_s)  # a person reads and types between actions
                op = path.strip("/") if path.startswith("/") else "detail"
                response = _timed(
                    http, method, f"/api/agent/tickets/{ticket_id}{path}", op, samples, json=body
                )
                if response.status_code >= 300:
                    errors.append(f"{op} {response.status_code}: {response.text[:120]}")
                    break


@contextmanager
def _fresh_database(database_url: str) -> Iterator[str]:
    """``database_url`` itself for SQLite (a new file in a temporary folder anyway); for PostgreSQL a URL
    on a new, empty schema, dropped afterwards, so runs do not inherit earlier runs' tickets."""
    if not database_url.startswith("postgresql"):
        yield database_url
        return
    schema = f"queue_load_{secrets.token_hex(4)}"
    admin = make_engine(database_url)
    try:
        with admin.begin() as db:
            db.execute(text(f'CREATE SCHEMA "{schema}"'))
        scoped = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as db:
            db.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def run(
    report_dir: Path,
    database_url: str = "",
    agents: int = 20,
    tickets: int = 600,
    seconds: float = 60,
    think_s: float = 1.0,
) -> dict[str, Any]:
    """Seed ``tickets``, let ``agents`` work for up to ``seconds``; write ``metrics.json``."""
    from assistant.handoff.auth import create_staff_user

    with (
        tempfile.TemporaryDirectory(prefix="govassist-queue-") as tmp,
        _fresh_database(database_url) as scoped_url,
    ):
        data = Path(tmp)
        server, settings = benchmark_server(data, scoped_url)
        run_id = secrets.token_hex(3)  # a database may be reused between runs
        passwords = {f"queue_agent_{run_id}_{n}": secrets.token_urlsafe(16) for n in range(agents)}
        for name, password in passwords.items():
            create_staff_user(settings, name, password, "agent")
        server.start()
        try:
            tokens = [login(server, username, password) for username, password in passwords.items()]
            with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {tokens[0]}"}) as http:
                for i in range(tickets):
                    created = http.post(
                        "/api/agent/tickets", json={"question": f"来电咨询事项办理进度（排队测试 {i}）"}
                    )
                    created.raise_for_status()
            samples: dict[str, list[float]] = defaultdict(list)
            errors: list[str] = []
            stop_at = time.monotonic() + seconds
            started, cpu_before = time.perf_counter(), _server_cpu_s(server)
            threads = [
                threading.Thread(target=_agent, args=(server.base, token, stop_at, samples, errors, think_s))
                for token in tokens
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
            cpu_after = _server_cpu_s(server)
        finally:
            server.stop()
    everything = [ms for values in samples.values() for ms in values]
    cpu_s = cpu_after - cpu_before if cpu_after is not None and cpu_before is not None else None
    queue = [ms for op, values in samples.items() if op != ASSIST_OP for ms in values]
    metrics = {
        "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
        "agents": agents,
        "think_s": think_s,
        "tickets": tickets,
        "requests": len(everything),
        "queue_requests": len(queue),
        "closed": len(samples.get("close", [])),
        "errors": len(errors),
        "error_examples": errors[:5],
        "wall_s": round(wall, 1),
        "latency_ms.p50": _ms(queue, 50),
        "latency_ms.p95": _ms(queue, 95),
        "latency_ms.p99": _ms(queue, 99),
        "with_assist_ms": {
            "p50": _ms(everything, 50),
            "p95": _ms(everything, 95),
            "p99": _ms(everything, 99),
        },
        "requests_per_s": round(len(everything) / wall, 1) if wall else None,
        # The server's own CPU per request and per worked ticket: unlike latency, it hardly depends on
        # what else the machine is running.
        "server_cpu_s": round(cpu_s, 2) if cpu_s is not None else None,
        "server_cpu_ms_per_request": round(1000 * cpu_s / len(everything), 2)
        if cpu_s and everything
        else None,
        "server_cpu_ms_per_closed_ticket": (
            round(1000 * cpu_s / len(samples["close"]), 1) if cpu_s and samples.get("close") else None
        ),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "by_operation": {
            op: {"n": len(v), "p50": _ms(v, 50), "p95": _ms(v, 95), "p99": _ms(v, 99)}
            for op, v in sorted(samples.items())
        },
    }
    write_metrics(report_dir, metrics)
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default="", help="empty: SQLite in a temporary folder")
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--tickets", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think-s", type=float, default=1.0, help="pause between an agent's actions (0: saturation test)"
    )
    parser.add_argument("--report", type=Path, default=PROJECT_ROOT / "reports" / "queue_load")
    args = parser.parse_args(argv)
    metrics = run(args.report, args.database_url, args.agents, args.tickets, args.seconds, args.think_s)
    print(json.dumps(metrics, ensure_ascii=False, indent=2))
    return 0 if not metrics["errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
