"""The pages' file cache lives in the deployment's data folder and follows the upload retention."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.container import Services
from tests.handoff_db import database_engine, services_on
from ui.file_cache import ENV_VAR

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _sweepers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "page-cache-sweep"]


@pytest.fixture
def short_retention(chat_services: Services, tmp_path: Path) -> Iterator[Services]:
    """Services whose uploads expire after 1 s and are swept every 50 ms, data in this test's folder (a
    shorter retention could sweep an upload's file while Gradio is still writing it)."""
    with database_engine("sqlite", tmp_path) as engine:
        yield services_on(
            chat_services,
            engine,
            data_dir=tmp_path / "data",
            prereview_retention_hours=1 / 3600,
            prereview_sweep_interval_s=0.05,
        )


def test_a_file_uploaded_through_the_page_is_kept_in_the_data_folder_and_swept(
    short_retention: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)  # as in a fresh `govassist serve` process
    cache = short_retention.settings.ui_cache_dir
    others = set(_sweepers())  # another app of this test process (the browser tests' server) may run one
    with TestClient(create_app(services=short_retention, mount_ui=True)) as client:
        assert os.environ[ENV_VAR] == str(cache)
        assert (cache.stat().st_mode & 0o777) == 0o700
        ours = set(_sweepers()) - others
        assert ours, "the app's lifespan starts a page-cache-sweep thread"

        uploaded = client.post("/gradio_api/upload", files=[("files", ("身份证正面.png", PNG, "image/png"))])
        assert uploaded.status_code == 200, uploaded.text
        [path] = [Path(p) for p in uploaded.json()]
        assert path.is_relative_to(cache)  # not the machine-wide /tmp/gradio

        deadline = time.monotonic() + 15
        while path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not path.exists(), "the sweep should delete the expired copy"
    assert not any(thread.is_alive() for thread in ours)  # stopped with the app


def test_an_operator_set_cache_folder_is_kept(
    short_retention: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chosen = tmp_path / "operator-cache"
    monkeypatch.setenv(ENV_VAR, str(chosen))
    with TestClient(create_app(services=short_retention, mount_ui=True)) as client:
        uploaded = client.post(
            "/gradio_api/upload", files=[("files", ("扫描件.pdf", b"%PDF-1.4", "application/pdf"))]
        )
        assert uploaded.status_code == 200
        assert Path(uploaded.json()[0]).is_relative_to(chosen)


def test_files_written_for_download_land_in_the_swept_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from assistant.prereview.folder_sweep import FolderSweep
    from ui import citizen_parts
    from ui.file_cache import page_file_folder

    cache = tmp_path / "cache"
    monkeypatch.setenv(ENV_VAR, str(cache))
    monkeypatch.setattr(citizen_parts, "CHECKLIST_DIR", None)
    checklist = Path(citizen_parts.save_checklist({"name": "新生儿出生", "materials": []}, "sess-9"))
    assert checklist.is_relative_to(cache / "checklists")
    assert page_file_folder("exports").is_relative_to(cache)
    assert (cache / "checklists").stat().st_mode & 0o777 == 0o700

    FolderSweep(cache, timedelta(hours=24)).sweep(now=datetime.now(UTC) + timedelta(hours=25))
    assert not checklist.exists()
