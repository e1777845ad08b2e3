"""Per-request cost of the rate limiter: in-memory token buckets against the shared counter in the
database (SQLite file, and PostgreSQL when ``--database-url`` is given).

Times (a) the counter's ``take`` alone (one atomic upsert in the database) and (b) a request through
the ``RateLimit`` middleware to an endpoint that does nothing, called in-process over ASGI (no
network), with no limiter, with in-memory buckets and with the database counter (which the middleware
calls in a worker thread); on PostgreSQL also the upsert on the shared engine's pool, which pings each
connection it hands out (the counter has a pool of its own without that). The clients are 10,000
made-up addresses from the documentation ranges, so most calls insert a row as a new client would.
Writes ``metrics.json`` and ``report.md`` to ``--report``.

    flock /tmp/govassist-bench.lock .venv/bin/python -m evals.rate_limit_latency \\
        [--database-url postgresql+psycopg://…] --report reports/rate_limit
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from starlette.types import Receive, Scope, Send

from assistant.api.rate_counter import DatabaseRateCounter
from assistant.api.rate_limit import RateCounter, RateLimit, Rule, TokenBuckets
from assistant.components.database import make_engine
from evals.metrics_file import write_metrics

RULE = Rule("chat", 1_000_000, ("/api/chat",))  # never refuses: every call does the full work


def addresses(n: int = 10_000) -> itertools.cycle[str]:
    """Made-up client addresses (RFC 5737 documentation ranges)."""
    nets = ("192.0.2", "198.51.100", "203.0.113")
    return itertools.cycle([f"{nets[i % 3]}.{i % 250 + 1}:{i}" for i in range(n)])


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))], 3)

    return {
        "p50_ms": at(0.5),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "mean_ms": round(sum(ordered) / len(ordered), 3),
    }


def time_take(counter: DatabaseRateCounter, rounds: int) -> dict[str, float]:
    clients = addresses()
    for _ in range(20):
        counter.take(RULE, next(clients))
    samples = []
    for _ in range(rounds):
        client = next(clients)
        started = time.perf_counter()
        counter.take(RULE, client)
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def _time_middleware(counter: RateCounter | None, rounds: int) -> dict[str, float]:
    app: Any = RateLimit(_ok, rules=[RULE], buckets=counter) if counter is not None else _ok
    clients = addresses()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: Any) -> None:
        return None

    samples = []
    for i in range(rounds + 20):
        scope = {"type": "http", "method": "POST", "path": "/api/chat", "client": (next(clients), 1)}
        started = time.perf_counter()
        await app(scope, receive, send)
        if i >= 20:
            samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def time_middleware(counter: RateCounter | None, rounds: int) -> dict[str, float]:
    return asyncio.run(_time_middleware(counter, rounds))


def measure(engine: Engine, rounds: int) -> dict[str, Any]:
    counter = DatabaseRateCounter(engine)
    counter.create_schema()
    result = {
        "take": time_take(counter, rounds),
        "middleware_database": time_middleware(counter, rounds),
    }
    counter.close()
    if engine.dialect.name == "postgresql":  # for comparison: the upsert on the shared engine's pool
        shared = DatabaseRateCounter(engine)
        shared.close()
        shared._writer = engine.execution_options(isolation_level="AUTOCOMMIT")  # pre-ping on checkout
        result["take_shared_pool"] = time_take(shared, rounds)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM rate_limit_counters"))
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL (a table is created there)")
    parser.add_argument("--rounds", type=int, default=3000)
    parser.add_argument("--report", type=Path, default=Path("reports/rate_limit"))
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    metrics: dict[str, Any] = {
        "rounds": args.rounds,
        "middleware_none": time_middleware(None, args.rounds),
        "middleware_memory": time_middleware(TokenBuckets(), args.rounds),
    }
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'rates.db'}")
        metrics["sqlite"] = measure(engine, args.rounds)
        engine.dispose()
    if args.database_url:
        engine = make_engine(args.database_url)
        metrics["postgresql"] = measure(engine, args.rounds)
        engine.dispose()
    metrics["load_average"] = {
        "before": [round(x, 2) for x in load_before],
        "after": [round(x, 2) for x in os.getloadavg()],
    }
    write_metrics(args.report, metrics)
    (args.report / "report.md").write_text(render(metrics), encoding="utf-8")
    print(render(metrics))
    return metrics


def render(metrics: dict[str, Any]) -> str:
    lines = [
        "# Rate limiter: per-request cost",
        "",
        f"{metrics['rounds']} calls each; load average before {metrics['load_average']['before']}, "
        f"after {metrics['load_average']['after']}.",
        "",
        "| what | p50 ms | p95 ms | p99 ms | mean ms |",
        "|---|---|---|---|---|",
    ]

    def row(name: str, figures: dict[str, float]) -> None:
        cells = " | ".join(str(figures[key]) for key in ("p50_ms", "p95_ms", "p99_ms", "mean_ms"))
        lines.append(f"| {name} | {cells} |")

    row("request through no limiter", metrics["middleware_none"])
    row("request through in-memory buckets", metrics["middleware_memory"])
    for backend in ("sqlite", "postgresql"):
        if backend in metrics:
            row(f"{backend}: counter upsert alone", metrics[backend]["take"])
            if "take_shared_pool" in metrics[backend]:
                row(f"{backend}: upsert on the shared engine's pool", metrics[backend]["take_shared_pool"])
            row(f"{backend}: request through the database counter", metrics[backend]["middleware_database"])
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
