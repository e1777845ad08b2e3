"""``govassist publish-report DIR…``: share report folders through the database for every dashboard."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from assistant.analytics.shared_reports import own_shared_report_store
from assistant.settings import Settings


def publish_command(
    settings: Settings, folders: Sequence[Path], out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """0 when every folder was stored (or the shared copy is as new); 1 when one was refused, the
    database failed, or settings keep state locally (nothing to share with). Prints to ``out`` and
    ``err`` (standard output and error by default)."""
    out, err = out or sys.stdout, err or sys.stderr
    store_setting = "GOVASSIST_SHARED_STATE_STORE / GOVASSIST_DATABASE_URL"
    if not settings.shares_state_in_database:
        print(f"error: state is kept on this machine ({store_setting}); no report was shared", file=err)
        return 1
    failed = 0
    try:
        with own_shared_report_store(settings) as store:
            assert store is not None
            for folder in folders:
                try:
                    stored = store.publish(folder)
                except (ValueError, OSError) as error:  # ReportTooLargeError is a ValueError
                    print(f"error: {folder}: {error}", file=err)
                    failed += 1
                    continue
                status = "shared" if stored else "not shared: the shared copy is as new"
                print(f"{folder}: {status}", file=out)
    except SQLAlchemyError as error:
        print(f"error: the database failed: {str(error).splitlines()[0]}", file=err)
        return 1
    return 1 if failed else 0
