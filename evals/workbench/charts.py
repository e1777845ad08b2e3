"""Matplotlib charts of a run, each returned as PNG bytes (the HTML report embeds them as base64)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    return buffer.getvalue()


def suite_scores(metrics: dict[str, Any], suite: str) -> bytes | None:
    """Grouped bars: each score metric of ``suite``, one bar per configuration."""
    directions = metrics["directions"].get(suite, {})
    configs = [n for n, c in metrics["configs"].items() if "metrics" in c["suites"].get(suite, {})]
    keys = [
        k
        for k in directions
        if any(metrics["configs"][n]["suites"][suite]["metrics"].get(k) is not None for n in configs)
    ]
    if not configs or not keys:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(5.0, 1.1 * len(keys) * max(1, len(configs)) ** 0.5 + 2), 3.2))
    width = 0.8 / len(configs)
    x = np.arange(len(keys))
    for i, name in enumerate(configs):
        values = [metrics["configs"][name]["suites"][suite]["metrics"].get(k) or 0.0 for k in keys]
        bars = ax.bar(x + i * width - 0.4 + width / 2, values, width, label=name)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(
        x, [f"{k} {'↑' if directions[k] == 'higher' else '↓'}" for k in keys], rotation=20, ha="right"
    )
    ax.set_ylim(0, 1.1)
    ax.set_title(f"{suite}: scores by configuration")
    ax.legend(fontsize=8)
    return _png(fig)


def comparison(key: str, suites: dict[str, dict[str, Any]]) -> bytes | None:
    """Paired differences with their 95% intervals (scores only; latency is on another scale)."""
    rows = [
        (f"{suite}.{metric}", d)
        for suite, per_metric in suites.items()
        for metric, d in per_metric.items()
        if metric != "latency_ms" and d["n"]
    ]
    if not rows:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(rows) + 1.2))
    y = np.arange(len(rows))
    diffs = np.array([d["diff"] for _, d in rows])
    errors = np.array(
        [[d["diff"] - d["ci_low"] for _, d in rows], [d["ci_high"] - d["diff"] for _, d in rows]]
    )
    colours = [
        "tab:green" if d["verdict"] == "better" else "tab:red" if d["verdict"] == "worse" else "tab:gray"
        for _, d in rows
    ]
    for i, colour in enumerate(colours):
        ax.errorbar(diffs[i], y[i], xerr=errors[:, i : i + 1], fmt="o", color=colour, capsize=3)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [name for name, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("difference (this − reference), 95% bootstrap CI")
    ax.set_title(key)
    return _png(fig)


def latencies(results: dict[str, dict[str, list[dict[str, Any]]]]) -> bytes | None:
    """Box plots of per-item latency, one box per (suite, configuration), log scale."""
    boxes: list[list[float]] = []
    labels: list[str] = []
    for config, suites in results.items():
        for suite, rows in suites.items():
            values = [float(r["latency_ms"]) for r in rows if r.get("latency_ms") is not None]
            if values:
                boxes.append([max(v, 1e-3) for v in values])
                labels.append(f"{suite}\n{config}")
    if not boxes:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(5.0, 0.9 * len(boxes) + 1), 3.4))
    ax.boxplot(boxes, showfliers=True)
    ax.set_xticks(range(1, len(labels) + 1), labels, fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("ms per item")
    ax.set_title("latency distributions")
    return _png(fig)
