"""智能导办 benchmark in one run: item matching over the whole catalogue, false triggers on questions
that are not service requests, the scripted dialogues with the real matcher, and load/turn timings.

Run: ``govassist eval-guides --report reports/guides`` (``make bench-guides``). Writes
``metrics.json`` (figures plus per-item details) and ``report.md``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from assistant.guide.dialogue import GuideDialogue
from assistant.guide.loader import load_catalogue
from assistant.guide.matcher import CatalogueMatcher
from assistant.lexicon import load_lexicon
from assistant.settings import Settings
from assistant.tokenization import ChineseTokenizer
from evals.guide_dialogue_eval import evaluate_dialogues, load_items
from evals.guide_match_eval import (
    evaluate_matching,
    evaluate_negatives,
    load_match_items,
    load_negative_questions,
    split_half,
)
from evals.metrics_file import write_metrics

TARGETS = {
    "match.top1": 0.85,
    "match.top3": 0.95,
    "dialogues.success_rate": 1.0,
    "dialogues.materials_precision": 1.0,
    "dialogues.materials_recall": 1.0,
}


def run_guide_eval(settings: Settings, report_dir: Path) -> dict[str, Any]:
    """Score matching and dialogues over the bundled catalogue; write the report; return the metrics."""
    started = time.perf_counter()
    tokenizer = ChineseTokenizer(load_lexicon(settings.lexicon_dir))
    catalogue = load_catalogue(settings.guides_dir)
    loaded = time.perf_counter()
    matcher = CatalogueMatcher(catalogue.guides, tokenizer)
    matcher.search("预热")  # the first search loads jieba's dictionary: part of a cold start
    indexed = time.perf_counter()

    items = load_match_items()
    match = evaluate_matching(matcher, items)
    halves = {half: evaluate_matching(matcher, split_half(items, half)) for half in ("odd", "even")}
    negatives = evaluate_negatives(matcher, load_negative_questions())
    dialogues = evaluate_dialogues(GuideDialogue(catalogue, matcher), load_items(), matcher="catalogue")

    metrics: dict[str, Any] = {
        "catalogue": {
            "items": len(catalogue.guides),
            "load_errors": len(catalogue.errors),
            "load_seconds": round(loaded - started, 2),
            "load_and_index_seconds_cold": round(indexed - started, 2),
        },
        "match": {k: v for k, v in match.items() if k != "items"},
        "match_halves": {h: {k: v for k, v in m.items() if k != "items"} for h, m in halves.items()},
        "false_trigger_rate": negatives["false_trigger_rate"],
        "false_trigger_by_file": negatives["by_file"],
        "dialogues": {k: v for k, v in dialogues.items() if k != "items"},
        "match_items": match["items"],
        "false_triggers": negatives["triggered"],
        "dialogue_items": dialogues["items"],
    }
    write_metrics(report_dir, metrics)
    (report_dir / "report.md").write_text(render_report(metrics, negatives["by_half"]), encoding="utf-8")
    return metrics


def render_report(metrics: dict[str, Any], false_by_half: dict[str, dict[str, int]] | None = None) -> str:
    """A short markdown report: headline figures against the issue's targets, then failures (false
    triggers with the half of the ids they fall in, when ``false_by_half`` gives the counts)."""
    cat, match, dlg = metrics["catalogue"], metrics["match"], metrics["dialogues"]
    lines = [
        "# 智能导办 benchmark",
        "",
        f"Catalogue: {cat['items']} items ({cat['load_errors']} load errors), loaded in "
        f"{cat['load_seconds']} s, loaded and indexed cold in {cat['load_and_index_seconds_cold']} s.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| item match top-1 (n = {match['n']}) | {match['top1']:.3f} | ≥ {TARGETS['match.top1']} |",
        f"| item match top-3 | {match['top3']:.3f} | ≥ {TARGETS['match.top3']} |",
        f"| MRR | {match['mrr']:.3f} | |",
        f"| decide precision / recall | {match['decide_precision']:.3f} / {match['decide_recall']:.3f} | |",
        f"| false triggers on policy and behaviour questions | {metrics['false_trigger_rate']:.3f} | |",
        f"| dialogues reaching the expected checklist (n = {dlg['n']}) | {dlg['success_rate']:.3f} | 1.0 |",
        f"| materials precision / recall | {dlg['materials_precision']:.3f} / {dlg['materials_recall']:.3f}"
        " | 1.0 / 1.0 |",
        f"| questions asked: mean / max | {dlg['mean_questions']} / {dlg['max_questions']} | max ≤ 4 |",
        f"| guided turn latency p95 | {dlg['latency_ms']['p95']} ms | ≤ 100 ms |",
        f"| catalogue load + index, cold | {cat['load_and_index_seconds_cold']} s | ≤ 60 s |",
        "",
        "Halves (odd / even ids) of guide_match.jsonl: "
        + ", ".join(
            f"{half}: top-1 {m['top1']:.3f}, top-3 {m['top3']:.3f}"
            for half, m in metrics["match_halves"].items()
        ),
        "",
    ]
    misses = [i for i in metrics["match_items"] if not i.get("rank") or i["rank"] > 3]
    if misses:
        lines += ["## Match misses (gold not in top 3)", ""]
        for miss in misses:
            top = ", ".join(t["name"] for t in miss.get("top", [])[:3])
            lines.append(f"- `{miss['id']}` {miss['query']} → {top}")
    if metrics["false_triggers"]:
        counts = (false_by_half or {}).items()
        halves = ", ".join(f"{half} ids {c['triggered']}/{c['n']}" for half, c in counts)
        lines += ["", f"## False triggers ({halves})" if halves else "## False triggers", ""]
        lines += [
            f"- `{t['id']}` {t['question']} → {t['best']} ({t['score']})" for t in metrics["false_triggers"]
        ]
    failures = [i for i in metrics["dialogue_items"] if not i["success"]]
    if failures:
        lines += ["", "## Failed dialogues", ""]
        lines += [f"- `{i['id']}`: {i.get('problem') or 'wrong checklist'}" for i in failures]
    return "\n".join(lines) + "\n"
