"""Upload storage: server-generated names, private permissions, atomic writes, delete, retention sweep."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import UTC, datetime, timedelta

import pytest

from assistant.prereview.storage import SweepThread, UploadStore, is_review_id, new_review_id


@pytest.fixture
def store(tmp_path):
    return UploadStore(tmp_path / "uploads", timedelta(hours=24))


def _age(store: UploadStore, review_id: str, hours: float) -> None:
    created = datetime.now(UTC) - timedelta(hours=hours)
    (store.root / review_id / "review.json").write_text(json.dumps({"created": created.isoformat()}))


def test_save_uses_a_server_name_and_private_permissions(store):
    review_id = new_review_id()
    upload = store.save(review_id, "../../身份证.png", b"\x89PNG data", "png")
    assert upload.path.parent == store.root / review_id
    assert upload.path.name == f"{upload.file_id}.png"
    assert "身份证" not in str(upload.path) and ".." not in upload.path.parts
    assert upload.path.read_bytes() == b"\x89PNG data"
    assert (upload.display_name, upload.kind, upload.size) == ("../../身份证.png", "png", 9)
    assert stat.S_IMODE(upload.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(upload.path.parent.stat().st_mode) == 0o700
    second = store.save(review_id, "a.pdf", b"%PDF-", "pdf")
    assert second.file_id != upload.file_id and second.path.suffix == ".pdf"
    assert not [p for p in upload.path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_write_is_atomic_when_the_rename_fails(store, monkeypatch):
    review_id = new_review_id()
    store.save(review_id, "first.jpg", b"ok", "jpeg")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.save(review_id, "second.jpg", b"partial", "jpeg")
    names = sorted(p.name for p in (store.root / review_id).iterdir())
    assert len(names) == 2 and "review.json" in names  # the first upload and metadata; no temp, no partial
    assert not any(name.startswith(".tmp-") for name in names)


@pytest.mark.parametrize(
    "bad", ["../x", "..", "", "ABCDEF" * 6, "a" * 31, "../" + "a" * 32, "a" * 32 + "/.."]
)
def test_review_ids_are_validated(store, bad):
    assert not is_review_id(bad)
    with pytest.raises(ValueError):
        store.save(bad, "x.png", b"x", "png")
    assert store.delete_review(bad) is False


def test_delete_cannot_escape_the_root(store, tmp_path):
    victim = tmp_path / "x"
    victim.mkdir()
    store.save(new_review_id(), "a.png", b"x", "png")
    assert store.delete_review("../x") is False
    assert victim.is_dir()


def test_delete_review(store):
    review_id = new_review_id()
    upload = store.save(review_id, "a.png", b"x", "png")
    assert store.exists(review_id)
    assert store.delete_review(review_id) is True
    assert not upload.path.exists() and not store.exists(review_id)
    assert store.delete_review(review_id) is False
    assert store.delete_review(new_review_id()) is False


def test_sweep_deletes_old_reviews_and_keeps_new_ones(store):
    old, new, by_mtime = new_review_id(), new_review_id(), new_review_id()
    for review_id in (old, new, by_mtime):
        store.save(review_id, "a.png", b"x", "png")
    _age(store, old, 25)
    (store.root / by_mtime / "review.json").unlink()  # no metadata: the directory's mtime decides
    past = time.time() - 30 * 3600
    os.utime(store.root / by_mtime, (past, past))
    stray = store.root / "not-a-review"
    stray.mkdir()
    assert store.sweep() == 2
    assert not store.exists(old) and not store.exists(by_mtime)
    assert store.exists(new) and stray.is_dir()
    assert store.sweep(now=datetime.now(UTC) + timedelta(hours=25)) == 1
    assert not store.exists(new)


def test_sweep_of_a_missing_root(tmp_path):
    assert UploadStore(tmp_path / "nothing", timedelta(hours=1)).sweep() == 0


def test_sweep_thread_runs_periodically_and_stops(store):
    review_id = new_review_id()
    store.save(review_id, "a.png", b"x", "png")
    thread = SweepThread(store, interval_s=0.02)
    thread.start()
    try:
        _age(store, review_id, 48)
        deadline = time.monotonic() + 3
        while store.exists(review_id) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not store.exists(review_id)
    finally:
        thread.stop()
    assert not thread.is_alive() and thread.daemon
