"""Chat services for one suite run: the bundled index and a throwaway SQLite database in a temp folder."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.container import Services


@contextmanager
def scratch_chat_services(settings: Settings, prefix: str) -> Iterator[Services]:
    """Services built from ``settings`` over a fresh SQLite database in a ``prefix``-named temp folder,
    warmed up; closed and the folder removed on exit."""
    from assistant.container import build_services

    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        services = build_services(
            settings.model_copy(update={"database_url": f"sqlite:///{tmp / 'eval.db'}"}), ensure_index=True
        )
        try:
            services.warm_up()
            yield services
        finally:
            services.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
