"""The README figures table: only the text between the markers changes, each suite linked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evals.workbench.readme_figures import BEGIN, END, MarkerError, main, replace_between_markers

METRICS = {
    "profile": "full",
    "suites": ["retrieval", "ncppolicies", "guangdong"],
    "datasets": {
        "retrieval": {"items_run": 228, "items_total": 228},
        "ncppolicies": {"unavailable": "…/local/train.json not found"},
        "guangdong": {"items_run": 2024, "items_total": 2024},
    },
    "configs": {
        "default": {
            "error": None,
            "suites": {
                "retrieval": {"metrics": {"source_at_1": 0.807, "source_at_5": 0.978, "evidence_at_5": None}},
                "guangdong": {"error": "ValueError: broken catalogue"},
            },
        },
        "other": {"error": None, "suites": {}},
    },
    "directions": {},
}


def _readme(tmp_path: Path, middle: str) -> Path:
    path = tmp_path / "README.md"
    path.write_text(f"# Title\n\nintro\n{middle}\n\n## Next\ntext\n", encoding="utf-8")
    return path


def test_the_table_replaces_only_the_text_between_the_markers(tmp_path: Path) -> None:
    metrics = tmp_path / "metrics.json"
    metrics.write_text(json.dumps(METRICS), encoding="utf-8")
    readme = _readme(tmp_path, f"{BEGIN}\nold table\n{END}")
    assert main(["--metrics", str(metrics), "--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nintro\n" + BEGIN) and text.endswith(END + "\n\n## Next\ntext\n")
    assert "old table" not in text
    assert (
        "| [retrieval](evals/workbench/suites_retrieval.py) | 228 of 228 | source@1 0.807, source@5 0.978 |"
        in text
    )  # evidence@5 has no value: left out
    assert (
        "| [ncppolicies](evals/workbench/suites_reading.py) | — | skipped: …/local/train.json not found |"
        in text
    )
    assert "failed: ValueError: broken catalogue" in text
    assert "configuration `default`" in text  # the reference configuration, not "other"
    assert re.search(r"Produced by `make eval` on \d{4}-\d\d-\d\d \d\d:\d\d UTC", text)
    before = readme.read_text(encoding="utf-8")
    assert main(["--metrics", str(metrics), "--readme", str(readme)]) == 0
    assert readme.read_text(encoding="utf-8") == before  # idempotent


def test_a_readme_without_markers_is_left_alone_and_bad_markers_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    metrics = tmp_path / "metrics.json"
    metrics.write_text(json.dumps(METRICS), encoding="utf-8")
    plain = _readme(tmp_path, "no markers here")
    before = plain.read_text(encoding="utf-8")
    assert main(["--metrics", str(metrics), "--readme", str(plain)]) == 0
    assert plain.read_text(encoding="utf-8") == before
    assert "has no <!-- eval-figures:begin -->" in capsys.readouterr().err
    with pytest.raises(MarkerError):
        replace_between_markers(f"{END}\n{BEGIN}", "x")
    with pytest.raises(MarkerError):
        replace_between_markers(f"{BEGIN}\n{BEGIN}\n{END}", "x")
    lone = _readme(tmp_path, BEGIN)
    assert main(["--metrics", str(metrics), "--readme", str(lone)]) == 1
    assert main(["--metrics", str(tmp_path / "missing.json"), "--readme", str(lone)]) == 1
