"""Warm the mounted pages once at start-up, so the first visitor does not pay Gradio's one-off costs
(its first page render is several times slower than the next: templates, API info, lazy imports)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx

logger = logging.getLogger(__name__)

PAGES = ("/", "/agent/", "/admin/")


async def warm_pages(app: Any, paths: Sequence[str] = PAGES) -> None:
    """GET each page in-process (no socket); a failure is logged, never raised."""
    started = time.perf_counter()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        for path in paths:
            try:
                response = await client.get(path)
            except Exception:
                logger.warning("warming %s failed", path, exc_info=True)
                continue
            if response.status_code != 200:
                logger.warning("warming %s: HTTP %s", path, response.status_code)
    logger.info("pages warmed in %.0f ms", (time.perf_counter() - started) * 1000)
