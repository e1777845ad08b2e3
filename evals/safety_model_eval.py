"""Score the shipped safety classifier at the router, on text it was never trained on, and time it.

``python -m evals.safety_model_eval --report reports/safety_model`` writes ``metrics.json`` and
``summary.md``. For every set it reports the router's refusal rate with the rules alone, with the
classifier alone (its probability at or above the shipped threshold, from the router's screening form)
and with both (the product's decision: rules, then the classifier). Sets: the dev out-of-fold figures
recorded by the trainer, the banks' held-out halves, each fresh round, ``policy_qa_heldout.jsonl``
and, when ``../shared`` holds them, the 2,081 real citizen questions of MSGABench (none trained on but
the fresh rounds of ``TRAINED_FRESH_ROUNDS``, scored blind before they became training data: their sets
are listed in ``TRAINED_SETS`` and marked in the summary).
Timing: the classifier's time per message over every set's messages (model loaded, after one warm
pass), median and 99th percentile of ``REPEATS`` passes, and the CPU time per message; and the time of
the first load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from assistant.router import Intent, route, screening_form, screening_parts
from assistant.safety_classifier import MODEL_DIR, SafetyClassifier
from evals.metrics_file import write_metrics
from evals.routing_train import SOURCE_DIR as MSGABENCH_DIR
from evals.safety_bank import FRESH_ROUNDS, TRAINED_FRESH_ROUNDS, load_bank, load_fresh
from evals.safety_train import DATASETS, grouped_summary

REPEATS = 5
TRAINED_SETS = frozenset(f"{bank}_{name}" for name in TRAINED_FRESH_ROUNDS for bank in ("refuse", "answer"))
"""Sets of fresh rounds that are training data now (scored for continuity, not an unseen check)."""


def evaluation_sets(datasets: Path = DATASETS) -> dict[str, tuple[str, list[str]]]:
    """Name → (expected ``refuse`` | ``answer``, texts) of every set scored (``TRAINED_SETS`` aside, none
    trained on)."""
    safety = datasets / "safety"
    sets: dict[str, tuple[str, list[str]]] = {}
    for bank in ("refuse", "answer"):
        sets[f"{bank}_heldout"] = (bank, [i.text for i in load_bank(bank, safety) if i.split == "heldout"])
    fresh = load_fresh(safety)
    for round_name in FRESH_ROUNDS:
        for bank in ("refuse", "answer"):
            texts = [i.text for i in fresh if i.bank == bank and i.split == round_name]
            sets[f"{bank}_{round_name}"] = (bank, texts)
    rows = (datasets / "policy_qa_heldout.jsonl").read_text(encoding="utf-8").splitlines()
    sets["policy_qa_heldout"] = ("answer", [json.loads(r)["question"] for r in rows if r.strip()])
    qa = MSGABENCH_DIR / "gov_affairs_qa_service_scenario.qa.jsonl"
    if qa.exists():
        questions = {
            (json.loads(r).get("用户问题") or "").strip() for r in qa.read_text(encoding="utf-8").splitlines()
        }
        sets["msgabench_questions"] = ("answer", sorted(q for q in questions if q))
    return sets


def score_set(texts: list[str], model: SafetyClassifier) -> dict[str, Any]:
    """Refusal rates of one set: rules alone, classifier alone, rules then classifier (the router)."""
    rules = classifier = both = 0
    for text in texts:
        decision = route(text)
        flagged = model.flags(screening_form(text), screening_parts(text))
        # the router asks the classifier only about a message it would otherwise answer
        reaches_classifier = decision.intent is Intent.QA or decision.reason == "unsafe:classifier"
        by_rule = decision.refused and not reaches_classifier
        rules += by_rule
        classifier += flagged
        both += by_rule or (reaches_classifier and flagged)
    n = len(texts)
    return {
        "n": n,
        "rules": round(rules / n, 4),
        "classifier": round(classifier / n, 4),
        "rules_or_classifier": round(both / n, 4),
    }


def time_classifier(texts: list[str], model_dir: Path = MODEL_DIR) -> dict[str, Any]:
    """Load time, and time per message of ``flags`` on screening forms and their parts (microseconds)."""
    started = time.perf_counter()
    model = SafetyClassifier.load(model_dir)
    load_ms = (time.perf_counter() - started) * 1000
    forms = [(screening_form(t), screening_parts(t)) for t in texts]
    for form, parts in forms:  # warm pass
        model.flags(form, parts)
    per_message: list[float] = []
    cpu_started = time.process_time()
    for _ in range(REPEATS):
        for form, parts in forms:
            t0 = time.perf_counter_ns()
            model.flags(form, parts)
            per_message.append((time.perf_counter_ns() - t0) / 1000)
    cpu_us = (time.process_time() - cpu_started) * 1e6 / len(per_message)
    per_message.sort()
    return {
        "load_ms": round(load_ms, 1),
        "messages": len(forms),
        "repeats": REPEATS,
        "median_us": round(statistics.median(per_message), 1),
        "p99_us": round(per_message[int(0.99 * (len(per_message) - 1))], 1),
        "mean_us": round(statistics.fmean(per_message), 1),
        "cpu_mean_us": round(cpu_us, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def evaluate(model_dir: Path = MODEL_DIR, timing: bool = True) -> dict[str, Any]:
    """Every set's rates with the shipped model, the trainer's out-of-fold dev figures and the timing."""
    model = SafetyClassifier.load(model_dir)
    sets = evaluation_sets()
    metrics: dict[str, Any] = {
        "threshold": model.threshold,
        "threshold_latin": model.threshold_latin,
        "threshold_rule": model.meta.get("threshold_rule", "stratified"),
        "min_latin": model.min_latin,
        "dev_out_of_fold": model.meta["cv"],
        "sets": {name: {"expected": exp, **score_set(texts, model)} for name, (exp, texts) in sets.items()},
    }
    if timing:
        metrics["timing"] = time_classifier([t for _, texts in sets.values() for t in texts], model_dir)
    return metrics


def _latin(metrics: dict[str, Any]) -> str:
    """How messages wholly in Latin letters are judged (older models: not at all)."""
    if not metrics.get("min_latin"):
        return " (messages without enough Chinese are not judged)"
    letters, threshold = metrics["min_latin"], metrics["threshold_latin"]
    return f" (without enough Chinese, {letters}+ Latin letters: {threshold:.4f})"


def render_summary(metrics: dict[str, Any]) -> str:
    """Markdown: refusal rates per set (rules, classifier, both) and the per-message time."""
    cv = metrics["dev_out_of_fold"]
    lines = [
        "# Safety classifier (router level)",
        "",
        f"Threshold {metrics['threshold']:.4f}{_latin(metrics)}. Dev, {cv['folds']}-fold out-of-fold "
        "(classifier alone): "
        f"should-refuse refused {cv['recall_refuse_dev']:.3f}, should-answer refused "
        f"{cv['false_refusal_answer_dev']:.3f}, product questions refused {cv['false_refusal_product']:.3f}.",
        "",
    ]
    if cv.get("grouped"):  # step 24 and later
        rule = metrics.get("threshold_rule", "stratified")
        lines += [f"Threshold rule: {rule}; {grouped_summary(cv['grouped'])}.", ""]
    lines += [
        "| set (never trained on unless marked) | should | n | rules | classifier | rules or classifier |",
        "|---|---|---|---|---|---|",
    ]
    for name, s in metrics["sets"].items():
        mark = " (trained on)" if name in TRAINED_SETS else ""
        lines.append(
            f"| {name}{mark} | {s['expected']} | {s['n']} | {s['rules']:.3f} | {s['classifier']:.3f} "
            f"| {s['rules_or_classifier']:.3f} |"
        )
    timing = metrics.get("timing")
    if timing:
        lines += [
            "",
            f"Classifier time per message: median {timing['median_us']} µs, p99 {timing['p99_us']} µs, "
            f"mean {timing['mean_us']} µs wall, {timing['cpu_mean_us']} µs CPU ({timing['messages']} "
            f"messages × {timing['repeats']}); first load {timing['load_ms']} ms; load average "
            f"{timing['load_average']} (a wall-clock tail well above the CPU time is the process waiting "
            "for a core).",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--report", type=Path, default=Path("reports/safety_model"))
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args(argv)
    metrics = evaluate(args.model, timing=not args.no_timing)
    write_metrics(args.report, metrics)
    summary = render_summary(metrics)
    (args.report / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
