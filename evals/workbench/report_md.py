"""``report.md``: per-suite metrics for every configuration, paired comparisons, worst items."""

from __future__ import annotations

from typing import Any

from evals.workbench.runner import flat_metrics


def cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _suite_table(metrics: dict[str, Any], suite: str) -> list[str]:
    configs = [name for name, c in metrics["configs"].items() if suite in c["suites"]]
    keys: list[str] = []
    for name in configs:
        for key in metrics["configs"][name]["suites"][suite].get("metrics", {}):
            if key not in keys:
                keys.append(key)
    lines = ["| metric | " + " | ".join(configs) + " |", "|---|" + "---|" * len(configs)]
    directions = metrics["directions"].get(suite, {})
    for key in keys:
        arrow = {"higher": " ↑", "lower": " ↓"}.get(directions.get(key, ""), "")
        values = [metrics["configs"][n]["suites"][suite].get("metrics", {}).get(key) for n in configs]
        row = [cell(int(v) if key in ("n", "errors") and v is not None else v) for v in values]
        lines.append(f"| {key}{arrow} | " + " | ".join(row) + " |")
    seconds = [metrics["configs"][n]["suites"][suite].get("seconds") for n in configs]
    lines.append("| seconds (this invocation) | " + " | ".join(f"{s:.1f}" for s in seconds) + " |")
    for name in configs:
        error = metrics["configs"][name]["suites"][suite].get("error")
        if error:
            lines.append(f"\n**{name}: suite failed** — {error}")
    return lines


def _comparison_lines(metrics: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key, suites in metrics["comparisons"].items():
        lines += [
            f"### {key}",
            "",
            "| suite | metric | n | reference | this | difference [95% CI] | verdict |",
        ]
        lines.append("|---|---|---|---|---|---|---|")
        for suite, per_metric in suites.items():
            for metric, d in per_metric.items():
                if not d["n"]:
                    continue
                lines.append(
                    f"| {suite} | {metric} | {d['n']} | {cell(d['mean_a'])} | {cell(d['mean_b'])} | "
                    f"{d['diff']:+.3f} [{d['ci_low']:+.3f}, {d['ci_high']:+.3f}] | {d['verdict']} |"
                )
        lines.append("")
    return lines


def _judge_lines(metrics: dict[str, Any]) -> list[str]:
    """The LLM judge of each configuration that had one: model, endpoint, prompt and mean grades."""
    lines: list[str] = []
    for name, config in metrics["configs"].items():
        judge = config.get("judge")
        if not judge:
            continue
        grades = [
            f"{suite} {cell(entry['metrics'].get('judge_score'))} "
            f"({cell(entry['metrics'].get('judge_errors'))} judge errors)"
            for suite, entry in config["suites"].items()
            if "judge_score" in entry.get("metrics", {})
        ]
        lines += [
            "",
            f"## LLM judge ({name})",
            "",
            f"- model `{judge['model']}` at `{judge['endpoint']}`; `judge_score` = (grade − 1) / 4, "
            "per item in `detail.judge` of the results (grade, reason, raw reply)",
            f"- mean judge_score: {', '.join(grades) or '—'}",
            "",
            "Prompt (system message; the user message gives the question, the answer and its sources):",
            "",
            "```",
            judge["prompt"],
            "```",
        ]
    return lines


def render_markdown(metrics: dict[str, Any], gate_lines: list[str] | None = None) -> str:
    """The whole report as Markdown."""
    reference = next(iter(metrics["configs"]))
    lines = [
        "# Evaluation workbench report",
        "",
        f"- profile: **{metrics['profile']}**"
        + (f", at most {metrics['limit']} items a suite" if metrics["limit"] else ""),
        f"- configurations: {', '.join(metrics['configs'])} (reference: {reference})",
        "- per-item results: `results/<configuration>/<suite>.jsonl`; a rerun with the same run dir resumes",
        "",
    ]
    for name, config in metrics["configs"].items():
        overrides = ", ".join(f"`{k}={v}`" for k, v in config["overrides"].items()) or "environment settings"
        lines.append(
            f"- **{name}**: {overrides}" + (f" — **FAILED: {config['error']}**" if config["error"] else "")
        )
    lines += [
        "",
        "## Datasets",
        "",
        "| suite | items run / total | skipped lines | source |",
        "|---|---|---|---|",
    ]
    for suite, d in metrics["datasets"].items():
        if "unavailable" in d:
            lines.append(f"| {suite} | — | — | unavailable: {d['unavailable']} |")
            continue
        lines.append(
            f"| {suite} | {d['items_run']} / {d['items_total']} | {d['skipped_lines']} | "
            + ", ".join(f"`{s}`" for s in d["sources"])
            + " |"
        )
    skipped = [s for d in metrics["datasets"].values() for s in d.get("skipped", [])]
    if skipped:
        lines += ["", "Skipped lines:", ""] + [
            f"- `{s['source']}:{s['line']}`: {s['reason']}" for s in skipped
        ]
    for suite, d in metrics["datasets"].items():
        if "unavailable" in d:
            continue
        lines += ["", f"## {suite}", "", d["description"], "", *_suite_table(metrics, suite)]
    if metrics["comparisons"]:
        lines += [
            "",
            "## Configurations compared (paired, bootstrap 95% CI)",
            "",
            *_comparison_lines(metrics),
        ]
    lines += ["", "## Worst items (reference configuration)", ""]
    for suite, entry in metrics["configs"][reference]["suites"].items():
        for r in entry.get("worst", []):
            what = r.get("error") or ", ".join(f"{k} {cell(v)}" for k, v in r["scores"].items())
            lines.append(f"- {suite} `{r['id']}` {r.get('question', '')[:80]} — {what}")
    lines += _judge_lines(metrics)
    if gate_lines:
        lines += ["", "## Regression gate", "", "```", *gate_lines, "```"]
    lines += [
        "",
        "## Headline figures (reference configuration)",
        "",
        "| figure | value | suite |",
        "|---|---|---|",
    ]
    for key, value in flat_metrics(metrics, reference).items():
        if not key.endswith((".n", ".errors")):
            lines.append(f"| {key} | {cell(value)} | `govassist eval --suite {key.split('.')[0]}` |")
    return "\n".join(lines) + "\n"
