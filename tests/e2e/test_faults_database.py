"""Fault: the database goes away while citizens chat with the real server (``govassist serve``).

PostgreSQL: a throwaway cluster of its own (initdb on a free loopback port; skipped when PostgreSQL is
not installed or will not start) is stopped with ``pg_ctl`` mid-load and started again. SQLite: another
process holds the write lock past the server's busy timeout (``database_busy_timeout_s``). While the
database is unavailable a chat turn is answered 503 with ``Retry-After`` and a clear message; afterwards
the same turn, retried, succeeds; every acknowledged turn is stored exactly once. No timing is asserted.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from assistant.components.database import make_engine
from evals.serve_process import free_port, running_server
from tests.e2e.test_faults_worker_kill import ENV, ChatLoad, wait_for

pytestmark = pytest.mark.e2e


class Postgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1:``port`` (trust authentication, TCP only)."""

    def __init__(self, bin_dir: Path, data: Path) -> None:
        self.bin_dir, self.data, self.port = bin_dir, data, free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        self.url = f"postgresql+psycopg://govassist@127.0.0.1:{self.port}/govassist"

    def _ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [*self.as_user, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def start(self) -> bool:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off"
        log = str(self.data.parent / "server.log")
        return self._ctl("-l", log, "-w", "-t", "60", "start", "-o", options).returncode == 0

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def restart(self) -> None:
        assert self.start(), f"PostgreSQL did not start again (see {self.data.parent / 'server.log'})"


@contextmanager
def throwaway_postgres() -> Iterator[Postgres]:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if not versions:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql), so its restart is not tested")
    if os.getuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("PostgreSQL refuses to run as root and runuser is missing")
    folder = Path(tempfile.mkdtemp(prefix="govassist-pgfault-"))
    cluster = Postgres(versions[-1].parent, folder / "data")
    try:
        if cluster.as_user:
            shutil.chown(folder, "postgres")
        initdb = [
            *cluster.as_user,
            str(cluster.bin_dir / "initdb"),
            "-D",
            str(cluster.data),
            "-U",
            "govassist",
        ]
        made = subprocess.run(
            [*initdb, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], capture_output=True, text=True
        )
        if made.returncode != 0:
            pytest.skip(f"initdb failed, so the PostgreSQL restart is not tested: {made.stderr[-300:]}")
        if not cluster.start():
            pytest.skip("PostgreSQL did not start, so its restart is not tested")
        admin = make_engine(cluster.url.rsplit("/", 1)[0] + "/postgres")
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            db.execute(text("CREATE DATABASE govassist"))
        admin.dispose()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def outage_under_load(base: str, go_down: Callable[[], None], come_back: Callable[[], None]) -> ChatLoad:
    """Chat, take the database away, check the 503, bring it back, chat on; returns the finished load."""
    load = ChatLoad(base)
    load.start()
    try:
        wait_for(lambda: load.count() >= 6, "chat under way")
        go_down()
        try:
            probe = {"message": "居住证怎么办理？", "client_message_id": "fault-probe"}
            down = httpx.post(f"{base}/api/chat", json=probe, timeout=120)
            assert down.status_code == 503, down.text
            assert down.headers["Retry-After"] == "1"
            assert "数据库暂时不可用" in down.json()["detail"]
        finally:
            come_back()
        again = httpx.post(f"{base}/api/chat", json=probe, timeout=120)
        assert again.status_code == 200 and again.json()["outcome"]
        load.acknowledged["fault-probe"] = again.json()["message_id"]
        answered = load.count()
        wait_for(lambda: load.count() >= answered + 6, "chat after the recovery")
    finally:
        load.stop()
    assert not load.unanswered, f"turns never answered: {load.unanswered}"
    return load


def assert_stored_once(url: str, load: ChatLoad) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as db:
            asked: dict[str, int] = dict(
                db.execute(
                    text(
                        "SELECT client_id, COUNT(*) FROM chat_messages "
                        "WHERE client_id LIKE 'fault-%' GROUP BY client_id"
                    )
                ).all()
            )
            replies = set(db.scalars(text("SELECT id FROM chat_messages WHERE role = 'assistant'")))
    finally:
        engine.dispose()
    assert {c: asked.get(c, 0) for c in load.acknowledged} == dict.fromkeys(load.acknowledged, 1)
    assert set(load.acknowledged.values()) <= replies


def test_postgresql_restarted_mid_load(tmp_path: Path) -> None:
    with throwaway_postgres() as postgres:
        env = {**ENV, "GOVASSIST_DATABASE_URL": postgres.url}
        with running_server(tmp_path / "data", env=env, log_path=tmp_path / "server.log") as server:
            load = outage_under_load(server.base, postgres.stop, postgres.restart)
        assert_stored_once(postgres.url, load)


def test_sqlite_locked_past_the_busy_timeout_mid_load(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**ENV, "GOVASSIST_DATABASE_BUSY_TIMEOUT_S": "1"}
    holder: list[sqlite3.Connection] = []

    def lock() -> None:
        connection = sqlite3.connect(data / "govassist.db", timeout=30, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")  # the write lock, held until unlock()
        holder.append(connection)

    def unlock() -> None:
        connection = holder.pop()
        connection.execute("ROLLBACK")
        connection.close()

    with running_server(data, env=env, log_path=tmp_path / "server.log") as server:
        load = outage_under_load(server.base, lock, unlock)
    assert_stored_once(f"sqlite:///{data / 'govassist.db'}", load)
