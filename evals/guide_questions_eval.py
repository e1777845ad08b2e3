"""Plain questions about a service item, through the real chat: is the right guide found and cited?

Each item of ``evals/datasets/guide_questions.jsonl`` is a citizen's question about one item of the
catalogue (“执业药师首次注册在哪里办理”, “开个小饭馆要准备什么材料”) with the gold ``guide_id``. A reply
*names* the item when its guide (or a citation) is that item; it *cites* it when the reply is an
answer citing that guide (a field answer or a checklist); a question the guide has no field for is
said to be missing (``guide_fact_missing``), which names the item but cites nothing.

Run: ``python -m evals.guide_questions_eval --report reports/guide_questions`` (``make bench-guides``).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.container import build_services
from assistant.settings import PROJECT_ROOT, Settings
from evals.metrics_file import write_metrics

DATASET = PROJECT_ROOT / "evals" / "datasets" / "guide_questions.jsonl"


def score(reply: dict[str, Any], gold: str) -> dict[str, bool]:
    """Whether a chat reply names and cites the gold guide."""
    cited = any(c.get("doc_id") == gold for c in reply.get("citations") or [])
    guide = reply.get("guide") or {}
    return {
        "named": cited or guide.get("id") == gold,
        "cited": cited and reply.get("outcome") == "answered",
    }


def run(settings: Settings, dataset: Path, report_dir: Path) -> dict[str, Any]:
    """Ask every question in a fresh session; write ``metrics.json`` and return it."""
    items = [json.loads(line) for line in dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    services = build_services(settings, ensure_index=True)
    results = []
    try:
        for item in items:
            started = time.perf_counter()
            reply = services.chat.reply(item["question"]).to_dict()
            results.append(
                {
                    "id": item["id"],
                    "question": item["question"],
                    "guide_id": item["guide_id"],
                    "outcome": reply["outcome"],
                    "reason": reply.get("reason", ""),
                    "got_guide": (reply.get("guide") or {}).get("id"),
                    "latency_ms": round((time.perf_counter() - started) * 1000, 1),
                    **score(reply, item["guide_id"]),
                }
            )
    finally:
        services.close()
    n = len(results)
    metrics = {
        "dataset": str(
            dataset.relative_to(PROJECT_ROOT) if dataset.is_relative_to(PROJECT_ROOT) else dataset
        ),
        "n": n,
        "named": round(sum(r["named"] for r in results) / n, 3) if n else None,
        "cited": round(sum(r["cited"] for r in results) / n, 3) if n else None,
        "reasons": dict(Counter(r["reason"] for r in results)),
        "items": results,
    }
    write_metrics(report_dir, metrics)
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--report", type=Path, default=PROJECT_ROOT / "reports" / "guide_questions")
    args = parser.parse_args(argv)
    metrics = run(Settings(), args.dataset, args.report)
    for item in metrics["items"]:
        if not item["cited"]:
            print(
                f"{item['id']} {item['question']}: {item['outcome']} {item['reason']} → {item['got_guide']}"
            )
    print(json.dumps({k: v for k, v in metrics.items() if k != "items"}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
