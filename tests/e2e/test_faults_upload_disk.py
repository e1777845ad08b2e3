"""Fault: the upload folder fills up while the real server (``govassist serve``) takes pre-review uploads.

Twice: with the upload folder on a 256 KB tmpfs (skipped when ``mount`` is not permitted), where the
disk itself runs out (ENOSPC), and with the settings' cap (``prereview_store_max_mb``), which always
runs. A request that does not fit is answered 507 with ``Retry-After`` and a clear message, nothing of it
is left on disk, earlier uploads are intact, chat keeps answering, and a small upload still fits.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from evals.serve_process import running_server
from tests.assistant.prereview.test_intake import raw_pdf
from tests.e2e.test_faults_worker_kill import ENV

pytestmark = pytest.mark.e2e

KB = 1024
SERVICE = "yjs-retirement"


def padded_pdf(n: int, size: int) -> bytes:
    """A one-page PDF with a text layer (no OCR needed), padded by a content-stream comment to ``size``."""
    text = b"BT /F1 12 Tf 72 760 Td (Application form %d of a made-up person) Tj ET\n%%" % n
    return raw_pdf([text + b"x" * size + b"\n"])


def upload(base: str, sizes: list[int]) -> httpx.Response:
    files = [
        ("files", (f"form-{n}.pdf", padded_pdf(n, size), "application/pdf")) for n, size in enumerate(sizes)
    ]
    return httpx.post(f"{base}/api/prereview", data={"service_id": SERVICE}, files=files, timeout=120)


def snapshot(uploads: Path) -> dict[str, str]:
    """Every file under the upload folder, with a digest of its bytes."""
    return {
        str(p.relative_to(uploads)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(uploads.rglob("*"))
        if p.is_file()
    }


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[None]:
    folder.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'not permitted'}); the cap test runs"
        )
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def check_full_store(base: str, uploads: Path, reason: str) -> None:
    first = upload(base, [60 * KB, 60 * KB])
    assert first.status_code == 200, first.text
    review_id = first.json()["review_id"]
    before = snapshot(uploads)
    assert sum(1 for name in before if name.startswith(review_id) and name.endswith(".pdf")) == 2

    full = upload(base, [100 * KB, 100 * KB])  # 200 KB more does not fit
    assert full.status_code == 507, full.text
    assert full.headers["Retry-After"] == "60"
    body = full.json()
    assert "存储空间已满" in body["detail"] and "nothing from this request was kept" in body["detail"]
    assert body["reason"] == reason
    assert snapshot(uploads) == before  # nothing partial left, the earlier review untouched

    chat = httpx.post(f"{base}/api/chat", json={"message": "居住证怎么办理？"}, timeout=60)
    assert chat.status_code == 200 and chat.json()["outcome"]
    small = upload(base, [4 * KB])
    assert small.status_code == 200, small.text
    assert {k: v for k, v in snapshot(uploads).items() if k in before} == before
    assert httpx.delete(f"{base}/api/prereview/{review_id}", timeout=30).status_code == 204


def test_a_full_disk_under_the_upload_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with tmpfs(data / "uploads", "256k"):
        with running_server(data, env=ENV, log_path=tmp_path / "server.log") as server:
            check_full_store(server.base, data / "uploads", "ENOSPC")
        log = (tmp_path / "server.log").read_text(errors="replace")
        assert "prereview upload refused: No space left on device" in log


def test_the_upload_folder_cap(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**ENV, "GOVASSIST_PREREVIEW_STORE_MAX_MB": json.dumps(256 / 1024)}
    with running_server(data, env=env, log_path=tmp_path / "server.log") as server:
        check_full_store(server.base, data / "uploads", "cap")
