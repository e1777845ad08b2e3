"""Score :mod:`assistant.privacy` on the PII bank: recall per kind, false positives, masking leaks.

An expected item is *recalled* when a detection of the same kind has exactly its text. A *false positive*
is a string without personal data on which anything is detected (the issue's rate: negatives flagged /
negatives). A *leak* is an expected item whose full digit/letter sequence still appears in the masked
string. Writes ``metrics.json`` (and ``misses.jsonl`` listing every miss, false positive and leak).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.privacy import PII_KINDS, find_pii, mask_pii
from assistant.privacy.patterns import fold
from assistant.settings import PROJECT_ROOT
from evals.metrics_file import write_metrics
from evals.pii_bank import BankItem, load_bank

REPORT_DIR = PROJECT_ROOT / "reports" / "pii"
TARGET_RECALL = 0.995
TARGET_FALSE_POSITIVE_RATE = 0.01
_ALNUM = re.compile(r"[0-9A-Za-z]")


def _core(text: str) -> str:
    """The ASCII letters and digits of ``text`` after folding (what must not survive masking)."""
    return "".join(_ALNUM.findall(fold(text)))


def score(items: Sequence[BankItem]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Metrics over ``items`` and the list of problems (misses, false positives, leaks)."""
    expected: Counter[str] = Counter()
    recalled: Counter[str] = Counter()
    negatives = flagged = leaks = spurious = 0
    problems: list[dict[str, Any]] = []
    for item in items:
        found = [(m.kind, m.text) for m in find_pii(item.text)]
        wanted = [(p["kind"], p["text"]) for p in item.pii]
        if not wanted:
            negatives += 1
            if found:
                flagged += 1
                problems.append({"problem": "false_positive", "text": item.text, "found": found})
            continue
        masked = mask_pii(item.text)
        masked_core = _core(masked)
        for kind, text in wanted:
            expected[kind] += 1
            if (kind, text) in found:
                recalled[kind] += 1
            else:
                problems.append({"problem": "miss", "text": item.text, "want": [kind, text], "found": found})
            core = _core(text)
            if kind != "address" and len(core) >= 6 and core in masked_core:
                leaks += 1
                problems.append({"problem": "leak", "text": item.text, "masked": masked})
        spurious += sum(1 for pair in found if pair not in wanted)
    total_expected = sum(expected.values())
    metrics: dict[str, Any] = {
        "strings": len(items),
        "positive_strings": len(items) - negatives,
        "negative_strings": negatives,
        "pii_items": total_expected,
        "recall": sum(recalled.values()) / total_expected if total_expected else None,
        "recall_by_kind": {k: recalled[k] / expected[k] for k in PII_KINDS if expected[k]},
        "items_by_kind": {k: expected[k] for k in PII_KINDS if expected[k]},
        "false_positive_rate": flagged / negatives if negatives else None,
        "false_positive_strings": flagged,
        "spurious_detections_in_positive_strings": spurious,
        "masking_leaks": leaks,
        "targets": {"recall": TARGET_RECALL, "false_positive_rate": TARGET_FALSE_POSITIVE_RATE},
    }
    metrics["meets_targets"] = (
        metrics["recall"] is not None
        and metrics["recall"] >= TARGET_RECALL
        and metrics["false_positive_rate"] is not None
        and metrics["false_positive_rate"] <= TARGET_FALSE_POSITIVE_RATE
        and leaks == 0
    )
    return metrics, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Recall and false positives of the PII detectors.")
    parser.add_argument("--report", type=Path, default=REPORT_DIR, help="Where metrics.json is written.")
    args = parser.parse_args(argv)
    items = load_bank()
    metrics, problems = score(items)
    write_metrics(args.report, metrics)
    (args.report / "misses.jsonl").write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in problems), encoding="utf-8"
    )
    print(json.dumps(metrics, ensure_ascii=False, indent=2))
    return 0 if metrics["meets_targets"] else 1


if __name__ == "__main__":
    sys.exit(main())
