"""Files written whole or not at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from assistant.atomic_write import write_bytes_atomic


def test_the_file_is_replaced_whole_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "figures.json"
    target.write_bytes(b"old")
    write_bytes_atomic(target, "新的内容".encode())
    assert target.read_bytes() == "新的内容".encode()
    assert [p.name for p in tmp_path.iterdir()] == ["figures.json"]


def test_a_failed_rename_keeps_the_old_file_and_removes_the_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "figures.json"
    target.write_bytes(b"old")

    def failing_replace(source: str, destination: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["figures.json"]


def test_owner_only_by_default_and_the_mode_asked_for_otherwise(tmp_path: Path) -> None:
    private, shared = tmp_path / "upload.bin", tmp_path / "report.json"
    write_bytes_atomic(private, b"x")
    write_bytes_atomic(shared, b"y", mode=0o644)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644


def test_durable_writes_are_flushed_to_disk_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    write_bytes_atomic(tmp_path / "a", b"1")
    assert synced == []
    write_bytes_atomic(tmp_path / "b", b"2", durable=True)
    assert len(synced) == 1
