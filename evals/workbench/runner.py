"""The resumable run: every suite against every configuration on the same items.

Per-item results are appended to ``RUN_DIR/results/<config>/<suite>.jsonl`` as they finish; a rerun with
the same run dir skips the items found there (items that raised are not stored, so they are retried).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.components.embeddings import build_embedder
from assistant.settings import PROJECT_ROOT, Settings
from evals.workbench.configs import Config, ConfigError, check_llm, settings_for
from evals.workbench.jsonl import Item, Loaded
from evals.workbench.judge import JUDGE_PROMPT, judge_for
from evals.workbench.passage_pool import PassagePool
from evals.workbench.registry import SUITES
from evals.workbench.stats import paired_bootstrap, verdict
from evals.workbench.suite import Suite, SuiteUnavailable, spread

WORST_ITEMS = 5


class WorkbenchError(RuntimeError):
    """A run that cannot start (for example a run dir holding another configuration's results)."""


@dataclass
class RunOutcome:
    """``metrics`` (what metrics.json holds) and the per-item results the charts are drawn from."""

    metrics: dict[str, Any]
    results: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)  # config → suite


def _relative(path: str) -> str:
    try:
        return str(Path(path).relative_to(PROJECT_ROOT))
    except ValueError:
        return path


def _read_done(path: Path) -> dict[str, dict[str, Any]]:
    done: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by an interrupted run: that item runs again
            if isinstance(record, dict) and "id" in record and "error" not in record:
                done[str(record["id"])] = record
    return done


def _claim(folder: Path, config: Config) -> None:
    """Record the configuration of a results folder; refuse to mix results of different overrides."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "config.json"
    wanted: dict[str, Any] = {"overrides": config.overrides} | ({"judge": True} if config.judge else {})
    if stamp.exists():
        if json.loads(stamp.read_text(encoding="utf-8")) != json.loads(json.dumps(wanted, default=str)):
            raise WorkbenchError(
                f"{folder} holds results of a different configuration named {config.name!r}; "
                "use another --run-dir or delete that folder"
            )
        return
    stamp.write_text(json.dumps(wanted, ensure_ascii=False, indent=2, default=str), encoding="utf-8")


def _run_suite(
    suite: Suite, items: Sequence[Item], config: Config, run_dir: Path, progress: bool
) -> list[dict[str, Any]]:
    from tqdm import tqdm

    path = run_dir / "results" / config.name / f"{suite.name}.jsonl"
    done = _read_done(path)
    pending = [item for item in items if item.id not in done]
    errors: dict[str, dict[str, Any]] = {}
    if pending:
        settings = settings_for(config, run_dir)
        suite.judge = judge_for(settings) if config.judge else None
        with suite.session(settings) as run_item, path.open("a", encoding="utf-8") as out:
            bar = tqdm(
                pending,
                desc=f"{config.name}/{suite.name}",
                unit="item",
                file=sys.stderr,
                disable=not progress,
            )
            for item in bar:
                try:
                    result = {"id": item.id, **run_item(item)}
                except Exception as error:  # one bad item must not stop the run
                    errors[item.id] = {
                        "id": item.id,
                        "error": f"{type(error).__name__}: {error}",
                        "scores": {},
                    }
                    continue
                out.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
                out.flush()
                done[item.id] = result
    return [done.get(item.id) or errors[item.id] for item in items]


def _pending(suite: Suite, items: Sequence[Item], config: Config, run_dir: Path) -> bool:
    done = _read_done(run_dir / "results" / config.name / f"{suite.name}.jsonl")
    return any(item.id not in done for item in items)


def _prefetch(
    pool: PassagePool,
    suites: dict[str, Suite],
    items: dict[str, list[Item]],
    config: Config,
    run_dir: Path,
    settings: Settings,
) -> list[str]:
    """Queue the passages of the corpora still to be indexed for background embedding, and the order
    to run the suites in: those without such a corpus first (their items leave a core to the pool),
    then the others, by corpus. A single configuration only: the background work slows the items
    running beside it a little, and configurations compared must be timed alike."""
    from evals.workbench.corpus_index import pending_texts

    if not pool.can_prefetch:
        return list(items)
    waiting: dict[tuple[str, Path], list[str]] = {}  # corpus → suites that index it
    for name in items:
        if _pending(suites[name], items[name], config, run_dir):
            for key in suites[name].corpora():
                waiting.setdefault(key, []).append(name)
    queued: list[str] = []
    for (corpus_name, corpus), names in waiting.items():
        try:
            texts = pending_texts(settings, corpus_name, corpus)
        except Exception as error:  # the suite's own session reports it
            print(f"{corpus_name}: not embedded ahead ({error})", file=sys.stderr)
            continue
        if texts:
            count = pool.prefetch(texts)
            print(f"{corpus_name}: {count} passages to embed, in the background first", file=sys.stderr)
            queued.extend(n for n in names if n not in queued)
    return [n for n in items if n not in queued] + queued


def _shortfall(suite: Suite, result: dict[str, Any]) -> float:
    """How far an item is from perfect: the sum over its scores of the distance to the ideal (1 or 0)."""
    return sum(
        (1.0 - float(v)) if suite.metrics[k] == "higher" else float(v)
        for k, v in result["scores"].items()
        if k in suite.metrics
    )


def _worst(suite: Suite, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    errors = [r for r in results if "error" in r]
    scored = sorted(
        (r for r in results if "error" not in r and _shortfall(suite, r) > 0),
        key=lambda r: -_shortfall(suite, r),
    )
    return (errors + scored)[:WORST_ITEMS]


def _compare(
    suite: Suite, base: list[dict[str, Any]], other: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    pairs = [(a, b) for a, b in zip(base, other, strict=True) if "error" not in a and "error" not in b]
    for metric, direction in [*suite.metrics.items(), ("latency_ms", "lower")]:
        if metric == "latency_ms":
            xs = [(float(a["latency_ms"]), float(b["latency_ms"])) for a, b in pairs]
        else:
            xs = [
                (float(a["scores"][metric]), float(b["scores"][metric]))
                for a, b in pairs
                if metric in a["scores"] and metric in b["scores"]
            ]
        diff = paired_bootstrap([x for x, _ in xs], [y for _, y in xs])
        out[metric] = {**diff, "direction": direction, "verdict": verdict(diff, direction)}
    return out


def run_workbench(
    suite_names: Sequence[str],
    configs: Sequence[Config],
    run_dir: Path,
    *,
    smoke: bool = False,
    limit: int | None = None,
    progress: bool = True,
) -> RunOutcome:
    """Run the suites for every configuration (the first is the reference) and gather the metrics."""
    run_dir.mkdir(parents=True, exist_ok=True)
    for config in configs:
        _claim(run_dir / "results" / config.name, config)
    suites = {name: SUITES[name]() for name in suite_names}
    loaded: dict[str, Loaded] = {}
    items: dict[str, list[Item]] = {}
    datasets: dict[str, Any] = {}
    for name, suite in suites.items():
        try:
            loaded[name] = suite.load()
        except SuiteUnavailable as error:
            datasets[name] = {"unavailable": str(error)}
            print(f"suite {name} skipped: {error}", file=sys.stderr)
            continue
        size = suite.smoke_size if smoke and suite.smoke_size else suite.full_size
        chosen = spread(loaded[name].items, size)
        items[name] = chosen[:limit] if limit else chosen
        skipped = loaded[name].skipped
        for line in skipped:
            print(f"{line.source}:{line.line}: skipped ({line.reason})", file=sys.stderr)
        datasets[name] = {
            "description": suite.description,
            "sources": [_relative(s) for s in loaded[name].sources],
            "items_total": len(loaded[name].items),
            "items_run": len(items[name]),
            "skipped_lines": len(skipped),
            "skipped": [s.to_dict() for s in skipped],
        }
    outcome = RunOutcome(
        metrics={
            "run_dir": str(run_dir),
            "profile": "smoke" if smoke else "full",
            "limit": limit,
            "suites": list(suite_names),
            "datasets": datasets,
            "configs": {},
            "comparisons": {},
        }
    )
    for config in configs:
        entry: dict[str, Any] = {
            "overrides": config.overrides,
            "path": config.path,
            "suites": {},
            "error": None,
        }
        outcome.metrics["configs"][config.name] = entry
        outcome.results[config.name] = {}
        try:
            settings = settings_for(config, run_dir)
            check_llm(settings)
            if config.judge:
                judge = judge_for(settings)
                entry["judge"] = {
                    "prompt": JUDGE_PROMPT,
                    "model": judge.model_name,
                    "endpoint": settings.llm_base_url,
                }
        except (ConfigError, ValueError) as error:
            entry["error"] = str(error)
            print(f"configuration {config.name} failed: {error}", file=sys.stderr)
            continue
        entry["suites"] = dict.fromkeys(items)  # the report's order, whatever the order they run in
        pool = PassagePool(build_embedder(settings))
        order = list(items)
        if len(configs) == 1:
            order = _prefetch(pool, suites, items, config, run_dir, settings)
        try:
            for name in order:
                suite = suites[name]
                suite.pool = pool
                started = time.perf_counter()
                try:
                    with pool.paused() if suite.busy_cores > 1 else nullcontext():
                        results = _run_suite(suite, items[name], config, run_dir, progress)
                except Exception as error:  # the suite could not start for this configuration
                    entry["suites"][name] = {"error": f"{type(error).__name__}: {error}"}
                    print(f"{config.name}/{name} failed: {error}", file=sys.stderr)
                    continue
                finally:
                    suite.pool = None
                outcome.results[config.name][name] = results
                entry["suites"][name] = {
                    "metrics": suite.aggregate(results),
                    "results_file": str(run_dir / "results" / config.name / f"{name}.jsonl"),
                    "worst": _worst(suite, results),
                    "seconds": round(time.perf_counter() - started, 1),
                }
        finally:
            pool.close()
        entry["passages"] = {"embedded": len(pool.vectors), "in_background": pool.background_texts}
    reference = configs[0].name
    for config in configs[1:]:
        for name, suite in suites.items():
            base, other = outcome.results[reference].get(name), outcome.results[config.name].get(name)
            if base is not None and other is not None:
                key = f"{config.name} vs {reference}"
                outcome.metrics["comparisons"].setdefault(key, {})[name] = _compare(suite, base, other)
    outcome.metrics["directions"] = {name: suite.metrics for name, suite in suites.items()}
    return outcome


def flat_metrics(metrics: dict[str, Any], config: str) -> dict[str, float | None]:
    """``suite.metric`` → value for one configuration (what the gate and the README table read)."""
    suites = metrics["configs"].get(config, {}).get("suites", {})
    return {
        f"{suite}.{key}": value
        for suite, entry in suites.items()
        for key, value in entry.get("metrics", {}).items()
    }
