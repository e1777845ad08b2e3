"""Calibrate the evidence threshold below which the assistant refuses for lack of evidence.

For every item of the given datasets, the router is bypassed and the extractive answerer's evidence
strength (the IDF-weighted share of the question's terms found in the best retrieved chunk) is
measured. Items expected to be answered are positives; items of the ``out_of_scope`` and
``no_evidence`` categories are negatives, less those the router or the missing-value rule (a question
asking for a phone number, address, fee or office hours the evidence lacks) already refuses: the
threshold only has to stop the rest.
The chosen threshold is the highest one that wrongly refuses at most ``MAX_WRONGLY_REFUSED`` of the
answerable questions (refusing a citizen who could have been helped is the costlier error once the
router and the value checks have stopped the unsafe cases); the curve is written out in full.
Run: ``python -m evals.calibrate_refusal``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.answering import ExtractiveAnswerer
from assistant.index.knowledge_index import KnowledgeIndex
from assistant.router import Intent, route
from assistant.settings import PROJECT_ROOT, Settings
from evals.datasets import EvalItem, load_dataset
from ingest.pipeline import ingest_bundled

NEGATIVE_CATEGORIES = ("out_of_scope", "no_evidence")
MAX_WRONGLY_REFUSED = 0.02
DEFAULT_DATASETS = (
    PROJECT_ROOT / "evals/datasets/policy_qa.jsonl",
    PROJECT_ROOT / "evals/datasets/behaviour.jsonl",
)


def strengths(answerer: ExtractiveAnswerer, items: list[EvalItem]) -> list[float]:
    out = []
    for item in items:
        hits = answerer.retrieve(item.question)
        out.append(answerer.evidence_strength(answerer.terms(item.question), hits))
    return out


def stopped_by_rules(answerer: ExtractiveAnswerer, item: EvalItem) -> bool:
    """Whether the router or the missing-value rule refuses the item whatever the threshold."""
    if route(item.question).intent is not Intent.QA:
        return True
    return answerer.answer(route(item.question).question).outcome == "refused"


def choose_threshold(positives: list[float], negatives: list[float]) -> dict[str, Any]:
    """Scan thresholds 0–1 in steps of 0.025; return the best with its error rates, and the whole curve."""
    curve = []
    for step in range(41):
        t = step / 40
        wrongly_refused = sum(s < t for s in positives) / max(len(positives), 1)
        wrongly_answered = sum(s >= t for s in negatives) / max(len(negatives), 1)
        curve.append(
            {"threshold": t, "wrongly_refused": wrongly_refused, "wrongly_answered": wrongly_answered}
        )
    allowed = [c for c in curve if c["wrongly_refused"] <= MAX_WRONGLY_REFUSED]
    best = max(allowed, key=lambda c: c["threshold"])
    return {"best": best, "curve": curve}


def calibrate(settings: Settings, datasets: list[Path], report_dir: Path) -> dict[str, Any]:
    items = [item for path in datasets for item in load_dataset(path)]
    positives = [i for i in items if i.expected_outcome == "answered"]
    negatives = [i for i in items if i.category in NEGATIVE_CATEGORIES]
    index = KnowledgeIndex(settings)
    try:
        ingest_bundled(index)
        answerer = ExtractiveAnswerer(settings, index)
        unthresholded = ExtractiveAnswerer(settings.model_copy(update={"evidence_threshold": 0.0}), index)
        residual = [i for i in negatives if not stopped_by_rules(unthresholded, i)]
        pos, neg = strengths(answerer, positives), strengths(answerer, residual)
    finally:
        index.close()
    result = {
        "datasets": [str(p) for p in datasets],
        "positives": len(pos),
        "negatives": len(neg),
        "negatives_stopped_by_rules": len(negatives) - len(residual),
        **choose_threshold(pos, neg),
        "negative_items": [
            {"id": i.id, "question": i.question, "strength": round(s, 3)}
            for i, s in zip(residual, neg, strict=True)
        ],
        "weakest_positives": sorted(
            (
                {"id": i.id, "question": i.question, "strength": round(s, 3)}
                for i, s in zip(positives, pos, strict=True)
            ),
            key=lambda r: float(str(r["strength"])),
        )[:20],
    }
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "calibration.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return result


def main() -> None:
    result = calibrate(Settings(), list(DEFAULT_DATASETS), PROJECT_ROOT / "reports/calibration")
    best = result["best"]
    print(
        f"threshold {best['threshold']:.3f}: wrongly refused {best['wrongly_refused']:.3f} "
        f"of {result['positives']} "
        f"answerable, wrongly answered {best['wrongly_answered']:.3f} of {result['negatives']} unanswerable"
    )
    for row in result["curve"][::4]:
        print(
            f"  t={row['threshold']:.2f}  refused {row['wrongly_refused']:.3f}  "
            f"answered {row['wrongly_answered']:.3f}"
        )


if __name__ == "__main__":
    main()
