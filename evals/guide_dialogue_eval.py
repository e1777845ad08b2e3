"""Scripted 智能导办 dialogues: each line of ``guide_dialogues.jsonl`` replayed through ``GuideDialogue``.

The dialogue starts with the line's ``opening``; a ``clarify_item`` turn is answered with the gold
guide's name; each ``ask`` / ``reask`` gets the next scripted reply. A line succeeds when it ends
in a checklist of the gold guide with exactly the expected materials and answers.

    python -m evals.guide_dialogue_eval [--matcher auto|oracle|catalogue] [--report DIR]

The real matcher (``assistant.guide.matcher.CatalogueMatcher``) is used when it exists; otherwise,
or with ``--matcher oracle``, an exact-id fake returns each line's gold guide (``matcher: "oracle"``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.guide.dialogue import GuideDialogue, GuideTurn
from assistant.guide.loader import CatalogueLoad, load_catalogue
from assistant.guide.matching import GuideMatch, Matcher
from assistant.settings import PROJECT_ROOT
from evals.metrics import mean_or_none, percentile
from evals.metrics_file import write_metrics

DATASET = PROJECT_ROOT / "evals" / "datasets" / "guide_dialogues.jsonl"
CATALOGUE = PROJECT_ROOT / "knowledge" / "guides"
MAX_TURNS = 20


class OracleMatcher:
    """An exact-id fake: an opening of the dataset matches its gold guide; a guide's name matches it."""

    def __init__(self, catalogue: CatalogueLoad, items: Sequence[Mapping[str, Any]]) -> None:
        self._gold: dict[str, str] = {item["opening"]: item["guide_id"] for item in items}
        self._gold.update({guide.name: guide.id for guide in catalogue.guides})
        self._catalogue = catalogue

    def search(self, text: str, k: int = 5) -> list[GuideMatch]:
        guide = self._catalogue.get(self._gold.get(text, ""))
        return [GuideMatch(guide, 1.0, "oracle")][:k] if guide else []

    def decide(self, text: str) -> list[GuideMatch]:
        return self.search(text)


def load_items(path: Path = DATASET) -> list[dict[str, Any]]:
    """The dialogue lines of a JSONL file."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def real_matcher(catalogue: CatalogueLoad) -> Matcher | None:
    """``CatalogueMatcher`` over ``catalogue`` with the lexicon's tokenizer, or None when that module
    does not exist yet (it is imported lazily)."""
    try:
        module = importlib.import_module("assistant.guide.matcher")
    except ImportError:
        return None
    from assistant.lexicon import load_lexicon
    from assistant.settings import Settings
    from assistant.tokenization import ChineseTokenizer

    tokenizer = ChineseTokenizer(load_lexicon(Settings().lexicon_dir))
    matcher: Matcher = module.CatalogueMatcher(catalogue.guides, tokenizer)
    return matcher


def run_dialogue(dialogue: GuideDialogue, item: Mapping[str, Any]) -> dict[str, Any]:
    """Replay one line; the result holds the transcript, the counts and the final checklist."""
    gold = dialogue.catalogue.get(item["guide_id"])
    replies = list(item["replies"])
    transcript: list[dict[str, Any]] = []
    latencies: list[float] = []
    clarifications = questions = reasks = 0
    problem = ""

    def turn_of(call: Any, *args: Any) -> GuideTurn:
        started = time.perf_counter()
        turn: GuideTurn = call(*args)
        latencies.append((time.perf_counter() - started) * 1000)
        transcript.append({"kind": turn.kind, "text": turn.text[:200], "options": turn.options})
        return turn

    transcript.append({"citizen": item["opening"]})
    turn = turn_of(dialogue.start, item["opening"])
    while turn.kind not in ("checklist", "left", "not_a_guide") and len(latencies) < MAX_TURNS:
        if turn.state is None:
            problem = f"{turn.kind} turn without state"
            break
        if turn.kind == "clarify_item" or (turn.kind == "reask" and turn.state.stage == "choose"):
            clarifications += 1
            if gold is None:
                problem = "gold guide not in the catalogue"
                break
            reply = gold.name
        else:
            questions += turn.kind == "ask"
            reasks += turn.kind == "reask"
            if not replies:
                problem = "asked more questions than the script has replies"
                break
            reply = replies.pop(0)
        transcript.append({"citizen": reply})
        turn = turn_of(dialogue.reply, turn.state, reply)
    checklist = turn.checklist if turn.kind == "checklist" else None
    materials = checklist.material_ids if checklist else []
    answers = {a.situation_id: a.option_id for a in checklist.answers} if checklist else {}
    if not problem and checklist is None:
        problem = f"ended with {turn.kind}"
    elif not problem and checklist is not None and checklist.guide_id != item["guide_id"]:
        problem = f"checklist of {checklist.guide_id}"
    elif not problem and replies:
        problem = f"replies left over: {replies}"
    success = (
        not problem
        and checklist is not None
        and materials == list(item["expected_materials"])
        and answers == dict(item["expected_answers"])
    )
    result: dict[str, Any] = {
        "id": item["id"],
        "guide_id": item["guide_id"],
        "success": success,
        "problem": problem,
        "checklist_guide": checklist.guide_id if checklist else None,
        "materials": materials,
        "answers": answers,
        "questions": questions,
        "reasks": reasks,
        "clarifications": clarifications,
        "latency_ms": [round(value, 3) for value in latencies],
    }
    if not success:
        result["transcript"] = transcript
    return result


def evaluate_dialogues(
    dialogue: GuideDialogue, items: Sequence[Mapping[str, Any]], *, matcher: str = "custom"
) -> dict[str, Any]:
    """Success rate, questions asked, materials precision/recall (micro) and per-turn latency."""
    results = [run_dialogue(dialogue, item) for item in items]
    predicted = gold = correct = 0
    for item, result in zip(items, results, strict=True):
        expected = set(item["expected_materials"])
        shown = result["checklist_guide"]
        got = {m if shown == item["guide_id"] else f"{shown}:{m}" for m in result["materials"]}
        predicted, gold, correct = predicted + len(got), gold + len(expected), correct + len(got & expected)
    latencies = [value for result in results for value in result["latency_ms"]]
    questions = [result["questions"] for result in results]
    return {
        "matcher": matcher,
        "n": len(results),
        "success_rate": sum(r["success"] for r in results) / len(results) if results else None,
        "mean_questions": _round(mean_or_none(questions)),
        "max_questions": max(questions, default=0),
        "materials_precision": correct / predicted if predicted else None,
        "materials_recall": correct / gold if gold else None,
        "item_clarifications": sum(r["clarifications"] for r in results),
        "reasks": sum(r["reasks"] for r in results),
        "turns": len(latencies),
        "latency_ms": {"p50": _round(percentile(latencies, 50)), "p95": _round(percentile(latencies, 95))},
        "items": results,
    }


def _round(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None


def _table(metrics: Mapping[str, Any]) -> str:
    def cell(value: Any) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    rows = [
        ("matcher", metrics["matcher"]),
        ("dialogues", metrics["n"]),
        ("success rate", metrics["success_rate"]),
        ("materials precision", metrics["materials_precision"]),
        ("materials recall", metrics["materials_recall"]),
        ("questions asked: mean", metrics["mean_questions"]),
        ("questions asked: max", metrics["max_questions"]),
        ("item clarifications", metrics["item_clarifications"]),
        ("re-asks", metrics["reasks"]),
        ("turn latency p50 (ms)", metrics["latency_ms"]["p50"]),
        ("turn latency p95 (ms)", metrics["latency_ms"]["p95"]),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name.ljust(width)}  {cell(value)}" for name, value in rows]
    lines += [
        f"FAILED {r['id']}: {r['problem'] or 'wrong checklist'}" for r in metrics["items"] if not r["success"]
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Replay the scripted 智能导办 dialogues.")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE, help="folder of guide YAML files")
    parser.add_argument("--matcher", choices=("auto", "oracle", "catalogue"), default="auto")
    parser.add_argument("--report", type=Path, help="folder for metrics.json")
    args = parser.parse_args(argv)
    items = load_items(args.dataset)
    catalogue = load_catalogue(args.catalogue)
    matcher = real_matcher(catalogue) if args.matcher != "oracle" else None
    if matcher is None and args.matcher == "catalogue":
        parser.error("assistant.guide.matcher.CatalogueMatcher is not available")
    name = "oracle" if matcher is None else "catalogue"
    if matcher is None:
        matcher = OracleMatcher(catalogue, items)
    dialogue = GuideDialogue(catalogue, matcher)
    metrics = evaluate_dialogues(dialogue, items, matcher=name)
    metrics["dataset"] = str(args.dataset)
    metrics["catalogue_size"] = len(catalogue)
    print(_table(metrics))
    if args.report:
        write_metrics(args.report, metrics)


if __name__ == "__main__":
    main()
