"""Load benchmark: cold start of ``govassist serve`` to first answer, then ``POST /api/chat`` latency
at N concurrent clients on loopback.

Run: ``python -m evals.load_test --report reports/load`` (``make bench-load``). The server runs as a
subprocess with its data in a temporary folder, so the first start includes ingesting the bundled
knowledge; a second start (index present) gives the usual cold start.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from assistant.settings import PROJECT_ROOT
from evals.datasets import load_dataset
from evals.metrics import percentile
from evals.serve_process import free_port, start_server

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


def run_clients(base: str, questions: list[str], clients: int, per_client: int) -> list[float]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        with httpx.Client(timeout=30) as http:
            for i in range(per_client):
                question = questions[(offset * per_client + i) % len(questions)]
                started = time.perf_counter()
                response = http.post(f"{base}/api/chat", json={"message": question})
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code == 200:
                        latencies.append(elapsed)
                    else:
                        errors.append(str(response.status_code))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests: {errors[:5]}")
    return latencies


def run(report_dir: Path, clients: int = 10, per_client: int = 20, workers: int = 1) -> dict[str, Any]:
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
            run_clients(base, questions, clients, 5)  # warm-up
            wall = time.perf_counter()
            latencies = run_clients(base, questions, clients, per_client)
            wall = time.perf_counter() - wall
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
        "machine": f"{os.cpu_count()} CPU cores",
    }
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "metrics.json").write_text(
        json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--report", type=Path, default=PROJECT_ROOT / "reports/load")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests-per-client", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    args = parser.parse_args()
    metrics = run(args.report, args.clients, args.requests_per_client, args.workers)
    print(json.dumps(metrics, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
