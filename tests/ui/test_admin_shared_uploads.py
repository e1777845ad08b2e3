"""Knowledge uploaded on one machine's dashboard survives the others (shared database, shared ledger).

Two machines share the database (sessions, the index ledger, the uploads) and the same ``data_dir`` path
on their own disks; the second machine is simulated by removing the uploaded file from the folder, as a
machine that never received it would lack it. Starting that machine ingests the bundled knowledge, which
removes from the ledger every file it cannot see: with the uploads kept in the database it writes them
first and keeps the document; with local uploads (the single-machine setting) the document is lost,
which is the failure this guards against. On SQLite and PostgreSQL (see ``tests.handoff_db``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest

from assistant.container import Services, build_services
from assistant.settings import Settings
from tests.handoff_db import BACKENDS, database_engine
from ui.admin_knowledge import KnowledgeAdmin, stored_name

StoreKind = Literal["auto", "local", "database"]

NOTICE = """# 关于试行跨省通办电子印章互认的通知

## 一、适用范围
本市政务服务中心受理的跨省通办事项，可使用外省签发的电子印章，无需另行提交纸质盖章件。
"""


@pytest.fixture(params=BACKENDS)
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_engine(request.param, tmp_path) as engine:
        yield engine.url.render_as_string(hide_password=False)


def machine(data_dir: Path, url: str, store: StoreKind, *, start: bool) -> Services:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=data_dir,
        embedding_mode="hash",
        database_url=url,
        index_store="database",
        index_sync_interval_s=0,
        shared_state_store=store,
        guide_enabled=False,
        index_guides=False,
    )
    return build_services(settings, ensure_index=start)


def upload_then_start_another(tmp_path: Path, url: str, store: StoreKind) -> tuple[Services, Path]:
    data_dir = tmp_path / "data"
    first = machine(data_dir, url, store, start=True)
    source = tmp_path / "跨省通办 电子印章.md"
    source.write_text(NOTICE, encoding="utf-8")
    outcome = KnowledgeAdmin(first).upload(source, source.name)
    assert outcome.ok, outcome.message
    assert first.retriever.search("外省签发的电子印章", k=1)[0].chunk.title.startswith("关于试行跨省通办")
    first.close()
    uploaded = data_dir / "uploads_knowledge" / stored_name(source.name)
    shutil.rmtree(uploaded.parent)  # the other machine's disk never had it
    return machine(data_dir, url, store, start=True), uploaded


def titles(services: Services) -> set[str]:
    return {chunk.title for chunk in services.index.chunks().values()}


def test_another_machine_starting_keeps_the_upload(shared_url: str, tmp_path: Path) -> None:
    second, uploaded = upload_then_start_another(tmp_path, shared_url, "database")
    try:
        assert uploaded.read_text(encoding="utf-8") == NOTICE  # written from the database
        assert "关于试行跨省通办电子印章互认的通知" in titles(second)
        hit = second.retriever.search("外省签发的电子印章", k=1)[0]
        assert hit.chunk.title == "关于试行跨省通办电子印章互认的通知"

        outcome = KnowledgeAdmin(second).reindex_all()  # a full re-index there keeps it too
        assert outcome.ok and not outcome.failed, outcome.message
        assert "关于试行跨省通办电子印章互认的通知" in titles(second)
    finally:
        second.close()


def test_with_local_uploads_the_other_machine_drops_it(shared_url: str, tmp_path: Path) -> None:
    second, uploaded = upload_then_start_another(tmp_path, shared_url, "local")
    try:
        assert not uploaded.exists()
        assert "关于试行跨省通办电子印章互认的通知" not in titles(second)
    finally:
        second.close()


def test_a_refused_upload_leaves_no_row(shared_url: str, tmp_path: Path) -> None:
    services = machine(tmp_path / "data", shared_url, "database", start=False)
    try:
        assert services.knowledge_uploads is not None
        corrupt = tmp_path / "broken.pdf"
        corrupt.write_bytes(b"%PDF-1.4 this is not really a pdf")
        assert not KnowledgeAdmin(services).upload(corrupt, corrupt.name).ok
        assert services.knowledge_uploads.digests() == {}
    finally:
        services.close()


def test_govassist_ingest_elsewhere_keeps_the_upload(
    shared_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    second, uploaded = upload_then_start_another(tmp_path, shared_url, "database")
    second.close()
    shutil.rmtree(uploaded.parent)  # a third machine, where only the command runs
    for name, value in {
        "DATA_DIR": str(tmp_path / "data"),
        "EMBEDDING_MODE": "hash",
        "DATABASE_URL": shared_url,
        "INDEX_STORE": "database",
        "SHARED_STATE_STORE": "database",
        "INDEX_GUIDES": "false",
    }.items():
        monkeypatch.setenv(f"GOVASSIST_{name}", value)
    result = CliRunner().invoke(app, ["ingest", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["removed"] == [] and uploaded.read_text(encoding="utf-8") == NOTICE
