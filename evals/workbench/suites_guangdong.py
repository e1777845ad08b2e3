"""The ``guangdong`` suite: guide matching on the Guangdong 办事指南 source records (policy.json).

The bundled catalogue holds these records converted (``gd-<TASK_CODE>``), so what is measured is not
whether a name is known but whether the matcher finds an item from a citizen-style question about it:
each distinct item name (its trailing bracketed qualifiers dropped, as a citizen would not say
“(对支队作出的较大火灾事故认定的复核)”) is put in one of five question templates, rotated by line
(materials, place, time, how to apply, phone), and every record carrying that name is gold (any
counts). Scored with the same matcher and scoring as ``guide`` (evals/guide_match_eval.py).
These are name-derived queries, not paraphrases: colloquial wording is ``guide``'s guide_match.jsonl.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from assistant.settings import Settings
from evals.guide_match_eval import MatchItem
from evals.workbench.jsonl import Item, Loaded, read_jsonl
from evals.workbench.suite import RunItem, Suite, SuiteUnavailable
from evals.workbench.suites_guide import score_match

TEMPLATES = (
    "{name}需要准备哪些材料",
    "{name}去哪里办理",
    "{name}多长时间能办好",
    "我想办理{name}，该怎么办",
    "{name}的咨询电话是多少",
)
_QUALIFIER = re.compile(r"[（(][^（）()]*[）)]\s*$")


def plain_name(name: str) -> str:
    """``name`` without its trailing bracketed qualifiers (kept whole if nothing would be left)."""
    name = name.strip()
    while True:
        shorter = _QUALIFIER.sub("", name).strip()
        if shorter == name or not shorter:
            return name
        name = shorter


def _record(record: dict[str, Any], where: str) -> Item:
    code, name = record.get("TASK_CODE"), record.get("TASK_NAME") or record.get("matter_name")
    if not isinstance(code, str) or not code.strip() or not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: each record needs a TASK_CODE and a TASK_NAME")
    return Item(code.strip(), plain_name(name))


def build_items(records: Loaded) -> list[Item]:
    """One request per distinct plain name, in file order, gold: every record with that name."""
    gold: dict[str, list[str]] = {}
    first: dict[str, Item] = {}
    for record in records.items:
        gold.setdefault(record.data, []).append(f"gd-{record.id}")
        first.setdefault(record.data, record)
    items: list[Item] = []
    for n, (name, record) in enumerate(first.items()):
        query = TEMPLATES[n % len(TEMPLATES)].format(name=name)
        match = MatchItem(f"gd-{record.id}", query, gold[name])
        items.append(Item(match.id, match, record.source, record.line))
    return items


class GuangdongSuite(Suite):
    name = "guangdong"
    description = (
        "Guangdong guide matching: a templated question about each distinct item name of policy.json "
        "(2,024 names), matched over the whole catalogue"
    )
    metrics: ClassVar[dict[str, str]] = {
        "top1": "higher",
        "top3": "higher",
        "reciprocal_rank": "higher",
        "decide_hit": "higher",
    }
    full_size = 0

    def __init__(self, source: Path | None = None) -> None:
        self.source = source

    def load(self) -> Loaded:
        from ingest.guangdong_guides import DEFAULT_SOURCE

        path = self.source or DEFAULT_SOURCE
        if not path.exists():
            raise SuiteUnavailable(
                f"{path} not found: the Guangdong records are read from shared/external-data"
            )
        records = read_jsonl(path, _record)
        return Loaded(build_items(records), records.skipped, records.sources)

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        from assistant.guide.loader import load_catalogue
        from assistant.guide.matcher import CatalogueMatcher
        from assistant.lexicon import load_lexicon
        from assistant.tokenization import ChineseTokenizer

        catalogue = load_catalogue(settings.guides_dir)
        matcher = CatalogueMatcher(catalogue.guides, ChineseTokenizer(load_lexicon(settings.lexicon_dir)))
        matcher.search("预热")

        def run(item: Item) -> dict[str, Any]:
            match: MatchItem = item.data
            started = time.perf_counter()
            scores, detail, evidence = score_match(matcher, match)
            latency = (time.perf_counter() - started) * 1000
            return {
                "question": match.query,
                "scores": scores,
                "latency_ms": round(latency, 2),
                "detail": detail,
                "evidence": evidence,
            }

        yield run
