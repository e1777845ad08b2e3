"""The shared table of dashboard uploads: save and undo, materialising a machine's folder from it,
adopting files uploaded before it existed, and rows that must never become files. On SQLite and, when
``GOVASSIST_TEST_POSTGRES_URL`` is set, on a fresh PostgreSQL schema."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from assistant.components.database import make_engine
from assistant.index.knowledge_uploads import (
    KnowledgeUploadStore,
    is_upload_name,
    knowledge_uploads,
    materialise_shared_uploads,
)
from assistant.settings import Settings
from tests.handoff_db import BACKENDS, database_engine


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with database_engine(request.param, tmp_path) as shared:
        yield shared


def machine(engine: Engine, folder: Path) -> KnowledgeUploadStore:
    store = KnowledgeUploadStore(engine, folder)
    store.create_schema()
    return store


def test_an_upload_on_one_machine_is_written_on_another(engine: Engine, tmp_path: Path) -> None:
    first, second = machine(engine, tmp_path / "a"), machine(engine, tmp_path / "b")
    assert first.save("notice.md", "# 通知\n第一版".encode()) is None
    assert second.materialise() == ["notice.md"]
    assert (tmp_path / "b" / "notice.md").read_text(encoding="utf-8") == "# 通知\n第一版"
    assert second.materialise() == []  # already in line: nothing rewritten

    assert first.save("notice.md", "# 通知\n第二版".encode()) == "# 通知\n第一版".encode()
    assert second.materialise() == ["notice.md"]
    assert (tmp_path / "b" / "notice.md").read_text(encoding="utf-8") == "# 通知\n第二版"
    assert not [p for p in (tmp_path / "b").iterdir() if p.name.endswith(".part")]


def test_restore_undoes_a_save(engine: Engine, tmp_path: Path) -> None:
    store = machine(engine, tmp_path / "a")
    previous = store.save("guide.txt", b"old")
    store.restore("guide.txt", previous)
    assert store.digests() == {}
    previous = store.save("guide.txt", b"old")
    replaced = store.save("guide.txt", b"new")
    store.restore("guide.txt", replaced)
    assert (machine(engine, tmp_path / "b").materialise(), (tmp_path / "b" / "guide.txt").read_bytes()) == (
        ["guide.txt"],
        b"old",
    )


def test_files_uploaded_before_the_table_existed_are_adopted(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "older.md").write_text("# 旧文档", encoding="utf-8")
    (folder / ".staging").mkdir()  # the upload's staging folder and other names are not uploads
    (folder / "notes.exe").write_bytes(b"MZ")
    assert machine(engine, folder).materialise() == []
    assert set(machine(engine, folder).digests()) == {"older.md"}
    assert machine(engine, tmp_path / "b").materialise() == ["older.md"]


@pytest.mark.parametrize("name", ["../escape.md", "/etc/cron.d/job.txt", "sub/dir.md", ".hidden.md", "x.sh"])
def test_a_row_that_is_no_plain_upload_name_never_becomes_a_file(
    engine: Engine, tmp_path: Path, name: str
) -> None:
    store = machine(engine, tmp_path / "machine" / "uploads")
    with pytest.raises(ValueError):
        store.save(name, b"x")
    with engine.begin() as connection:  # written behind the store's back
        connection.execute(
            knowledge_uploads.insert().values(
                name=name, sha256="0" * 64, size=1, uploaded_s=time.time(), data=b"x"
            )
        )
    assert store.materialise() == []
    assert not is_upload_name(name)
    assert not any(p.is_file() for p in (tmp_path / "machine").rglob("*"))


def test_a_command_materialises_only_when_uploads_are_shared(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    local = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path / "data", database_url=url, shared_state_store="local"
    )
    assert materialise_shared_uploads(local) == [] and not (tmp_path / "shared.db").exists()

    shared = local.model_copy(update={"shared_state_store": "database"})
    first = machine(make_engine(url), tmp_path / "first")
    first.save("通知.md", "# 通知\n正文".encode())
    assert materialise_shared_uploads(shared) == ["通知.md"]
    assert (shared.data_dir / "uploads_knowledge" / "通知.md").read_text(encoding="utf-8") == "# 通知\n正文"
    assert materialise_shared_uploads(shared) == []  # already there
