"""Load sweep: ``POST /api/chat`` from 1, 10, 25 and 50 concurrent multi-turn chat sessions on loopback.

Run: ``python -m evals.load_sweep --report reports/load_sweep`` (``make bench-sweep``, under the benchmark
lock). The real server (``govassist serve --workers 2``, offline defaults) runs as a subprocess with its
data in a temporary folder (the first start ingests the bundled knowledge). After a warm-up, each level
gets three measured runs of ``--duration-s`` seconds. Every simulated citizen asks a question from
``policy_qa.jsonl``, then one or two follow-ups in the same session, pausing ``--think-s`` between turns
(seeded, so reruns ask the same things); each turn carries a ``client_message_id``.

Rate limits stay on: every simulated citizen connects from its own loopback address (127.0.0.2,
127.0.0.3, …) and the server's loopback exemption is emptied, so each gets the production per-client
limit (``rate_limit_chat_per_minute``, 60 by default) and a 429 counts as an error. Afterwards the
database is checked: every acknowledged turn's message is stored exactly once.

The client shares the cores with the server, so each citizen is one keep-alive connection written and
read with asyncio streams (:class:`LightChat`, a fraction of ``httpx.AsyncClient``'s CPU per request).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
import sqlalchemy

from assistant.settings import PROJECT_ROOT, Settings
from evals.datasets import load_dataset
from evals.metrics import percentile
from evals.metrics_file import write_metrics
from evals.serve_process import running_server

QUESTIONS_FILE = PROJECT_ROOT / "evals/datasets/policy_qa.jsonl"
FOLLOW_UPS = ("那需要带什么材料？", "能网上办吗？", "那要多久？", "收费吗？", "在哪里办？", "有什么条件？")
LEVELS = (1, 10, 25, 50)
TARGET_LEVEL, TARGET_ERROR_RATE, TARGET_P95_MS = 50, 0.01, 300.0


class ChatClient(Protocol):
    """One citizen's connection: ``post`` returns the status and body, or raises ``ConnectionError``
    when no HTTP answer came (refused, reset, timed out)."""

    async def post(self, path: str, payload: dict[str, Any]) -> tuple[int, bytes]: ...

    async def aclose(self) -> None: ...


ClientFactory = Callable[[int], ChatClient]


class LightChat:
    """HTTP/1.1 on one keep-alive asyncio connection from ``local_address`` (reopened when closed)."""

    def __init__(self, base: str, local_address: str | None = None, timeout_s: float = 30.0) -> None:
        host, _, port = base.removeprefix("http://").rstrip("/").partition(":")
        self.host, self.port, self.local_address, self.timeout_s = (
            host,
            int(port or 80),
            local_address,
            timeout_s,
        )
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, payload: dict[str, Any]) -> tuple[int, bytes]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
        request = f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
        try:
            return await asyncio.wait_for(self._exchange(request), self.timeout_s)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
            await self.aclose()
            raise ConnectionError(f"no answer: {type(error).__name__}: {error}") from error

    async def _exchange(self, request: bytes) -> tuple[int, bytes]:
        if self.streams is None or self.streams[0].at_eof() or self.streams[1].is_closing():
            await self.aclose()
            local = (self.local_address, 0) if self.local_address else None
            self.streams = await asyncio.open_connection(self.host, self.port, local_addr=local)
        reader, writer = self.streams
        writer.write(request)
        await writer.drain()
        status = int((await reader.readuntil(b"\r\n")).split()[1])
        length, close = 0, False
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                close = value == "close"
            elif name == "transfer-encoding":
                raise ValueError(f"unexpected transfer-encoding {value}")
        body = await reader.readexactly(length)
        if close:
            await self.aclose()
        return status, body

    async def aclose(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


class HttpxChat:
    """An ``httpx.AsyncClient`` as a :class:`ChatClient` (in-process ASGI apps in tests)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(self, path: str, payload: dict[str, Any]) -> tuple[int, bytes]:
        try:
            response = await self.http.post(path, json=payload)
        except httpx.HTTPError as error:
            raise ConnectionError(str(error)) from error
        return response.status_code, response.content

    async def aclose(self) -> None:
        await self.http.aclose()


@dataclass
class Turn:
    """One chat request as the client saw it."""

    user: int
    latency_ms: float
    status: int  # 0: no HTTP answer (connection refused or reset, timeout)
    client_id: str


@dataclass
class RunResult:
    level: int
    wall_s: float
    turns: list[Turn] = field(default_factory=list)

    @property
    def ok(self) -> list[Turn]:
        return [t for t in self.turns if t.status == 200]


def session_script(rng: random.Random, questions: Sequence[str]) -> list[str]:
    """A question and one or two follow-ups that lean on it."""
    return [rng.choice(questions), *rng.sample(FOLLOW_UPS, rng.randint(1, 2))]


async def citizen(
    http: ChatClient,
    user: int,
    run_tag: str,
    questions: Sequence[str],
    deadline: float,
    think_s: tuple[float, float],
    max_turns: int,
    turns: list[Turn],
) -> None:
    """Chat sessions one after another until ``deadline`` or ``max_turns``; each turn is recorded."""
    rng = random.Random(f"{run_tag}-{user}")
    asked = 0
    while time.perf_counter() < deadline and asked < max_turns:
        session_id: str | None = None
        for message in session_script(rng, questions):
            if time.perf_counter() >= deadline or asked >= max_turns:
                return
            client_id = f"sweep-{run_tag}-{user}-{asked}"
            asked += 1
            started = time.perf_counter()
            try:
                status, body = await http.post(
                    "/api/chat",
                    {"message": message, "session_id": session_id, "client_message_id": client_id},
                )
                if status == 200:
                    session_id = json.loads(body)["session_id"]
            except ConnectionError:
                status = 0
            turns.append(Turn(user, (time.perf_counter() - started) * 1000, status, client_id))
            await asyncio.sleep(rng.uniform(*think_s))


async def run_level(
    clients: ClientFactory,
    level: int,
    run_tag: str,
    questions: Sequence[str],
    duration_s: float,
    think_s: tuple[float, float],
    max_turns: int,
) -> RunResult:
    """``level`` citizens at once for ``duration_s`` (each at most ``max_turns`` turns)."""
    result = RunResult(level, 0.0)
    https = [clients(user) for user in range(level)]
    started = time.perf_counter()
    try:
        await asyncio.gather(
            *(
                citizen(
                    http, user, run_tag, questions, started + duration_s, think_s, max_turns, result.turns
                )
                for user, http in enumerate(https)
            )
        )
    finally:
        for http in https:
            await http.aclose()
    result.wall_s = time.perf_counter() - started
    return result


def loopback_clients(base: str, timeout_s: float = 30.0) -> ClientFactory:
    """Citizen ``n`` connects from 127.0.0.(2+n) (then 127.0.1.x …): its own address, its own rate limit."""

    def make(user: int) -> LightChat:
        return LightChat(base, f"127.0.{(user + 2) // 250}.{(user + 2) % 250 + 1}", timeout_s)

    return make


def run_stats(run: RunResult) -> dict[str, Any]:
    """Throughput, latency percentiles (answered turns) and error rate of one run."""
    latencies = [t.latency_ms for t in run.ok]
    errors = len(run.turns) - len(latencies)
    codes: dict[str, int] = {}
    for turn in run.turns:
        if turn.status != 200:
            codes[str(turn.status)] = codes.get(str(turn.status), 0) + 1
    return {
        "requests": len(run.turns),
        "errors": errors,
        "error_codes": codes,
        "error_rate": errors / len(run.turns) if run.turns else 0.0,
        "throughput_rps": len(latencies) / run.wall_s if run.wall_s else 0.0,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies, default=None),
    }


def _spread(values: list[float | None]) -> dict[str, float | None]:
    present = [v for v in values if v is not None]
    if not present:
        return {"mean": None, "min": None, "max": None, "stdev": None}
    stdev = statistics.stdev(present) if len(present) > 1 else 0.0
    return {"mean": statistics.fmean(present), "min": min(present), "max": max(present), "stdev": stdev}


def level_stats(runs: Sequence[RunResult]) -> dict[str, Any]:
    """A level's figures pooled over its runs, and each figure's spread (mean, min, max, stdev) over runs."""
    per_run = [run_stats(run) for run in runs]
    pooled = run_stats(
        RunResult(runs[0].level, sum(r.wall_s for r in runs), [t for r in runs for t in r.turns])
    )
    keys = ("throughput_rps", "error_rate", "p50_ms", "p95_ms", "p99_ms")
    return {
        "level": runs[0].level,
        "pooled": pooled,
        "spread": {key: _spread([s[key] for s in per_run]) for key in keys},
        "runs": per_run,
    }


def targets(levels: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The issue's targets at 50 concurrent sessions (pooled over the level's runs); None when not swept."""
    at = next((level for level in levels if level["level"] == TARGET_LEVEL), None)
    if at is None:
        return {"error_rate_below_1pct": None, "p95_at_most_300ms": None}
    p95 = at["pooled"]["p95_ms"]
    return {
        "error_rate_below_1pct": at["pooled"]["error_rate"] < TARGET_ERROR_RATE,
        "p95_at_most_300ms": p95 is not None and p95 <= TARGET_P95_MS,
    }


def stored_exactly_once(database_url: str, acknowledged: Sequence[str]) -> dict[str, int]:
    """How many acknowledged turns (by ``client_message_id``) the server's database holds 0 or 2+ times."""
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as db:
            rows = db.execute(
                sqlalchemy.text(
                    "SELECT client_id, COUNT(*) FROM chat_messages WHERE client_id LIKE 'sweep-%' "
                    "GROUP BY client_id"
                )
            ).all()
    finally:
        engine.dispose()
    counts = {client_id: count for client_id, count in rows}
    return {
        "acknowledged": len(acknowledged),
        "missing": sum(1 for c in acknowledged if counts.get(c, 0) == 0),
        "duplicated": sum(1 for c in acknowledged if counts.get(c, 0) > 1),
    }


def database_label(database_url: str) -> str:
    """The engine a sweep ran on, for the report: ``SQLite`` (the default) or the URL's dialect."""
    if not database_url:
        return "SQLite"
    dialect = sqlalchemy.engine.make_url(database_url).get_backend_name()
    return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(dialect, dialect)


async def first_429(base: str, per_minute: int) -> int | None:
    """Whether the chat limit is really on: empty messages (422, cheap) from one new address, one after
    another, until one is refused with 429; returns how many went through first (None: never refused).
    A burst of ``per_minute`` passes, plus what refills meanwhile (one a second at 60 a minute)."""
    transport = httpx.AsyncHTTPTransport(local_address="127.0.254.254")
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=30) as http:
        for n in range(3 * per_minute):
            if (await http.post("/api/chat", json={"message": ""})).status_code == 429:
                return n
    return None


def _fmt(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def render_summary(metrics: dict[str, Any]) -> str:
    """The report as Markdown: one row per level, pooled figures with the runs' min–max."""
    setup = metrics["setup"]
    limit = (
        f"rate limit {setup['rate_limit_chat_per_minute']}/min per citizen, each from its own loopback "
        f"address (checked afterwards: one address got 429 after {setup.get('rate_limit_first_429_after')} "
        "quick requests)."
        if setup["rate_limit_chat_per_minute"]
        else "chat rate limit switched off for this capacity run."
    )
    lines = [
        "# Chat load sweep",
        "",
        f"`govassist serve --workers {setup['workers']}` on loopback, offline defaults, "
        f"{setup.get('database', 'SQLite')}; "
        f"{setup['runs']} runs of {setup['duration_s']:.0f} s per level after a {setup['warmup_s']:.0f} s "
        f"warm-up; think time {setup['think_s'][0]}–{setup['think_s'][1]} s between turns; {limit} "
        f"Machine: {setup['machine']}; load average before / after: {setup['load_before']} / "
        f"{setup['load_after']}.",
        "",
        "| sessions | requests | throughput req/s (min–max) | p50 ms | p95 ms (min–max) | p99 ms | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for level in metrics["levels"]:
        pooled, spread = level["pooled"], level["spread"]
        tp, p95 = spread["throughput_rps"], spread["p95_ms"]
        lines.append(
            f"| {level['level']} | {pooled['requests']} | {_fmt(pooled['throughput_rps'], 1)} "
            f"({_fmt(tp['min'], 1)}–{_fmt(tp['max'], 1)}) | {_fmt(pooled['p50_ms'])} | "
            f"{_fmt(pooled['p95_ms'])} ({_fmt(p95['min'])}–{_fmt(p95['max'])}) | {_fmt(pooled['p99_ms'])} | "
            f"{pooled['errors']} ({pooled['error_rate']:.2%}) {pooled['error_codes'] or ''} |"
        )
    met = metrics["targets"]
    stored = metrics["stored"]
    lines += [
        "",
        f"Targets at {TARGET_LEVEL} sessions: error rate < 1 %: {met['error_rate_below_1pct']}; "
        f"p95 ≤ 300 ms: {met['p95_at_most_300ms']}.",
        f"Database: {stored['acknowledged']} acknowledged turns, {stored['missing']} missing, "
        f"{stored['duplicated']} stored twice.",
        "",
    ]
    return "\n".join(lines)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def sweep(
    base: str,
    questions: Sequence[str],
    levels: Sequence[int],
    runs: int,
    duration_s: float,
    warmup_s: float,
    think_s: tuple[float, float],
    max_turns: int,
) -> list[RunResult]:
    clients = loopback_clients(base)
    stamp = time.strftime("%H%M%S")  # client_message_ids stay new when a data folder is reused
    await run_level(clients, max(levels), f"{stamp}w", questions, warmup_s, think_s, max_turns)
    results = []
    for level in levels:
        for n in range(runs):
            tag = f"{stamp}l{level}r{n}"
            results.append(await run_level(clients, level, tag, questions, duration_s, think_s, max_turns))
    return results


def run(
    report_dir: Path,
    levels: Sequence[int] = LEVELS,
    runs: int = 3,
    duration_s: float = 20.0,
    warmup_s: float = 10.0,
    think_s: tuple[float, float] = (0.5, 1.5),
    workers: int = 2,
    max_turns: int = 200,
    data_dir: Path | None = None,
    rate_limited: bool = True,
    database_url: str = "",
) -> dict[str, Any]:
    """Start the server, sweep, check the database, write ``metrics.json`` and ``summary.md``.

    ``rate_limited=False`` switches the chat limit off on the benchmark's server (a capacity measurement
    with no think time would otherwise measure the limiter's 429s). ``database_url`` (a PostgreSQL URL,
    say) replaces the data folder's SQLite for sessions and the other records.
    """
    questions = [item.question for item in load_dataset(QUESTIONS_FILE)]
    per_minute = Settings().rate_limit_chat_per_minute if rate_limited else 0
    env = {"GOVASSIST_RATE_LIMIT_EXEMPT_HOSTS": "[]", "GOVASSIST_SERVE_UI": "false"}
    env["GOVASSIST_RATE_LIMIT_CHAT_PER_MINUTE"] = str(per_minute)
    if database_url:
        env["GOVASSIST_DATABASE_URL"] = database_url
    with tempfile.TemporaryDirectory(prefix="govassist-sweep-") as tmp:
        folder = data_dir or Path(tmp)
        load_before = _load()
        with running_server(folder, workers=workers, env=env, log_path=Path(tmp) / "server.log") as server:
            results = asyncio.run(
                sweep(server.base, questions, levels, runs, duration_s, warmup_s, think_s, max_turns)
            )
            limited = asyncio.run(first_429(server.base, per_minute)) if per_minute else None
        load_after = _load()
        acknowledged = [t.client_id for r in results for t in r.ok]
        stored = stored_exactly_once(database_url or f"sqlite:///{folder / 'govassist.db'}", acknowledged)
    by_level = [level_stats([r for r in results if r.level == level]) for level in levels]
    metrics = {
        "setup": {
            "workers": workers,
            "database": database_label(database_url),
            "levels": list(levels),
            "runs": runs,
            "duration_s": duration_s,
            "warmup_s": warmup_s,
            "think_s": list(think_s),
            "max_turns_per_citizen": max_turns,
            "server_start_s": round(server.start_s, 1),
            "rate_limit_chat_per_minute": per_minute,
            "rate_limit_exempt_hosts": [],
            "rate_limit_first_429_after": limited,
            "machine": f"{os.cpu_count()} CPU cores",
            "load_before": load_before,
            "load_after": load_after,
        },
        "levels": by_level,
        "targets": targets(by_level),
        "stored": stored,
    }
    write_metrics(report_dir, metrics)
    (report_dir / "summary.md").write_text(render_summary(metrics), encoding="utf-8")
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--report", type=Path, default=PROJECT_ROOT / "reports/load_sweep")
    parser.add_argument(
        "--levels", default="1,10,25,50", help="concurrent sessions per level, comma-separated"
    )
    parser.add_argument("--runs", type=int, default=3, help="measured runs per level")
    parser.add_argument("--duration-s", type=float, default=20.0, help="length of one measured run")
    parser.add_argument("--warmup-s", type=float, default=10.0)
    parser.add_argument("--think-s", default="0.5,1.5", help="pause between turns: min,max seconds")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--max-turns", type=int, default=200, help="turns per citizen per run, at most")
    parser.add_argument("--data-dir", type=Path, help="an already indexed data folder (default: a new one)")
    parser.add_argument(
        "--database-url",
        default="",
        help="the server's database (e.g. a PostgreSQL URL; default: SQLite in the data folder)",
    )
    parser.add_argument(
        "--no-rate-limit",
        action="store_true",
        help="switch the chat limit off (capacity runs, no think time)",
    )
    args = parser.parse_args()
    low, high = (float(x) for x in args.think_s.split(","))
    metrics = run(
        args.report,
        [int(x) for x in args.levels.split(",")],
        args.runs,
        args.duration_s,
        args.warmup_s,
        (low, high),
        args.workers,
        args.max_turns,
        args.data_dir,
        not args.no_rate_limit,
        args.database_url,
    )
    print(render_summary(metrics))


if __name__ == "__main__":
    main()
