"""Reading eval datasets and corpora (formats in DESIGN.md §4), with clear errors naming file and line."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


class DatasetError(ValueError):
    """A dataset or corpus file that does not follow its format."""


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    expected_outcome: str = "answered"
    expected_keywords: list[list[str]] = field(default_factory=list)
    expected_sources: list[str] = field(default_factory=list)
    category: str = ""


def _records(path: Path) -> list[tuple[int, dict[str, object]]]:
    records: list[tuple[int, dict[str, object]]] = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DatasetError(f"{path}:{line_no}: not valid JSON ({error.msg})") from error
        if not isinstance(record, dict):
            raise DatasetError(f"{path}:{line_no}: expected a JSON object")
        records.append((line_no, record))
    if not records:
        raise DatasetError(f"{path}: no records")
    return records


def _keyword_groups(value: object, where: str) -> list[list[str]]:
    if not isinstance(value, list):
        raise DatasetError(f"{where}: expected_keywords must be a list of lists of strings")
    groups: list[list[str]] = []
    for group in value:
        alternatives = [group] if isinstance(group, str) else group
        if (
            not isinstance(alternatives, list)
            or not alternatives
            or not all(isinstance(a, str) and a for a in alternatives)
        ):
            raise DatasetError(f"{where}: each keyword group must be a non-empty list of strings")
        groups.append(list(alternatives))
    return groups


def item_from_record(record: dict[str, object], where: str) -> EvalItem:
    """One validated item from a parsed JSON object; ``where`` (file:line) prefixes any error."""
    item_id, question = record.get("id"), record.get("question")
    if not isinstance(item_id, str | int) or not isinstance(question, str) or not question.strip():
        raise DatasetError(f"{where}: each item needs an 'id' and a non-empty 'question'")
    sources = record.get("expected_sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise DatasetError(f"{where}: expected_sources must be a list of strings")
    return EvalItem(
        id=str(item_id),
        question=question,
        expected_outcome=str(record.get("expected_outcome", "answered")),
        expected_keywords=_keyword_groups(record.get("expected_keywords", []), where),
        expected_sources=list(sources),
        category=str(record.get("category", "")),
    )


def load_dataset(path: Path) -> list[EvalItem]:
    """Load and validate a JSONL eval dataset."""
    items: list[EvalItem] = []
    seen: set[str] = set()
    for line_no, record in _records(path):
        item = item_from_record(record, f"{path}:{line_no}")
        if item.id in seen:
            raise DatasetError(f"{path}:{line_no}: duplicate id {record.get('id')!r}")
        seen.add(item.id)
        items.append(item)
    return items
