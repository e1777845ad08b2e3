"""Pre-review uploads in the shared database: stored through one instance, seen, deleted and swept
through another; all or none; the cap and a full database refuse with StorageFull. On a SQLite file
and on PostgreSQL (skipped without ``GOVASSIST_TEST_POSTGRES_URL``, like the other tests)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from assistant.components.database import make_engine
from assistant.prereview.db_storage import DatabaseUploadStore, uploads
from assistant.prereview.storage import StorageFull, new_review_id
from tests.handoff_db import BACKENDS, database_engine

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.4\n" + b"0" * 200


@pytest.fixture(params=BACKENDS)
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[DatabaseUploadStore, ...]]:
    """Two stores (two machines: their own engine and working folder) on one database."""
    with database_engine(request.param, tmp_path) as first:
        second = make_engine(first.url.render_as_string(hide_password=False))
        a = DatabaseUploadStore(first, tmp_path / "machine-a", timedelta(hours=24))
        b = DatabaseUploadStore(second, tmp_path / "machine-b", timedelta(hours=24))
        a.create_schema()
        yield a, b
        second.dispose()


def rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(uploads)).scalar_one())


def test_an_upload_through_one_is_seen_and_deleted_through_the_other(
    stores: tuple[DatabaseUploadStore, ...],
) -> None:
    a, b = stores
    review = new_review_id()
    saved = a.save_all(review, [("出生医学证明.png", PNG, "png"), ("申请表.pdf", PDF, "pdf")])
    assert [s.path.read_bytes() for s in saved] == [PNG, PDF]  # working copies for the extractors
    assert saved[0].path.stat().st_mode & 0o777 == 0o600
    assert a.scratch_root.stat().st_mode & 0o777 == saved[0].path.parent.stat().st_mode & 0o777 == 0o700
    assert saved[0].display_name == "出生医学证明.png" and saved[1].size == len(PDF)
    a.release(review)
    assert not (a.scratch_root / review).exists()  # the working copies are gone, the rows stay
    assert b.exists(review) and b.used_bytes() == len(PNG) + len(PDF)
    with b.engine.connect() as connection:  # the client's file name is not kept
        stored = connection.execute(select(uploads)).mappings().all()
    assert {bytes(r["data"]) for r in stored} == {PNG, PDF} and "出生" not in str(dict(stored[0]))
    assert b.delete_review(review)
    assert not a.exists(review) and rows(a.engine) == 0
    assert not b.delete_review(review) and not b.delete_review("../etc")


def test_retention_is_enforced_by_whoever_sweeps(stores: tuple[DatabaseUploadStore, ...]) -> None:
    a, b = stores
    old, fresh = new_review_id(), new_review_id()
    a.save_all(old, [("a.png", PNG, "png")])
    a.release(old)
    later = datetime.now(UTC) + timedelta(hours=12)
    b.save_all(fresh, [("b.png", PNG, "png")])
    b.release(fresh)
    assert b.sweep(later) == 0
    assert b.sweep(later + timedelta(hours=12, minutes=1)) == 2  # both machines' reviews, by machine b
    assert rows(a.engine) == 0


def test_the_cap_refuses_with_storage_full_and_keeps_nothing(stores: tuple[DatabaseUploadStore, ...]) -> None:
    a, b = stores
    a.save_all(new_review_id(), [("a.png", PNG, "png")])
    capped = DatabaseUploadStore(b.engine, b.scratch_root, b.retention, max_bytes=len(PNG) + 50)
    review = new_review_id()
    with pytest.raises(StorageFull):
        capped.save_all(review, [("b.png", PNG, "png")])
    assert not capped.exists(review) and not (b.scratch_root / review).exists()
    assert rows(b.engine) == 1


def test_a_failing_working_copy_leaves_no_rows(
    stores: tuple[DatabaseUploadStore, ...], tmp_path: Path
) -> None:
    a, _ = stores
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    broken = DatabaseUploadStore(a.engine, blocked, a.retention)
    with pytest.raises(OSError):
        broken.save_all(new_review_id(), [("a.png", PNG, "png")])
    assert rows(a.engine) == 0


def test_a_full_database_is_storage_full(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'full.db'}")
    store = DatabaseUploadStore(engine, tmp_path / "work", timedelta(hours=1))
    store.create_schema()

    @event.listens_for(engine, "connect")
    def _small(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA max_page_count=16")  # about 64 KB: SQLITE_FULL beyond

    engine.dispose()  # new connections get the pragma
    review = new_review_id()
    with pytest.raises(StorageFull):
        store.save_all(review, [("big.pdf", b"%PDF-1.4\n" + b"1" * 200_000, "pdf")])
    assert not store.exists(review) and not (tmp_path / "work" / review).exists()
    engine.dispose()


def test_postgresql_disk_full_is_storage_full(tmp_path: Path) -> None:
    with database_engine("postgresql", tmp_path) as engine:  # skips without the test PostgreSQL
        store = DatabaseUploadStore(engine, tmp_path / "work", timedelta(hours=1))
        store.create_schema()
        with engine.begin() as connection:  # the server's own error for a full disk (SQLSTATE 53100)
            connection.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER full_disk BEFORE INSERT ON prereview_uploads FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        review = new_review_id()
        with pytest.raises(StorageFull):
            store.save_all(review, [("a.png", PNG, "png")])
        assert not store.exists(review) and not (tmp_path / "work" / review).exists()
