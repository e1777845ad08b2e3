"""The retention sweep of a plain cache folder (the web pages' copies of uploaded and downloaded files)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.prereview.folder_sweep import FolderSweep

DAY = timedelta(hours=24)


def _later(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


def test_files_older_than_the_retention_are_deleted_with_their_folders(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / "a1b2").mkdir(parents=True)
    scan = cache / "a1b2" / "身份证正面.png"
    scan.write_bytes(b"\x89PNG fake")
    loose = cache / "tmpx1y2"
    loose.write_text("清单")
    sweep = FolderSweep(cache, DAY)

    assert sweep.sweep() == 0  # fresh files stay
    assert scan.exists() and loose.exists()
    assert sweep.sweep(now=_later(23)) == 0
    assert sweep.sweep(now=_later(25)) == 2
    assert not scan.exists() and not loose.exists()
    assert not (cache / "a1b2").exists()  # the emptied folder went too
    assert cache.is_dir()  # the cache folder itself stays


def test_a_fresh_empty_folder_is_left_for_the_file_about_to_land_in_it(tmp_path: Path) -> None:
    (tmp_path / "fresh").mkdir()
    assert FolderSweep(tmp_path, DAY).sweep() == 0
    assert (tmp_path / "fresh").is_dir()


def test_links_are_removed_but_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    kept = outside / "keep.txt"
    kept.write_text("not the cache's")
    cache = tmp_path / "cache"
    cache.mkdir()
    os.symlink(kept, cache / "link-to-file")
    os.symlink(outside, cache / "link-to-folder")

    FolderSweep(cache, DAY).sweep(now=_later(48))
    assert kept.read_text() == "not the cache's"
    assert not (cache / "link-to-file").is_symlink()


def test_a_missing_folder_is_nothing_to_do(tmp_path: Path) -> None:
    assert FolderSweep(tmp_path / "never-made", DAY).sweep(now=_later(48)) == 0
