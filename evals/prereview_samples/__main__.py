"""``python -m evals.prereview_samples --out DIR --n 220 --seed 7 --today 2026-11-22``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from evals.prereview_samples.consistency import problems
from evals.prereview_samples.draw import FONT_DIR, fonts_available
from evals.prereview_samples.generate import summary, timed_generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.prereview_samples", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="output folder (cases.jsonl and files/)")
    parser.add_argument("--n", type=int, default=220, help="number of cases (default 220)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--today", type=date.fromisoformat, default=date.today(), help="the reference date, YYYY-MM-DD"
    )
    parser.add_argument("--workers", type=int, default=None, help="processes (default: CPU count, at most 8)")
    args = parser.parse_args(argv)
    if not fonts_available():
        print(f"Noto CJK fonts not found under {FONT_DIR}; install Debian's fonts-noto-cjk", file=sys.stderr)
        return 2
    records, seconds = timed_generate(args.out, args.n, args.seed, args.today, args.workers)
    print(summary(records, seconds))
    print(f"written to {args.out / 'cases.jsonl'}")
    found = [p for record in records for p in problems(record, args.out)]
    for problem in found:
        print(f"inconsistent: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
