"""Reading JSONL datasets line by line: a malformed line is reported with its number and skipped."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Item:
    """One evaluation item: a stable id, the suite's payload, and where it came from."""

    id: str
    data: Any
    source: str = ""
    line: int = 0


@dataclass(frozen=True)
class SkippedLine:
    source: str
    line: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "reason": self.reason}


@dataclass
class Loaded:
    """The items of a suite and the lines that were skipped as malformed."""

    items: list[Item] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def extend(self, other: Loaded) -> None:
        self.items += other.items
        self.skipped += other.skipped
        self.sources += other.sources


Parse = Callable[[dict[str, Any], str], Item]
"""Turns one JSON object (and its ``file:line``) into an item, raising ValueError when malformed."""


def read_jsonl(path: Path, parse: Parse, *, id_prefix: str = "") -> Loaded:
    """Every valid line of ``path`` as an item; invalid JSON, non-objects, items ``parse`` rejects and
    duplicate ids are skipped and listed with their line numbers."""
    loaded = Loaded(sources=[str(path)])
    seen: set[str] = set()
    text = path.read_text(encoding="utf-8-sig")
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{line_no}"
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError(f"{where}: expected a JSON object")
            item = parse(record, where)
        except json.JSONDecodeError as error:
            loaded.skipped.append(SkippedLine(str(path), line_no, f"not valid JSON ({error.msg})"))
            continue
        except (ValueError, KeyError, TypeError) as error:
            reason = str(error).removeprefix(f"{where}: ")
            loaded.skipped.append(SkippedLine(str(path), line_no, reason))
            continue
        item_id = id_prefix + item.id
        if item_id in seen:
            loaded.skipped.append(SkippedLine(str(path), line_no, f"duplicate id {item.id!r}"))
            continue
        seen.add(item_id)
        loaded.items.append(Item(item_id, item.data, str(path), line_no))
    return loaded
