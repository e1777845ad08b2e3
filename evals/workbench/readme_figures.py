"""Rewrite the README's figures table from a workbench ``metrics.json`` (``make eval`` runs it).

    python -m evals.workbench.readme_figures [--metrics reports/eval/metrics.json] [--readme README.md]

Only the text between ``<!-- eval-figures:begin -->`` and ``<!-- eval-figures:end -->`` is replaced:
one row per suite of the reference configuration, its headline figures, the items run, and a link
to the module of the suite that made them. A README without the markers is left alone (a warning);
a lone or misordered marker is an error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.settings import PROJECT_ROOT

BEGIN = "<!-- eval-figures:begin -->"
END = "<!-- eval-figures:end -->"

FIGURES: dict[str, tuple[tuple[str, str], ...]] = {
    "retrieval": (("source_at_1", "source@1"), ("source_at_5", "source@5"), ("evidence_at_5", "evidence@5")),
    "qa": (
        ("outcome_ok", "outcome"),
        ("keywords_ok", "keywords"),
        ("citation_precision", "citation precision"),
        ("unsupported_statement_rate", "unsupported statements"),
    ),
    "behaviour": (
        ("outcome_ok", "outcome"),
        ("refusal_correct", "refusal correct"),
        ("unsupported_statement_rate", "unsupported statements"),
    ),
    "guide": (
        ("top1", "top-1"),
        ("top3", "top-3"),
        ("false_trigger", "false triggers"),
        ("dialogue_success", "dialogues"),
    ),
    "routing": (("department_correct", "department"), ("category_correct", "category")),
    "msgabench": (("source_at_1", "source@1"), ("source_at_5", "source@5")),
    "msgabench_answers": (
        ("answered", "answered"),
        ("rouge_l_f1", "ROUGE-L F1"),
        ("rouge_l_recall", "ROUGE-L recall"),
        ("char_f1", "char F1"),
    ),
    "msgabench_nlu": (
        ("department_correct", "处理单位"),
        ("keyword_recall", "keyword recall"),
        ("keyword_precision", "keyword precision"),
        ("service_intent_correct", "办事服务 intent"),
    ),
    "ncppolicies": (
        ("doc_at_1", "document@1"),
        ("doc_at_5", "document@5"),
        ("span_at_5", "span in top 5"),
        ("answer_has_span", "answer holds span"),
    ),
    "guangdong": (("top1", "top-1"), ("top3", "top-3"), ("decide_hit", "decide hit")),
    "prereview": (
        ("verdict_ok", "verdict"),
        ("defect_recall", "defect recall"),
        ("type_accuracy", "type accuracy"),
        ("false_alarm", "false alarms"),
    ),
    "scope": (
        ("offtopic_declined", "off-topic declined"),
        ("offtopic_answered", "off-topic answered"),
        ("inscope_wrongly_refused", "in-scope refused"),
        ("inscope_by_guard", "in-scope refused by the scope guard"),
        ("offtopic_declined_scope3", "scope3 off-topic declined"),
        ("inscope_wrongly_refused_scope3", "scope3 in-scope refused"),
    ),
}
"""The figures shown per suite (metric, label); a suite not listed shows its scored metrics."""


class MarkerError(ValueError):
    """The README's markers are not one begin followed by one end."""


def _suite_link(suite: str) -> str:
    """``[suite](evals/workbench/suites_x.py)``: the module, relative to the project root (the README's)."""
    from evals.workbench.registry import SUITES

    factory = SUITES.get(suite)
    module = sys.modules.get(getattr(factory, "__module__", "")) if factory else None
    try:
        target = Path(getattr(module, "__file__", "") or "").resolve().relative_to(PROJECT_ROOT)
    except ValueError:
        return suite
    return f"[{suite}]({target.as_posix()})"


def _value(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def figures_table(metrics: dict[str, Any], measured: str = "") -> str:
    """The Markdown between the markers: a note on the run (``measured``: its date) and one row per suite."""
    configs = metrics.get("configs") or {}
    if not configs:
        raise ValueError("metrics.json has no configurations")
    reference = next(iter(configs))
    entry = configs[reference]
    datasets = metrics.get("datasets", {})
    rows = ["| suite | items | figures | reproduce |", "|---|---|---|---|"]
    for suite in metrics.get("suites", []):
        link = _suite_link(suite)
        command = f"`govassist eval --suite {suite}`"
        result = entry.get("suites", {}).get(suite)
        dataset = datasets.get(suite, {})
        if "unavailable" in dataset:
            rows.append(f"| {link} | — | skipped: {dataset['unavailable']} | {command} |")
            continue
        if result is None or "error" in result:
            reason = (result or {}).get("error") or entry.get("error") or "not run"
            rows.append(f"| {link} | — | failed: {reason} | {command} |")
            continue
        values = result.get("metrics", {})
        wanted = FIGURES.get(suite) or tuple((k, k) for k in metrics.get("directions", {}).get(suite, {}))
        shown = [f"{label} {_value(values[k])}" for k, label in wanted if values.get(k) is not None]
        items = f"{dataset.get('items_run', '?')} of {dataset.get('items_total', '?')}"
        rows.append(f"| {link} | {items} | {', '.join(shown) or '—'} | {command} |")
    profile = metrics.get("profile", "full")
    note = (
        f"Produced by `make eval`{f' on {measured}' if measured else ''} "
        f"({profile} profile, configuration `{reference}`); "
        "each suite links to the module that scores it. Do not edit by hand: "
        "`python -m evals.workbench.readme_figures` rewrites this table."
    )
    return "\n".join([note, "", *rows])


def replace_between_markers(text: str, body: str) -> str | None:
    """``text`` with the part between the markers replaced by ``body``; None when there are no markers."""
    begins, ends = text.count(BEGIN), text.count(END)
    if begins == ends == 0:
        return None
    start, stop = text.find(BEGIN), text.find(END)
    if begins != 1 or ends != 1 or stop < start:
        raise MarkerError(f"expected one {BEGIN} followed by one {END}")
    head, tail = text[: start + len(BEGIN)], text[stop:]
    return f"{head}\n{body}\n{tail}"


def refresh(metrics_path: Path, readme: Path) -> bool:
    """Rewrite ``readme``'s figures from ``metrics_path``; False when the README has no markers."""
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    text = readme.read_text(encoding="utf-8")
    measured = datetime.fromtimestamp(metrics_path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
    updated = replace_between_markers(text, figures_table(metrics, measured))
    if updated is None:
        return False
    if updated != text:
        readme.write_text(updated, encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--metrics", type=Path, default=PROJECT_ROOT / "reports" / "eval" / "metrics.json")
    parser.add_argument("--readme", type=Path, default=PROJECT_ROOT / "README.md")
    args = parser.parse_args(argv)
    try:
        found = refresh(args.metrics, args.readme)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not found:
        print(f"warning: {args.readme} has no {BEGIN} … {END} markers; left unchanged", file=sys.stderr)
    else:
        print(f"{args.readme}: figures refreshed from {args.metrics}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
