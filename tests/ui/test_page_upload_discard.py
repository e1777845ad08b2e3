"""The page's copy of an uploaded file is deleted once pre-review has its own copy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.container import Services
from tests.handoff_db import database_engine, services_on
from ui.citizen_handlers import CitizenBackend, run_prereview
from ui.file_cache import ENV_VAR, discard_page_uploads

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_only_regular_files_inside_the_cache_are_deleted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv(ENV_VAR, str(cache))
    upload = cache / "3f2a" / "身份证正面.png"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(PNG)
    shared = cache / "checklists"
    shared.mkdir()
    kept_beside = shared / "办事清单.txt"
    kept_beside.write_text("清单")
    second = shared / "户口本.png"
    second.write_bytes(PNG)
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(PNG)
    link = cache / "link.png"
    link.symlink_to(outside)

    deleted = discard_page_uploads(
        [str(upload), str(second), str(outside), str(link), str(cache / "gone.png")]
    )

    assert deleted == 2
    assert not upload.exists() and not upload.parent.exists()  # its own folder went with it
    assert not second.exists() and kept_beside.exists() and shared.is_dir()  # a folder in use stays
    assert outside.exists() and link.is_symlink()  # never a path elsewhere, never through a link
    assert cache.is_dir()


class ChatWithItem:
    """The chat side of the page, with an item chosen (the pre-review service itself is real)."""

    def __init__(self) -> None:
        self.recorded: list[str] = []

    def prereview_context(self, session_id: str) -> Any:
        return SimpleNamespace(guide_id="yjs-newborn", answers={})

    def record_prereview(self, session_id: str, count: int, text: str) -> str:
        self.recorded.append(text)
        return "m1"


@pytest.fixture
def page_app(chat_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv(ENV_VAR, raising=False)
    with database_engine("sqlite", tmp_path) as engine:
        services = services_on(chat_services, engine, data_dir=tmp_path / "data")
        with TestClient(create_app(services=services, mount_ui=True)) as client:
            yield client, services


def test_a_reviewed_upload_leaves_no_copy_in_the_pages_cache(page_app: Any) -> None:
    client, services = page_app
    if services.prereview is None:
        pytest.skip("pre-review is switched off in these settings")
    uploaded = client.post("/gradio_api/upload", files=[("files", ("身份证正面.png", PNG, "image/png"))])
    assert uploaded.status_code == 200, uploaded.text
    [path] = [Path(p) for p in uploaded.json()]
    assert path.is_relative_to(services.settings.ui_cache_dir) and path.exists()
    chat = ChatWithItem()
    backend = CitizenBackend(chat=chat, prereview=services.prereview)  # type: ignore[arg-type]

    result = run_prereview(backend, "s1", [str(path)], [], consented=True)

    assert result.files_discarded
    assert result.report or result.notice  # the citizen is told what happened to the file
    assert not path.exists()


def test_a_full_store_keeps_the_page_copy_for_another_try(page_app: Any) -> None:
    from assistant.prereview.storage import StorageFull

    class FullStore:
        def review(self, guide_id: str, answers: dict[str, str], uploads: list[tuple[str, bytes]]) -> Any:
            raise StorageFull("no space left on device")

    client, _ = page_app
    uploaded = client.post("/gradio_api/upload", files=[("files", ("户口本.png", PNG, "image/png"))])
    [path] = [Path(p) for p in uploaded.json()]
    backend = CitizenBackend(chat=ChatWithItem(), prereview=FullStore())  # type: ignore[arg-type]

    result = run_prereview(backend, "s1", [str(path)], [], consented=True)

    assert not result.files_discarded and path.exists()
