"""Probe files of the router (``tests/assistant/probes/*.jsonl``): messages written for one step of the
safety work, each with the route it should get and, for a gap kept visible, ``known_miss``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.router import Intent, route

PROBE_DIR = Path(__file__).parent / "probes"


def load_probes(name: str) -> list[dict[str, Any]]:
    """The rows of ``probes/<name>.jsonl``."""
    text = (PROBE_DIR / f"{name}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def probes_off_their_route(rows: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(text, expected, got, reason) of every probe that misses its route, or that is marked a known
    miss but now holds it (so the mark is taken off). A handoff counts as answered."""
    wrong = []
    for row in rows:
        decision = route(row["text"])
        got = "handoff" if decision.intent is Intent.HANDOFF else "refuse" if decision.refused else "answer"
        held = got == row["expected"] or (row["expected"] == "answer" and got == "handoff")
        if held == bool(row.get("known_miss")):
            wrong.append((row["text"], row["expected"], got, decision.reason))
    return wrong
