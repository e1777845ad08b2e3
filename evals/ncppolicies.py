"""NCPPolicies (DataFountain 2020 疫情政务问答) reading-comprehension items, read from shared/external-data.

Only ``local/train.json`` and ``local/dev.json`` carry the policy text a question is answered from
(658 items over 599 documents); the full 8.9k-document corpus is missing from every snapshot, so the
corpus is those 599 documents. The data has no stated licence: it is read at run time and the
converted corpus goes to a report folder, never into the repository.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.settings import PROJECT_ROOT
from evals.workbench.jsonl import Item, Loaded, read_jsonl

DEFAULT_SOURCE = PROJECT_ROOT.parent / "shared" / "external-data" / "2020-DataFountain-Outbreak-Assistant"
FILES = ("local/train.json", "local/dev.json")
TITLE_CHARS = 60


@dataclass(frozen=True)
class ReadingItem:
    """A question, the document that answers it and the answer span's text."""

    question: str
    doc_id: str
    answer: str
    context: str


def doc_id_of(docid: str) -> str:
    return f"ncp-{docid}"


def _parse(record: dict[str, Any], where: str) -> Item:
    answer = record.get("answer")
    fields = (record.get("id"), record.get("docid"), record.get("question"), record.get("context"))
    if not all(isinstance(v, str) and v.strip() for v in fields):
        raise ValueError(f"{where}: each item needs 'id', 'docid', 'question' and 'context'")
    if not isinstance(answer, dict) or not isinstance(answer.get("text"), str) or not answer["text"].strip():
        raise ValueError(f"{where}: 'answer' must hold a non-empty 'text'")
    item = ReadingItem(
        record["question"].strip(), doc_id_of(record["docid"]), answer["text"], record["context"]
    )
    return Item(str(record["id"]), item)


def load_items(source_dir: Path = DEFAULT_SOURCE) -> Loaded:
    """Every valid item of the two files with contexts; raises FileNotFoundError when they are absent."""
    paths = [source_dir / name for name in FILES]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(
            f"{', '.join(missing)} not found: NCPPolicies is read from shared/external-data"
        )
    loaded = Loaded()
    for path in paths:
        loaded.extend(read_jsonl(path, _parse, id_prefix=""))
    return loaded


def title_of(context: str) -> str:
    """The document's headline: its text up to the first space (the files join title and body so)."""
    head = context.strip().split(" ", 1)[0]
    return head[:TITLE_CHARS]


def write_corpus(items: list[Item], out_dir: Path) -> Path:
    """``corpus.jsonl`` with one record per distinct document, in first-seen order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "corpus.jsonl"
    seen: set[str] = set()
    lines: list[str] = []
    for item in items:
        reading: ReadingItem = item.data
        if reading.doc_id in seen:
            continue
        seen.add(reading.doc_id)
        record = {"id": reading.doc_id, "title": title_of(reading.context), "text": reading.context}
        lines.append(json.dumps(record, ensure_ascii=False))
    text = "\n".join(lines) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
