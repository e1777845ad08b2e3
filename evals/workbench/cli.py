"""``govassist eval --suite …``: run the workbench, write the reports, apply the gate."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from assistant.analytics.shared_reports import publish_reports
from assistant.settings import Settings
from evals.metrics_file import write_metrics
from evals.workbench.configs import ConfigError, load_configs
from evals.workbench.gate import check, load_profile
from evals.workbench.registry import resolve
from evals.workbench.report_html import render_html
from evals.workbench.report_md import render_markdown
from evals.workbench.runner import WorkbenchError, flat_metrics, run_workbench


def run_eval(
    suites: Sequence[str],
    config_paths: Sequence[Path],
    run_dir: Path,
    *,
    gate: Path | None = None,
    smoke: bool = False,
    limit: int | None = None,
    progress: bool = True,
) -> int:
    """0 when every configuration ran and the gate (if any) passed; 1 on a gate failure or a failed
    configuration; 2 on bad arguments."""
    profile_name = "smoke" if smoke else "full"
    try:
        profile = load_profile(gate, profile_name) if gate else None
        names = resolve(list(suites) or (profile["suites"] if profile else []), smoke=smoke)
        configs = load_configs(list(config_paths))
        outcome = run_workbench(names, configs, run_dir, smoke=smoke, limit=limit, progress=progress)
    except (ConfigError, ValueError, WorkbenchError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    metrics = outcome.metrics
    reference = configs[0].name
    gate_lines: list[str] = []
    failed_gate = False
    if profile is not None:
        not_run = {s for s in profile.get("suites", names) if s not in names}
        not_run |= {s for s, d in metrics["datasets"].items() if "unavailable" in d}
        checks = check(flat_metrics(metrics, reference), profile, not_run)
        gate_lines = [c.line() for c in checks]
        failed_gate = any(c.status == "FAIL" for c in checks)
        metrics["gate"] = {
            "baseline": str(gate),
            "profile": profile_name,
            "passed": not failed_gate,
            "checks": [c.__dict__ for c in checks],
        }
    write_metrics(run_dir, metrics, default=str)
    markdown = render_markdown(metrics, gate_lines)
    (run_dir / "report.md").write_text(markdown, encoding="utf-8")
    (run_dir / "report.html").write_text(render_html(metrics, outcome.results, gate_lines), encoding="utf-8")
    print(markdown)
    print(f"reports: {run_dir / 'report.md'}, {run_dir / 'report.html'}, {run_dir / 'metrics.json'}")
    _share(run_dir)
    failed_configs = [n for n, c in metrics["configs"].items() if c["error"]]
    failed_suites = [
        f"{n}/{s}" for n, c in metrics["configs"].items() for s, e in c["suites"].items() if "error" in e
    ]
    for name in failed_configs + failed_suites:
        print(f"FAILED: {name}", file=sys.stderr)
    if failed_gate:
        print(
            "regression gate FAILED:\n" + "\n".join(line for line in gate_lines if line.startswith("FAIL")),
            file=sys.stderr,
        )
    elif profile is not None:
        print("regression gate passed", file=sys.stderr)
    return 1 if failed_gate or failed_configs or failed_suites else 0


def _share(run_dir: Path) -> None:
    """Publish the run's reports to the shared database when settings keep state there; a failure is
    reported, not fatal (the run and its gate stand)."""
    try:
        shared = publish_reports(Settings(), [run_dir])
    except (SQLAlchemyError, ValueError, OSError) as error:
        print(f"warning: report not shared: {str(error).splitlines()[0]}", file=sys.stderr)
        return
    if shared:
        stored = shared[run_dir]
        print("report shared through the database" if stored else "report not shared: a newer one is shared")
