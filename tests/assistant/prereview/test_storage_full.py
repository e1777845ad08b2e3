"""A full upload store: the size cap and a full disk (ENOSPC/EDQUOT) refuse a request's files as a whole,
leave nothing partial behind, keep earlier uploads, and answer 507 over HTTP."""

from __future__ import annotations

import errno
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant import atomic_write
from assistant.api.errors import install_error_handlers
from assistant.prereview import storage
from assistant.prereview.models import FileKind
from assistant.prereview.storage import StorageFull, UploadStore, new_review_id

KB = 1024


def _files(n: int, size: int) -> list[tuple[str, bytes, FileKind]]:
    return [(f"材料{i}.pdf", b"%PDF-1.4\n" + bytes(size), "pdf") for i in range(n)]


def _leftovers(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_the_cap_refuses_a_request_as_a_whole_and_keeps_earlier_uploads(tmp_path: Path) -> None:
    store = UploadStore(tmp_path / "uploads", timedelta(hours=1), max_bytes=100 * KB)
    earlier = store.save_all(new_review_id(), _files(2, 30 * KB))
    before = {p: p.read_bytes() for p in _leftovers(store.root)}
    with pytest.raises(StorageFull) as refused:
        store.save_all(new_review_id(), _files(2, 30 * KB))  # 60 KB more would pass 100 KB
    assert refused.value.reason == "cap"
    assert {p: p.read_bytes() for p in _leftovers(store.root)} == before  # nothing new, nothing lost
    assert all(upload.path.exists() for upload in earlier)
    assert store.save_all(new_review_id(), _files(1, 10 * KB))  # a small one still fits


def test_no_cap_means_only_the_disk_limits(tmp_path: Path) -> None:
    store = UploadStore(tmp_path / "uploads", timedelta(hours=1))
    assert len(store.save_all(new_review_id(), _files(3, 50 * KB))) == 3
    assert store.used_bytes() > 150 * KB


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_mid_request_removes_the_requests_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    store = UploadStore(tmp_path / "uploads", timedelta(hours=1))
    kept = store.save_all(new_review_id(), _files(1, KB))
    written = atomic_write.write_bytes_atomic
    calls = {"n": 0}

    def fill_up(path: Path, data: bytes, *, durable: bool = False) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # review.json and the first file went through; the second hits a full disk
            raise OSError(code, "No space left on device")
        written(path, data, durable=durable)

    monkeypatch.setattr(storage, "write_bytes_atomic", fill_up)
    review_id = new_review_id()
    with pytest.raises(StorageFull) as refused:
        store.save_all(review_id, _files(3, KB))
    assert refused.value.reason == errno.errorcode[code]
    assert not (store.root / review_id).exists()
    assert _leftovers(store.root) == sorted([kept[0].path, kept[0].path.parent / "review.json"])


def test_other_write_errors_propagate_and_still_clean_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = UploadStore(tmp_path / "uploads", timedelta(hours=1))

    def broken(path: Path, data: bytes, *, durable: bool = False) -> None:
        if path.name != "review.json":
            raise OSError(errno.EIO, "I/O error")
        path.write_bytes(data)

    monkeypatch.setattr(storage, "write_bytes_atomic", broken)
    review_id = new_review_id()
    with pytest.raises(OSError) as failed:
        store.save_all(review_id, _files(1, KB))
    assert not isinstance(failed.value, StorageFull) and failed.value.errno == errno.EIO
    assert not (store.root / review_id).exists()


def test_storage_full_answers_507_with_retry_after_and_a_clear_message() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/upload")
    def upload() -> None:
        raise StorageFull("ENOSPC")

    response = TestClient(app).post("/upload")
    assert response.status_code == 507
    assert response.headers["Retry-After"] == "60"
    body = response.json()
    assert "存储空间已满" in body["detail"] and "storage is full" in body["detail"]
    assert (body["error"], body["reason"]) == ("StorageFull", "ENOSPC")
