"""Where a benchmark's figures go: ``metrics.json`` in its report folder, written whole."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from assistant.atomic_write import write_bytes_atomic

METRICS_FILE = "metrics.json"


def write_metrics(
    report_dir: Path, metrics: Mapping[str, Any], *, default: Callable[[Any], Any] | None = None
) -> Path:
    """Write ``metrics`` as indented UTF-8 JSON (Chinese kept readable) to ``report_dir/metrics.json``.

    The folder is made if missing; the file is replaced whole, so a run stopped mid-write leaves the
    previous figures, never half a file. ``default`` converts values JSON does not know (as in
    :func:`json.dumps`). Returns the file's path.
    """
    report_dir.mkdir(parents=True, exist_ok=True)
    path = report_dir / METRICS_FILE
    text = json.dumps(metrics, ensure_ascii=False, indent=2, default=default) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"), mode=0o644)
    return path
