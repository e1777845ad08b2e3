"""Item-matching benchmark for 智能导办: rank and decide on guide_match.jsonl, false triggers on negatives.

    python -m evals.guide_match_eval --report DIR [--half odd|even|all]

Positives are ``evals/datasets/guide_match.jsonl`` (id, query, gold ids: any gold counts). Negatives are
every question of ``policy_qa.jsonl`` and ``behaviour.jsonl`` (policy questions, greetings, out of scope,
injection): ``decide`` must return nothing for them. Writes ``DIR/metrics.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.guide.matching import Matcher
from assistant.settings import PROJECT_ROOT
from evals.metrics import percentile
from evals.metrics_file import write_metrics

DATASETS = PROJECT_ROOT / "evals" / "datasets"
MATCH_FILE = DATASETS / "guide_match.jsonl"
NEGATIVE_FILES = (DATASETS / "policy_qa.jsonl", DATASETS / "behaviour.jsonl")
TOP_K = 10


@dataclass(frozen=True)
class MatchItem:
    id: str
    query: str
    gold: list[str]
    note: str = ""


def load_match_items(path: Path = MATCH_FILE) -> list[MatchItem]:
    """The labelled requests; a line without a query or gold list fails with its number."""
    items: list[MatchItem] = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        gold = record.get("gold")
        if not isinstance(record.get("query"), str) or not isinstance(gold, list) or not gold:
            raise ValueError(f"{path}:{line_no}: each item needs a 'query' and a non-empty 'gold' list")
        items.append(
            MatchItem(str(record["id"]), record["query"], [str(g) for g in gold], record.get("note", ""))
        )
    return items


def load_negative_questions(paths: Sequence[Path] = NEGATIVE_FILES) -> list[tuple[str, str, str]]:
    """(file stem, id, question) of every line of the negative datasets."""
    questions: list[tuple[str, str, str]] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                questions.append((path.stem, str(record["id"]), str(record["question"])))
    return questions


def split_half(items: Sequence[MatchItem], half: str) -> list[MatchItem]:
    """``odd`` / ``even`` by the number in the id (gm001 is odd), or ``all``."""
    if half == "all":
        return list(items)
    return [item for item in items if _half(item.id) == half]


def evaluate_matching(matcher: Matcher, items: Sequence[MatchItem]) -> dict[str, Any]:
    """Top-1/top-3/MRR of ``search`` and precision/recall/clarify rate of ``decide`` over ``items``."""
    rows: list[dict[str, Any]] = []
    latencies: list[float] = []
    decide_latencies: list[float] = []
    for item in items:
        start = time.perf_counter()
        ranked = matcher.search(item.query, TOP_K)
        latencies.append((time.perf_counter() - start) * 1000)
        ids = [m.guide.id for m in ranked]
        rank = next((i + 1 for i, gid in enumerate(ids) if gid in item.gold), None)
        start = time.perf_counter()
        decided = [m.guide.id for m in matcher.decide(item.query)]
        decide_latencies.append((time.perf_counter() - start) * 1000)
        rows.append(
            {
                "id": item.id,
                "query": item.query,
                "gold": item.gold,
                "rank": rank,
                "top": [{"id": m.guide.id, "name": m.guide.name, "score": m.score} for m in ranked[:3]],
                "decide": decided,
                "decide_hit": any(gid in item.gold for gid in decided),
            }
        )
    n = len(rows)
    decided_rows = [r for r in rows if r["decide"]]
    return {
        "n": n,
        "top1": _share(sum(r["rank"] == 1 for r in rows), n),
        "top3": _share(sum(r["rank"] is not None and r["rank"] <= 3 for r in rows), n),
        "mrr": _share(sum(1 / r["rank"] for r in rows if r["rank"]), n),
        "decide_precision": _share(sum(r["decide_hit"] for r in decided_rows), len(decided_rows)),
        "decide_recall": _share(sum(r["decide_hit"] for r in rows), n),
        "clarify_rate": _share(sum(len(r["decide"]) > 1 for r in rows), n),
        "latency_ms": _latency(latencies),
        "decide_latency_ms": _latency(decide_latencies),
        "items": rows,
    }


def evaluate_negatives(matcher: Matcher, questions: Sequence[tuple[str, str, str]]) -> dict[str, Any]:
    """Share of non-service questions (file, id, question) for which ``decide`` starts a guided flow,
    overall, per file and per half (odd / even number in the id), and which ones, with the best item
    and its score."""
    triggered: list[dict[str, Any]] = []
    totals: dict[str, int] = {}
    hits: dict[str, int] = {}
    halves = {"odd": [0, 0], "even": [0, 0]}  # half -> [triggered, total]
    for source, question_id, question in questions:
        totals[source] = totals.get(source, 0) + 1
        half = _half(question_id)
        halves[half][1] += 1
        decided = matcher.decide(question)
        if decided:
            hits[source] = hits.get(source, 0) + 1
            halves[half][0] += 1
            triggered.append(
                {
                    "file": source,
                    "id": question_id,
                    "question": question,
                    "decide": [m.guide.id for m in decided],
                    "best": decided[0].guide.name,
                    "score": decided[0].score,
                }
            )
    return {
        "n": len(questions),
        "false_trigger_rate": _share(len(triggered), len(questions)),
        "by_file": {source: _share(hits.get(source, 0), total) for source, total in totals.items()},
        "by_half": {half: {"triggered": t, "n": n} for half, (t, n) in halves.items()},
        "triggered": triggered,
    }


def _half(item_id: str) -> str:
    """``odd`` or ``even`` by the number in an id (an id without digits counts as even)."""
    return "odd" if int("".join(ch for ch in item_id if ch.isdigit()) or 0) % 2 else "even"


def _share(count: float, total: int) -> float | None:
    return round(count / total, 4) if total else None


def _latency(milliseconds: Sequence[float]) -> dict[str, float | None]:
    p50, p95 = percentile(milliseconds, 50), percentile(milliseconds, 95)
    return {
        "p50": round(p50, 2) if p50 is not None else None,
        "p95": round(p95, 2) if p95 is not None else None,
    }


def build_matcher() -> tuple[Matcher, float]:
    """The real matcher over the bundled catalogue and the seconds its construction took."""
    from assistant.guide.loader import load_catalogue
    from assistant.guide.matcher import CatalogueMatcher
    from assistant.lexicon import load_lexicon
    from assistant.settings import Settings
    from assistant.tokenization import ChineseTokenizer

    settings = Settings()
    catalogue = load_catalogue(settings.knowledge_dir / "guides")
    tokenizer = ChineseTokenizer(load_lexicon(settings.lexicon_dir))
    tokenizer.words("预热")  # jieba's dictionary is shared by every component: not the matcher's cost
    start = time.perf_counter()
    matcher = CatalogueMatcher(catalogue.guides, tokenizer)
    return matcher, time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--report", type=Path, required=True, help="folder for metrics.json")
    parser.add_argument("--dataset", type=Path, default=MATCH_FILE)
    args = parser.parse_args(argv)
    matcher, build_seconds = build_matcher()
    items = load_match_items(args.dataset)
    halves = {half: evaluate_matching(matcher, split_half(items, half)) for half in ("odd", "even")}
    overall = evaluate_matching(matcher, items)
    negatives = evaluate_negatives(matcher, load_negative_questions())
    metrics = {
        **{key: value for key, value in overall.items() if key != "items"},
        "build_seconds": round(build_seconds, 3),
        "false_trigger_rate": negatives["false_trigger_rate"],
        "false_trigger_by_file": negatives["by_file"],
        "false_trigger_by_half": negatives["by_half"],
        "negatives_n": negatives["n"],
        "halves": {half: {k: v for k, v in m.items() if k != "items"} for half, m in halves.items()},
        "items": overall["items"],
        "false_triggers": negatives["triggered"],
    }
    write_metrics(args.report, metrics)
    _print_table(metrics)
    return 0


def _print_table(metrics: dict[str, Any]) -> None:
    columns = ("n", "top1", "top3", "mrr", "decide_precision", "decide_recall", "clarify_rate")
    widths = [max(len(c), 6) + 2 for c in columns]
    print(
        f"{'split':<6}"
        + "".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True))
        + "  search p50/p95 ms"
    )
    for name, m in [*metrics["halves"].items(), ("all", metrics)]:
        cells = "".join(
            f"{m[c] if m[c] is not None else '-':>{w}}" for c, w in zip(columns, widths, strict=True)
        )
        print(f"{name:<6}{cells}  {m['latency_ms']['p50']}/{m['latency_ms']['p95']}")
    by_file = ", ".join(f"{source} {rate}" for source, rate in metrics["false_trigger_by_file"].items())
    by_half = ", ".join(f"{h} {c['triggered']}/{c['n']}" for h, c in metrics["false_trigger_by_half"].items())
    print(
        f"false_trigger_rate {metrics['false_trigger_rate']} on {metrics['negatives_n']} negatives "
        f"({by_file}; by half of ids: {by_half}); matcher built in {metrics['build_seconds']} s"
    )
    for hit in metrics["false_triggers"]:
        print(f"  {hit['id']} {hit['question']} -> {hit['best']} ({hit['score']})")


if __name__ == "__main__":
    raise SystemExit(main())
