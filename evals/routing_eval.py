"""Evaluate the shipped routing (派单) model on the held-out MSGABench split.

Scores the model files exactly as the runtime loads them (float16 weights included) against a
majority-class baseline fitted on the training split, and writes ``metrics.json`` and ``report.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.handoff.routing import MODEL_DIR, TASKS, RoutingModel
from assistant.settings import PROJECT_ROOT
from evals.metrics import percentile
from evals.metrics_file import write_metrics
from evals.routing_train import SOURCE_DIR, load_split

REPORT_DIR = PROJECT_ROOT / "reports" / "routing"
CONFUSION_TOP = 8
TARGET_ACCURACY = {"department": 0.85, "category": 0.80}
"""Issue 6 targets on the held-out split."""


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Share of items predicted correctly (0.0 for no items)."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    return sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth) if truth else 0.0


def per_class(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support of every label that is true or predicted somewhere."""
    pairs = list(zip(truth, predicted, strict=True))
    out: dict[str, dict[str, float]] = {}
    for label in sorted(set(truth) | set(predicted)):
        tp = sum(t == label and p == label for t, p in pairs)
        n_pred = sum(p == label for _, p in pairs)
        n_true = sum(t == label for t, _ in pairs)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": precision, "recall": recall, "f1": f1, "support": n_true}
    return out


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Unweighted mean F1 over the labels that are true or predicted (as scikit-learn's default)."""
    classes = per_class(truth, predicted)
    return sum(c["f1"] for c in classes.values()) / len(classes) if classes else 0.0


def majority_label(train_labels: Sequence[str]) -> str:
    """Most frequent training label (ties: the alphabetically first)."""
    counts = Counter(train_labels)
    return min(counts, key=lambda label: (-counts[label], label))


def majority_baseline(train_labels: Sequence[str], test_labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy and macro-F1 of always predicting the training split's majority label."""
    label = majority_label(train_labels)
    predicted = [label] * len(test_labels)
    return {
        "label": label,
        "accuracy": accuracy(test_labels, predicted),
        "macro_f1": macro_f1(test_labels, predicted),
    }


def confusion(truth: Sequence[str], predicted: Sequence[str], top: int = CONFUSION_TOP) -> dict[str, Any]:
    """Confusion counts among the ``top`` most frequent true labels; the rest are pooled as ``其他``."""
    labels = [label for label, _ in Counter(truth).most_common(top)]
    names = [*labels, "其他"] if len(set(truth) | set(predicted)) > len(labels) else labels

    def name(label: str) -> str:
        return label if label in labels else "其他"

    matrix = {t: dict.fromkeys(names, 0) for t in names}
    for t, p in zip(truth, predicted, strict=True):
        matrix[name(t)][name(p)] += 1
    return {"labels": names, "rows": matrix}


def evaluate_task(model: RoutingModel, task: str, source_dir: Path) -> dict[str, Any]:
    """Metrics of one task on its held-out split, with the majority baseline and latency."""
    train, test = load_split(task, source_dir)
    truth = [e.label for e in test]
    predicted: list[str] = []
    latencies: list[float] = []
    for example in test:
        start = time.perf_counter()
        suggestion = model.predict(example.text)
        latencies.append((time.perf_counter() - start) * 1000)
        label = suggestion.department if task == "department" else suggestion.category
        predicted.append(label or "")
    acc = accuracy(truth, predicted)
    return {
        "n_train": len(train),
        "n_test": len(test),
        "n_classes": len({e.label for e in train}),
        "accuracy": acc,
        "macro_f1": macro_f1(truth, predicted),
        "target_accuracy": TARGET_ACCURACY[task],
        "meets_target": acc >= TARGET_ACCURACY[task],
        "majority_baseline": majority_baseline([e.label for e in train], truth),
        "per_class": per_class(truth, predicted),
        "confusion": confusion(truth, predicted),
        "latency_ms": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95)},
        "model": model.meta["tasks"][task],
    }


def evaluate(model_dir: Path = MODEL_DIR, source_dir: Path = SOURCE_DIR) -> dict[str, Any]:
    """Metrics of both tasks for the model in ``model_dir``."""
    model = RoutingModel.load(model_dir)
    model.predict("预热")  # first call pays for the OpenCC dictionary; keep it out of the latency
    tasks = {task: evaluate_task(model, task, source_dir) for task in TASKS}
    return {"model_dir": str(model_dir), "tasks": tasks}


SPLIT_NOTE = (
    "Held-out split: per label, distinct texts ordered by SHA-256 of a fixed salt + text; the first 20% "
    "are the test set (see `evals/routing_train.py`). Parameters were chosen by 5-fold CV on the training "
    "split only. Majority baseline: always the most frequent training label. Latency: one `predict` call."
)


def _f(value: float) -> str:
    return f"{value:.3f}"


def report_lines(metrics: dict[str, Any]) -> list[str]:
    """Markdown report: summary table, then per-class figures and confusion per task."""
    lines = [
        "# Routing (派单) on MSGABench, held-out split",
        "",
        "| task | n train | n test | classes | accuracy | macro-F1 "
        "| majority acc | majority macro-F1 | target acc | p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for task, m in metrics["tasks"].items():
        base = m["majority_baseline"]
        lines.append(
            f"| {task} | {m['n_train']} | {m['n_test']} | {m['n_classes']} | {_f(m['accuracy'])} | "
            f"{_f(m['macro_f1'])} | {_f(base['accuracy'])} ({base['label']}) | {_f(base['macro_f1'])} | "
            f"≥ {m['target_accuracy']:.2f}: {'met' if m['meets_target'] else 'MISSED'} | "
            f"{_f(m['latency_ms']['p95'])} |"
        )
    lines += ["", SPLIT_NOTE]
    for task, m in metrics["tasks"].items():
        lines += ["", f"## {task}", "", f"Chosen by CV on train: `{m['model']['params']}`.", ""]
        lines += ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        for label, c in sorted(m["per_class"].items(), key=lambda kv: -kv[1]["support"]):
            lines.append(
                f"| {label} | {_f(c['precision'])} | {_f(c['recall'])} | {_f(c['f1'])} | {c['support']} |"
            )
        names = m["confusion"]["labels"]
        lines += ["", "Confusion (rows: true, columns: predicted):", ""]
        lines += ["| true \\ predicted | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
        for true_label in names:
            row = m["confusion"]["rows"][true_label]
            lines.append(f"| {true_label} | " + " | ".join(str(row[p]) for p in names) + " |")
    return lines


def write_reports(metrics: dict[str, Any], report_dir: Path) -> None:
    write_metrics(report_dir, metrics)
    (report_dir / "report.md").write_text("\n".join(report_lines(metrics)) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the routing (派单) model on held-out MSGABench.")
    parser.add_argument("--source", type=Path, default=SOURCE_DIR, help="MSGABench folder")
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="model folder")
    parser.add_argument("--report", type=Path, default=REPORT_DIR, help="report folder to write")
    args = parser.parse_args(argv)
    metrics = evaluate(args.model, args.source)
    write_reports(metrics, args.report)
    for task, m in metrics["tasks"].items():
        base = m["majority_baseline"]
        print(
            f"{task}: accuracy {m['accuracy']:.3f}, macro-F1 {m['macro_f1']:.3f} "
            f"(majority: {base['accuracy']:.3f} / {base['macro_f1']:.3f}); "
            f"n train {m['n_train']}, n test {m['n_test']}"
        )
    print(f"wrote {args.report / 'metrics.json'} and report.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
