"""End to end: the production profile (deploy/production.env.example) as it runs.

``govassist serve --workers 2`` with the profile's settings: PostgreSQL for the records and the knowledge
ledger, a real ``chroma run`` server for the vectors (the one ``make test`` started, or one of this
test's own), real MiniLM embeddings, nothing on a shared disk. Checks that both workers keep sessions,
feedback and tickets in PostgreSQL; that a rate limit counts once across the workers and pre-review
uploads live in PostgreSQL, deletable through any worker; that after an ingest from another machine (another data folder,
through the CLI) every worker answers from the new knowledge, BM25 and dense alike; and that Chroma
going away answers 503 and service resumes when it is back. Skips without PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from dotenv import dotenv_values
from sqlalchemy import Engine, text

from assistant.settings import PROJECT_ROOT
from tests.chroma_server import ChromaServer, TcpProxy, free_port, shared_server_address
from tests.handoff_db import fresh_postgres_schema

PROFILE = PROJECT_ROOT / "deploy" / "production.env.example"
DOC_ID = "zephyrine-pass"  # the file's stem
NEW_DOC = """# 关于 Zephyrine 港夜间通行证办理的通知

Zephyrine 港夜间通行证由市港务局受理，办理时限为三个工作日。
The Zephyrine harbour night pass is issued by the port authority within three working days.
"""
DENSE_QUERY = "Zephyrine harbour night pass issued by the port authority"
LOGIN_LIMIT = 4


@dataclass
class Deployment:
    base: str
    env: dict[str, str]
    engine: Engine
    proxy: TcpProxy
    data_dir: Path


def profile_env(database_url: str, chroma_port: int, data_dir: Path) -> dict[str, str]:
    """The profile file's settings, with this test's database, Chroma address and folders."""
    values = {k: v for k, v in dotenv_values(PROFILE).items() if v is not None}
    assert values["GOVASSIST_DEPLOYMENT_PROFILE"] == "scale-out"
    return {
        **os.environ,
        **values,
        "GOVASSIST_DATABASE_URL": database_url,
        "GOVASSIST_CHROMA_PORT": str(chroma_port),
        "GOVASSIST_COLLECTION_NAME": f"e2e-{uuid.uuid4().hex[:10]}",
        "GOVASSIST_DATA_DIR": str(data_dir),
        "GOVASSIST_INDEX_SYNC_INTERVAL_S": "0.5",
        "GOVASSIST_INDEX_GUIDES": "false",
        # Query the dense side for every question (a question BM25 decides alone skips it by default):
        # the ingest test checks that the vectors reach every worker too.
        "GOVASSIST_DENSE_SKIP_RATIO": "0",
        # Loopback is not exempt here, so the test's own requests are limited like a client's.
        "GOVASSIST_RATE_LIMIT_EXEMPT_HOSTS": "[]",
        "GOVASSIST_RATE_LIMIT_LOGIN_PER_MINUTE": str(LOGIN_LIMIT),
    }


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("production")
    with fresh_postgres_schema() as engine:
        own: ChromaServer | None = None
        address = shared_server_address()
        if address is None:
            own = ChromaServer(root / "chroma").start()
            address = (own.host, own.port)
        proxy = TcpProxy(address).start()  # the test can take Chroma away from this deployment alone
        data_dir = root / "machine-a"
        env = profile_env(engine.url.render_as_string(hide_password=False), proxy.port, data_dir)
        port = free_port()
        log = (root / "server.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "assistant.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--no-ui",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base, process, root / "server.log")
            yield Deployment(base, env, engine, proxy, data_dir)
        finally:
            process.terminate()  # the master stops its workers
            process.wait(60)
            log.close()
            proxy.stop()
            if own is not None:
                own.stop()
            else:  # the shared server outlives this test: leave no collection behind
                drop_collection(address, env["GOVASSIST_COLLECTION_NAME"])


def drop_collection(address: tuple[str, int], name: str) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(
        host=address[0], port=address[1], settings=ChromaSettings(anonymized_telemetry=False)
    )
    client.delete_collection(name)


def wait_until_serving(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text(errors="replace")[-3000:])
        try:
            if httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError("the server did not start")


def search(base: str, query: str) -> httpx.Response:
    """One search on a new connection, so the kernel hands it to either worker."""
    return httpx.get(f"{base}/api/search", params={"q": query, "k": 3}, timeout=30)


def rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as db:
        return [tuple(row) for row in db.execute(text(sql))]


def count(engine: Engine, sql: str, **params: object) -> int:
    with engine.connect() as db:
        return int(db.execute(text(sql), params).scalar_one())


def test_records_and_the_ledger_live_in_postgresql(deployment: Deployment) -> None:
    base, engine = deployment.base, deployment.engine
    turn = httpx.post(f"{base}/api/chat", json={"message": "电子证照能不能全国通用？"}, timeout=60).json()
    assert turn["outcome"] == "answered" and turn["citations"]
    rated = httpx.post(
        f"{base}/api/messages/{turn['message_id']}/rating", json={"rating": "good"}, timeout=30
    )
    assert rated.status_code == 200
    handed = httpx.post(f"{base}/api/chat/handoff", json={"session_id": turn["session_id"]}, timeout=30)
    assert handed.json()["outcome"] == "handoff"

    sid = turn["session_id"]
    assert count(engine, "SELECT COUNT(*) FROM chat_sessions WHERE id = :s", s=sid) == 1
    assert count(engine, "SELECT COUNT(*) FROM answer_feedback") == 1
    assert count(engine, "SELECT COUNT(*) FROM tickets") == 1
    assert count(engine, "SELECT COUNT(*) FROM index_chunks") > 50  # the bundled knowledge's ledger
    assert not (deployment.data_dir / "govassist.db").exists()  # no SQLite records
    assert not (deployment.data_dir / "index" / "chroma").exists()  # no embedded vector store
    assert not (deployment.data_dir / "index" / "chunks.sqlite3").exists()  # no local ledger


def test_a_rate_limit_counts_once_across_the_workers(deployment: Deployment) -> None:
    if time.time() % 60 > 45:  # the counter's window is a clock minute: keep the burst inside one
        time.sleep(61 - time.time() % 60)
    statuses = [  # each on a new connection, so the kernel hands them to either worker
        httpx.post(
            f"{deployment.base}/api/agent/login",
            json={"username": "nobody.here", "password": "x"},
            timeout=30,
        ).status_code
        for _ in range(3 * LOGIN_LIMIT)
    ]
    # Per-worker buckets would let up to 2 × LOGIN_LIMIT through; the shared counter lets LOGIN_LIMIT.
    windows = rows(deployment.engine, "SELECT \"window\", hits FROM rate_limit_counters WHERE rule = 'login'")
    assert statuses.count(401) == LOGIN_LIMIT and statuses.count(429) == 2 * LOGIN_LIMIT, (statuses, windows)
    assert [hits for _window, hits in windows] == [3 * LOGIN_LIMIT]  # one row: every attempt counted


def test_a_staff_log_in_is_honoured_and_ended_by_every_worker(deployment: Deployment) -> None:
    from assistant.handoff.auth import AuthService
    from assistant.settings import Settings

    auth = AuthService(deployment.engine, Settings(_env_file=None))  # type: ignore[call-arg]
    auth.create_user("agent.lin", "Lin-demo-2026-pass", "agent")
    # Its own client address (loopback alias), so the log-in limit the test above used up is not this one's.
    own = httpx.HTTPTransport(local_address="127.0.0.3")

    def call(method: str, path: str, **kwargs: object) -> httpx.Response:
        with httpx.Client(
            base_url=deployment.base, timeout=30, transport=own
        ) as client:  # a new connection each
            return client.request(method, path, **kwargs)  # type: ignore[arg-type]

    login = call("POST", "/api/agent/login", json={"username": "agent.lin", "password": "Lin-demo-2026-pass"})
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    assert [call("GET", "/api/agent/me", headers=headers).status_code for _ in range(6)] == [200] * 6
    assert call("POST", "/api/agent/logout", headers=headers).status_code == 200
    assert [call("GET", "/api/agent/me", headers=headers).status_code for _ in range(6)] == [401] * 6


def test_uploads_live_in_postgresql_and_any_worker_deletes_them(deployment: Deployment) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("出生医学证明 新生儿姓名：李小满 出生日期：2026年10月3日")
    path = deployment.data_dir.parent / "material.docx"
    document.save(str(path))
    response = httpx.post(
        f"{deployment.base}/api/prereview",
        data={"service_id": "yjs-newborn", "answers": "{}"},
        files=[("files", ("出生医学证明.docx", path.read_bytes()))],
        timeout=120,
    )
    assert response.status_code == 200, response.text
    review = response.json()["review_id"]
    stored = "SELECT COUNT(*) FROM prereview_uploads WHERE review_id = :r"
    assert count(deployment.engine, stored, r=review) == 1
    uploads = deployment.data_dir / "uploads"
    assert not [p for p in uploads.rglob("*") if p.is_file()]  # nothing of it on the machine's disk
    deletions = [  # new connections: whichever worker gets each, the first deletes and the rest find nothing
        httpx.delete(f"{deployment.base}/api/prereview/{review}", timeout=30).status_code for _ in range(4)
    ]
    assert deletions == [204, 404, 404, 404]
    assert count(deployment.engine, stored, r=review) == 0


def test_an_ingest_elsewhere_reaches_every_worker(deployment: Deployment, tmp_path: Path) -> None:
    before = search(deployment.base, DENSE_QUERY).json()
    assert all(hit["doc_id"] != DOC_ID for hit in before)
    doc = tmp_path / f"{DOC_ID}.md"
    doc.write_text(NEW_DOC, encoding="utf-8")
    ingest = subprocess.run(  # another machine: its own, empty data folder; only PostgreSQL and Chroma shared
        [sys.executable, "-m", "assistant.cli", "ingest", str(doc)],
        cwd=PROJECT_ROOT,
        env={**deployment.env, "GOVASSIST_DATA_DIR": str(tmp_path / "machine-b")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    answered_by: dict[str, int] = {}
    deadline = time.monotonic() + 120
    while len(answered_by) < 2 or min(answered_by.values()) < 2:
        assert time.monotonic() < deadline, f"not every worker answered from the new knowledge: {answered_by}"
        response = search(deployment.base, DENSE_QUERY)
        top = response.json()[0]
        if top["doc_id"] != DOC_ID:  # this worker has not seen the new generation yet (≤ 0.5 s)
            time.sleep(0.2)
            continue
        assert top["sparse_rank"] is not None and top["dense_rank"] is not None  # BM25 and dense both
        pid = response.headers["X-Worker-Pid"]
        answered_by[pid] = answered_by.get(pid, 0) + 1
    assert len(answered_by) == 2

    turn = httpx.post(
        f"{deployment.base}/api/chat", json={"message": "Zephyrine港夜间通行证的办理时限是多久？"}, timeout=60
    ).json()
    assert turn["outcome"] == "answered", turn
    assert DOC_ID in {c["doc_id"] for c in turn["citations"]}


def test_chroma_unreachable_search_503_chat_from_bm25_and_service_resumes(deployment: Deployment) -> None:
    deployment.proxy.stop()
    try:
        for _ in range(6):  # whichever worker takes it
            response = search(deployment.base, DENSE_QUERY)
            assert response.status_code == 503, response.text
            assert response.json()["error"] == "VectorStoreUnavailable"
            assert "Retry-After" in response.headers
        chat = httpx.post(
            f"{deployment.base}/api/chat", json={"message": "电子证照能不能全国通用？"}, timeout=60
        )
        # The answer path falls back to BM25 alone while the vectors are out of reach: still an answer.
        assert chat.status_code == 200, chat.text
        assert chat.json()["outcome"] == "answered", chat.text
        assert httpx.get(f"{deployment.base}/api/health", timeout=30).status_code == 200
    finally:
        deployment.proxy.start()
    for _ in range(6):
        response = search(deployment.base, DENSE_QUERY)
        assert response.status_code == 200 and response.json()[0]["dense_rank"] is not None
