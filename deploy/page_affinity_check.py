"""Check whether the web pages' events survive a deployment: does each Gradio event's second request
reach the process that took the first?

A page event is ``POST /gradio_api/queue/join`` and then ``GET /gradio_api/queue/data`` (server-sent
events); Gradio keeps the queued event in the memory of the process that took the join, and another
process answers the data stream with "404: Not Found". This sends ``--trials`` events to the citizen
page, each request on a new connection (as a balancer without affinity, or a browser with several
connections, may do), with empty inputs (the handler then fails harmlessly on them), and counts how
many reached their handler and how many were lost. Point it at one ``govassist serve`` or at the load
balancer; it needs nothing but ``httpx``:

    .venv/bin/python deploy/page_affinity_check.py --url http://127.0.0.1:8000 [--trials 20]
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager

import httpx

Connect = Callable[[], AbstractContextManager[httpx.Client]]
"""A new connection to the server, as a context manager (an ``httpx.Client`` is one)."""


def new_connection() -> httpx.Client:
    return httpx.Client(timeout=60)


def citizen_event(base: str, connect: Connect = new_connection) -> tuple[int, dict[str, object]]:
    """The first queued event of the page at ``base`` (its index and its configuration)."""
    with connect() as client:
        dependencies = client.get(f"{base}/config").json()["dependencies"]
    for index, dependency in enumerate(dependencies):
        if dependency.get("queue", True) is not False and dependency.get("backend_fn"):
            return index, dependency
    raise SystemExit(f"{base} has no queued event (is the page mounted there?)")


def one_event(base: str, index: int, dependency: dict[str, object], connect: Connect = new_connection) -> str:
    """Join on one new connection, read the data stream on another; 'handled', 'lost' or what else."""
    session = uuid.uuid4().hex[:10]
    inputs = dependency.get("inputs") or []
    body = {
        "data": [None] * len(inputs),  # type: ignore[arg-type]
        "fn_index": index,
        "session_hash": session,
        "event_data": None,
        "trigger_id": dependency.get("id"),
    }
    with connect() as client:
        joined = client.post(f"{base}/gradio_api/queue/join", json=body)
    if joined.status_code != 200:
        return f"join answered {joined.status_code}"
    with (
        connect() as client,
        client.stream("GET", f"{base}/gradio_api/queue/data", params={"session_hash": session}) as stream,
    ):
        if stream.status_code != 200:
            return f"data answered {stream.status_code}"
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") == "process_starts":
                return "handled"
            if message.get("msg") == "unexpected_error":
                return "lost" if "404" in str(message.get("message")) else f"error: {message.get('message')}"
    return "stream ended without a result"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server or the load balancer")
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args(argv)
    base = args.url.rstrip("/")
    index, dependency = citizen_event(base)
    outcomes = Counter(one_event(base, index, dependency) for _ in range(args.trials))
    print(json.dumps({"url": base, "trials": args.trials, "outcomes": dict(outcomes)}, ensure_ascii=False))
    return 0 if outcomes["handled"] == args.trials else 1


if __name__ == "__main__":
    sys.exit(main())
