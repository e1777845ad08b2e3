"""``govassist publish-report DIR…`` and ``unpublish-report NAME…``: share report folders through the
database for every dashboard, or withdraw them."""

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


def unpublish_command(
    settings: Settings, names: Sequence[str], out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Withdraw shared reports by name from every dashboard (each machine deletes its shared copy the next
    time it materialises; a folder a machine produced itself stays). 0 when every name was withdrawn;
    1 when one was not shared, the database failed, or settings keep state locally."""
    out, err = out or sys.stdout, err or sys.stderr
    if not settings.shares_state_in_database:
        print(
            "error: state is kept on this machine (GOVASSIST_SHARED_STATE_STORE / GOVASSIST_DATABASE_URL);"
            " nothing is shared",
            file=err,
        )
        return 1
    failed = 0
    try:
        with own_shared_report_store(settings) as store:
            assert store is not None
            for name in names:
                if store.withdraw(name):
                    print(f"{name}: withdrawn from every dashboard", file=out)
                else:
                    print(f"error: {name}: no shared report of that name", file=err)
                    failed += 1
    except SQLAlchemyError as error:
        print(f"error: the database failed: {str(error).splitlines()[0]}", file=err)
        return 1
    return 1 if failed else 0
