"""Load benchmark: cold start of ``govassist serve`` to first answer, then ``POST /api/chat`` latency
at N concurrent clients on loopback.

Run: ``python -m evals.load_test --report reports/load`` (``make bench-load``). The server runs as a
subprocess with its data in a temporary folder, so the first start includes ingesting the bundled
knowledge; a second start (index present) gives the usual cold start.

The client shares the machine's cores with the server, so it is kept light: each simulated client is a
thread with one keep-alive ``http.client`` connection (``--client httpx`` uses an ``httpx.Client`` per
thread, as before). The figures include the CPU time per request of the server (its process group) and
of the client, so a change in either shows apart from the load on the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import httpx

from assistant.settings import PROJECT_ROOT
from evals.datasets import load_dataset
from evals.metrics import percentile
from evals.metrics_file import write_metrics
from evals.serve_process import free_port, group_cpu_s, start_server

QUESTIONS_FILE = PROJECT_ROOT / "evals/datasets/policy_qa.jsonl"
__all__ = ["free_port", "run", "start_server"]  # free_port and start_server: re-exported for older callers


def time_to_first_answer(base: str, started: float, timeout_s: float = 120) -> float:
    """Seconds from ``started`` until the server answers a chat request."""
    while time.perf_counter() - started < timeout_s:
        try:
            response = httpx.post(f"{base}/api/chat", json={"message": "一网通办是什么"}, timeout=10)
            if response.status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError("server did not answer in time")


class ChatClient(Protocol):
    """One simulated client's connection: ``post`` returns the status and the response body."""

    def post(self, path: str, payload: dict[str, Any]) -> tuple[int, bytes]: ...

    def close(self) -> None: ...


class LightClient:
    """A keep-alive ``http.client`` connection: a fraction of httpx's CPU per request."""

    def __init__(self, base: str, timeout_s: float = 30) -> None:
        host, _, port = base.removeprefix("http://").rstrip("/").partition(":")
        self.connection = http.client.HTTPConnection(host, int(port or 80), timeout=timeout_s)

    def post(self, path: str, payload: dict[str, Any]) -> tuple[int, bytes]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


class HttpxClient:
    """An ``httpx.Client`` (the benchmark's client before the light one)."""

    def __init__(self, base: str, timeout_s: float = 30) -> None:
        self.http = httpx.Client(base_url=base, timeout=timeout_s)

    def post(self, path: str, payload: dict[str, Any]) -> tuple[int, bytes]:
        response = self.http.post(path, json=payload)
        return response.status_code, response.content

    def close(self) -> None:
        self.http.close()


CLIENTS: dict[str, type[LightClient] | type[HttpxClient]] = {"http.client": LightClient, "httpx": HttpxClient}


def run_clients(
    base: str, questions: list[str], clients: int, per_client: int, kind: str = "http.client"
) -> list[float]:
    """Latencies (ms) of ``clients`` threads each asking ``per_client`` questions in turn; any answer
    other than 200 (or an answer that is no JSON object with an ``outcome``) fails the run."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        connection: ChatClient = CLIENTS[kind](base)
        try:
            for i in range(per_client):
                question = questions[(offset * per_client + i) % len(questions)]
                started = time.perf_counter()
                status, body = connection.post("/api/chat", {"message": question})
                elapsed = (time.perf_counter() - started) * 1000
                ok = status == 200 and "outcome" in json.loads(body)
                with lock:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        errors.append(f"{status}: {body[:200]!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests: {errors[:5]}")
    return latencies


def run(
    report_dir: Path, clients: int = 10, per_client: int = 20, workers: int = 1, kind: str = "http.client"
) -> dict[str, Any]:
    questions = [item.question for item in load_dataset(QUESTIONS_FILE)]
    with tempfile.TemporaryDirectory(prefix="govassist-load-") as tmp:
        data_dir = Path(tmp)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        server = start_server(data_dir, port)
        try:
            first_start = time_to_first_answer(base, started)
        finally:
            server.terminate()
            server.wait(30)
        started = time.perf_counter()
        server = start_server(data_dir, port, workers=workers)
        try:
            cold_start = time_to_first_answer(base, started)
            run_clients(base, questions, clients, 5, kind)  # warm-up
            server_cpu, client_cpu = group_cpu_s(server.pid), time.process_time()
            wall = time.perf_counter()
            latencies = run_clients(base, questions, clients, per_client, kind)
            wall = time.perf_counter() - wall
            server_cpu = group_cpu_s(server.pid) - server_cpu
            client_cpu = time.process_time() - client_cpu
        finally:
            server.terminate()
            server.wait(30)
    metrics = {
        "clients": clients,
        "workers": workers,
        "requests": len(latencies),
        "first_start_to_first_answer_s (includes ingest)": round(first_start, 2),
        "cold_start_to_first_answer_s": round(cold_start, 2),
        "latency_ms.p50": percentile(latencies, 50),
        "latency_ms.p95": percentile(latencies, 95),
        "latency_ms.max": max(latencies),
        "throughput_rps": round(len(latencies) / wall, 1),
        "client": kind,
        "server_cpu_ms_per_request": round(server_cpu * 1000 / len(latencies), 1),
        "client_cpu_ms_per_request": round(client_cpu * 1000 / len(latencies), 2),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "machine": f"{os.cpu_count()} CPU cores",
    }
    write_metrics(report_dir, metrics)
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--report", type=Path, default=PROJECT_ROOT / "reports/load")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests-per-client", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument(
        "--client", choices=sorted(CLIENTS), default="http.client", help="the clients' HTTP library"
    )
    args = parser.parse_args()
    metrics = run(args.report, args.clients, args.requests_per_client, args.workers, args.client)
    print(json.dumps(metrics, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
