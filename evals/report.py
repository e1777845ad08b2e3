"""The human-readable Markdown report of a retrieval run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_COLUMNS = (
    "source_recall@1",
    "source_recall@{k}",
    "evidence_recall@1",
    "evidence_recall@{k}",
    "mrr",
    "latency_ms.p50",
    "latency_ms.p95",
)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


_ANSWER_ROWS = (
    ("outcome_accuracy", "outcome accuracy"),
    ("keyword_accuracy", "keyword accuracy (answered items with keywords)"),
    ("refuse_or_handoff_correct", "should refuse / hand off: correct"),
    ("in_scope_wrongly_refused", "in scope: wrongly refused or handed off"),
    ("answers_with_citation_problems", "answers failing the citation check"),
    ("answer_latency_ms.p50", "latency p50 (ms, full chat path)"),
    ("answer_latency_ms.p95", "latency p95 (ms, full chat path)"),
)


def write_report(metrics: dict[str, Any], path: Path) -> None:
    """Write the retrieval tables (when scored) and the answer section (when scored) as Markdown."""
    lines: list[str] = []
    if "systems" in metrics:
        lines += _retrieval_lines(metrics)
    if "answers" in metrics:
        lines += _answer_lines(metrics)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _answer_lines(metrics: dict[str, Any]) -> list[str]:
    answers = metrics["answers"]
    lines = [
        "# Answers",
        "",
        f"- dataset: `{metrics['dataset']}` ({answers['n']} items)",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [f"| {label} | {_cell(answers.get(key))} |" for key, label in _ANSWER_ROWS]
    for name, value in sorted(answers.get("by_category", {}).items()):
        lines.append(f"| category `{name}`: outcome correct | {_cell(value)} |")
    wrong = [item for item in metrics["items"] if item.get("answer") and not item["answer"]["outcome_ok"]]
    lines += ["", f"## Wrong outcomes ({len(wrong)})", ""]
    for item in wrong[:60]:
        a = item["answer"]
        lines.append(f"- `{item['id']}` {item['question']} → {a['outcome']} ({a['reason'] or '—'})")
    missed = [
        item for item in metrics["items"] if item.get("answer") and item["answer"].get("keywords_ok") is False
    ]
    lines += ["", f"## Answers missing expected keywords ({len(missed)})", ""]
    for item in missed[:60]:
        lines.append(f"- `{item['id']}` {item['question']} → {item['answer']['answer'][:120]!r}")
    return [*lines, ""]


def _retrieval_lines(metrics: dict[str, Any]) -> list[str]:
    k = metrics["k"]
    columns = [c.format(k=k) for c in _COLUMNS]
    lines = [
        "# Retrieval benchmark",
        "",
        f"- dataset: `{metrics['dataset']}` ({metrics['n']} items)",
        f"- corpus: {metrics['corpus']} — {metrics['index']['documents']} documents, "
        f"{metrics['index']['chunks']} chunks, index {metrics['index']['index_bytes'] / 1e6:.1f} MB",
        f"- MRR counts the first expected source within the top {metrics['mrr_depth']}.",
        "",
        "| system | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for name, summary in metrics["systems"].items():
        lines.append(f"| {name} | " + " | ".join(_cell(summary.get(c)) for c in columns) + " |")
    lines += ["", *(f"- **{n}**: {s['description']}" for n, s in metrics["systems"].items()), ""]
    misses = [
        item
        for item in metrics["items"]
        if item["hybrid"].get("source_at_k") is False or item["hybrid"].get("evidence_at_k") is False
    ]
    lines.append(f"## Hybrid misses at {k} ({len(misses)})")
    lines.append("")
    for item in misses[:50]:
        lines.append(
            f"- `{item['id']}` {item['question']} → {', '.join(item['hybrid']['top'][:3]) or 'nothing'}"
        )
    return [*lines, ""]
