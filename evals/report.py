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


def write_report(metrics: dict[str, Any], path: Path) -> None:
    """Write a Markdown table of every system's metrics, then the items the hybrid retriever missed."""
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
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
