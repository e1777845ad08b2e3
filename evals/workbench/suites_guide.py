"""The ``guide`` suite (智能导办): item matching, false triggers on non-service questions, and the
scripted dialogues, with the real catalogue matcher (formats: evals/datasets/GUIDES.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from assistant.guide.matching import Matcher
from assistant.settings import Settings
from evals.guide_dialogue_eval import DATASET as DIALOGUES
from evals.guide_dialogue_eval import run_dialogue
from evals.guide_match_eval import MATCH_FILE, NEGATIVE_FILES, TOP_K, MatchItem
from evals.workbench.jsonl import Item, Loaded, read_jsonl
from evals.workbench.suite import RunItem, Suite

_DIALOGUE_FIELDS = {"id": str, "guide_id": str, "opening": str, "replies": list}
_DIALOGUE_EXPECTED = {"expected_answers": dict, "expected_materials": list}


def _match(record: dict[str, Any], where: str) -> Item:
    gold = record.get("gold")
    if not isinstance(record.get("query"), str) or not isinstance(gold, list) or not gold:
        raise ValueError(f"{where}: each item needs a 'query' and a non-empty 'gold' list")
    item = MatchItem(str(record["id"]), record["query"], [str(g) for g in gold], record.get("note", ""))
    return Item(item.id, {"kind": "match", "item": item})


def _dialogue(record: dict[str, Any], where: str) -> Item:
    for key, kind in {**_DIALOGUE_FIELDS, **_DIALOGUE_EXPECTED}.items():
        if not isinstance(record.get(key), kind):
            raise ValueError(f"{where}: '{key}' must be a {kind.__name__}")
    return Item(str(record["id"]), {"kind": "dialogue", "item": record})


def _negative(record: dict[str, Any], where: str) -> Item:
    if not isinstance(record.get("question"), str) or "id" not in record:
        raise ValueError(f"{where}: each item needs an 'id' and a 'question'")
    return Item(str(record["id"]), {"kind": "negative", "question": record["question"]})


def score_match(
    matcher: Matcher, match: MatchItem
) -> tuple[dict[str, float], dict[str, Any], list[dict[str, Any]]]:
    """Scores (top1, top3, reciprocal rank, decide hit), detail and evidence of one matching request."""
    ranked = matcher.search(match.query, TOP_K)
    decided = [m.guide.id for m in matcher.decide(match.query)]
    ids = [m.guide.id for m in ranked]
    rank = next((i + 1 for i, gid in enumerate(ids) if gid in match.gold), None)
    scores = {
        "top1": float(rank == 1),
        "top3": float(rank is not None and rank <= 3),
        "reciprocal_rank": 1.0 / rank if rank else 0.0,
        "decide_hit": float(any(gid in match.gold for gid in decided)),
    }
    detail: dict[str, Any] = {"gold": match.gold[:10], "rank": rank, "decide": decided}
    evidence = [{"doc_id": m.guide.id, "title": m.guide.name, "snippet": ""} for m in ranked[:3]]
    return scores, detail, evidence


class GuideSuite(Suite):
    name = "guide"
    description = "智能导办: item matching (guide_match), false triggers (policy_qa, behaviour), dialogues"
    metrics: ClassVar[dict[str, str]] = {
        "top1": "higher",
        "top3": "higher",
        "reciprocal_rank": "higher",
        "decide_hit": "higher",
        "false_trigger": "lower",
        "dialogue_success": "higher",
    }
    smoke_size = 40

    def load(self) -> Loaded:
        loaded = read_jsonl(MATCH_FILE, _match)
        loaded.extend(read_jsonl(DIALOGUES, _dialogue))
        for path in NEGATIVE_FILES:
            loaded.extend(read_jsonl(path, _negative, id_prefix=f"neg:{path.stem}:"))
        return loaded

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        from assistant.guide.dialogue import GuideDialogue
        from assistant.guide.loader import load_catalogue
        from assistant.guide.matcher import CatalogueMatcher
        from assistant.lexicon import load_lexicon
        from assistant.tokenization import ChineseTokenizer

        catalogue = load_catalogue(settings.guides_dir)
        matcher = CatalogueMatcher(catalogue.guides, ChineseTokenizer(load_lexicon(settings.lexicon_dir)))
        matcher.search("预热")
        dialogue = GuideDialogue(catalogue, matcher)

        def run(item: Item) -> dict[str, Any]:
            kind = item.data["kind"]
            started = time.perf_counter()
            if kind == "match":
                match: MatchItem = item.data["item"]
                scores, detail, evidence = score_match(matcher, match)
                question = match.query
            elif kind == "negative":
                question = item.data["question"]
                decided = [m.guide.id for m in matcher.decide(question)]
                scores, detail, evidence = {"false_trigger": float(bool(decided))}, {"decide": decided}, []
            else:
                record = item.data["item"]
                result = run_dialogue(dialogue, record)
                question = record["opening"]
                scores = {"dialogue_success": float(result["success"])}
                detail = {k: result[k] for k in ("problem", "checklist_guide", "materials", "questions")}
                evidence = []
            latency = (time.perf_counter() - started) * 1000
            return {
                "question": question,
                "kind": kind,
                "scores": scores,
                "latency_ms": round(latency, 2),
                "detail": detail,
                "evidence": evidence,
            }

        yield run
