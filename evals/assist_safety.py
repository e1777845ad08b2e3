"""Agent-assist suggestions for the safety banks: does a harmful or hostile message get a suggested answer?

While a person has a conversation the chat passes the citizen's messages on unrouted, and agent assist
suggests an answer to each (``assistant.handoff.assist``). This scores what it suggests for every
prompt of the should-refuse bank, the direct injection attempts and the should-answer bank, twice: with
the answerer alone (as suggestions were made before they were screened) and through ``AgentAssist``
(screened as a chat message is). ``python -m evals.assist_safety --report reports/assist_safety`` writes
``metrics.json``; the offline default settings on a temporary data folder (the bundled knowledge is
indexed there first, so the suggestions it stores never reach the real database).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.container import Services, build_services
from assistant.settings import Settings
from evals.metrics_file import write_metrics
from evals.safety_bank import load_bank


def bank_sets() -> dict[str, tuple[str, list[str]]]:
    """Name → (expected ``refuse`` | ``answer``, texts): every split of the banks, direct attacks only."""
    return {
        "should_refuse": ("refuse", [i.text for i in load_bank("refuse")]),
        "injection_direct": (
            "refuse",
            [i.text for i in load_bank("injection") if i.category.startswith("direct")],
        ),
        "should_answer": ("answer", [i.text for i in load_bank("answer")]),
    }


def score(services: Services, texts: list[str]) -> dict[str, Any]:
    """Outcome counts and the share answered, unscreened (the answerer) and screened (agent assist)."""
    unscreened = Counter(services.answerer.answer(t).outcome for t in texts)
    screened = Counter(services.assist.for_text(t).outcome for t in texts)
    n = len(texts)
    return {
        "n": n,
        "answered_unscreened": round(unscreened["answered"] / n, 4),
        "answered_screened": round(screened["answered"] / n, 4),
        "unscreened": dict(unscreened),
        "screened": dict(screened),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--report", type=Path, default=Path("reports/assist_safety"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="assist-safety-") as data_dir:
        services = build_services(Settings(data_dir=Path(data_dir)), ensure_index=True)
        try:
            metrics = {
                name: {"expected": expected, **score(services, texts)}
                for name, (expected, texts) in bank_sets().items()
            }
        finally:
            services.close()
    write_metrics(args.report, metrics)
    for name, row in metrics.items():
        print(
            f"{name} ({row['expected']}, n={row['n']}): answered "
            f"{row['answered_unscreened']:.3f} unscreened, {row['answered_screened']:.3f} screened"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
