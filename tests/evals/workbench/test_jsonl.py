"""Line-numbered loading: a malformed line is reported with its number and skipped, the rest load."""

from __future__ import annotations

from pathlib import Path

from evals.workbench.suites_chat import load_questions
from evals.workbench.suites_guide import GuideSuite


def test_malformed_lines_are_skipped_with_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        "\n".join(
            [
                '{"id": "a", "question": "社保怎么转"}',
                "{not json",
                '{"id": "b"}',
                "",
                '["a list"]',
                '{"id": "c", "question": "x", "expected_keywords": "oops"}',
                '{"id": "a", "question": "again"}',
                '{"id": "d", "question": "营业执照", "expected_sources": ["gf-2022-5"]}',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    loaded = load_questions([path])
    assert [i.id for i in loaded.items] == ["a", "d"]
    assert [i.line for i in loaded.items] == [1, 8]
    reasons = {s.line: s.reason for s in loaded.skipped}
    assert sorted(reasons) == [2, 3, 5, 6, 7]
    assert "not valid JSON" in reasons[2]
    assert "non-empty 'question'" in reasons[3]
    assert "JSON object" in reasons[5]
    assert "list of lists" in reasons[6]
    assert "duplicate id" in reasons[7]


def test_the_bundled_datasets_load_without_skipped_lines() -> None:
    loaded = GuideSuite().load()
    assert not loaded.skipped
    kinds = {item.data["kind"] for item in loaded.items}
    assert kinds == {"match", "dialogue", "negative"}
    assert len({item.id for item in loaded.items}) == len(loaded.items)
