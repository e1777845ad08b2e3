"""The real server (``govassist serve``) as a subprocess on a free loopback port, for benchmarks and
fault tests: start it with its data in a given folder, wait until it answers, find its worker
processes, stop it (the whole process group)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from assistant.settings import PROJECT_ROOT

OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    data_dir: Path,
    port: int,
    ui: bool = False,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    log: IO[bytes] | None = None,
) -> subprocess.Popen[bytes]:
    """``govassist serve`` with ``GOVASSIST_DATA_DIR=data_dir`` (plus ``env``), in its own process group."""
    environment = {**os.environ, **OFFLINE_ENV, "GOVASSIST_DATA_DIR": str(data_dir), **(env or {})}
    command = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port), "--workers", str(workers)]
    if not ui:
        command.append("--no-ui")
    output = log if log is not None else subprocess.DEVNULL
    return subprocess.Popen(
        command,
        env=environment,
        cwd=PROJECT_ROOT,
        stdout=output,
        stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_server(process: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    """SIGTERM to the server's process group (master and workers), SIGKILL if it lingers."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def wait_healthy(base: str, process: subprocess.Popen[bytes], timeout_s: float = 300) -> float:
    """Seconds until ``GET /api/health`` answers 200; ``RuntimeError`` if the server exits first."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before answering")
        try:
            if httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"the server did not answer within {timeout_s:.0f} s")


def _proc_stats() -> Iterator[tuple[int, list[str]]]:
    """Each live process's pid and the fields of its ``/proc/<pid>/stat`` after "pid (comm) " (Linux)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        yield int(entry.name), stat[stat.rindex(")") + 2 :].split()


def group_cpu_s(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of process group ``pgid`` (Linux
    ``/proc``): a server started by :func:`start_server` is its own group, master and workers."""
    ticks = sum(
        int(fields[11]) + int(fields[12])  # utime, stime
        for _, fields in _proc_stats()
        if int(fields[2]) == pgid  # pgrp
    )
    return ticks / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux ``/proc``), oldest first."""
    children = [
        (float(fields[19]), child)  # starttime
        for child, fields in _proc_stats()
        if int(fields[1]) == pid  # ppid
    ]
    return [child for _, child in sorted(children)]


def worker_pids(process: subprocess.Popen[bytes]) -> list[int]:
    """The uvicorn workers of a multi-worker server (its children started by ``multiprocessing``'s spawn)."""
    workers = []
    for pid in child_pids(process.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"multiprocessing.spawn" in cmdline or b"spawn_main" in cmdline:
            workers.append(pid)
    return workers


@dataclass
class RunningServer:
    """A started server: its base URL, process and data folder."""

    base: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    start_s: float


@contextmanager
def running_server(
    data_dir: Path,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
    timeout_s: float = 300,
) -> Iterator[RunningServer]:
    """A healthy server on a free port for the ``with`` block; stopped (process group) afterwards.

    On a start failure the ``RuntimeError`` carries the end of the server's log when ``log_path`` is given.
    """
    port = free_port()
    log = log_path.open("ab") if log_path is not None else None
    started = time.perf_counter()
    process = start_server(data_dir, port, workers=workers, env=env, log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(base, process, timeout_s)
        except (RuntimeError, TimeoutError) as error:
            tail = log_path.read_text(errors="replace")[-3000:] if log_path is not None else ""
            raise RuntimeError(f"{error}\n{tail}") from error
        yield RunningServer(base, process, data_dir, time.perf_counter() - started)
    finally:
        stop_server(process)
        if log is not None:
            log.close()
