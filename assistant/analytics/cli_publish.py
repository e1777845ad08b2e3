"""``govassist publish-report DIR…`` and ``unpublish-report NAME…``: share report folders through the
database for every dashboard, or withdraw them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from assistant.analytics.shared_reports import SharedReportStore, own_shared_report_store
from assistant.settings import Settings

_STORE_SETTING = "GOVASSIST_SHARED_STATE_STORE / GOVASSIST_DATABASE_URL"


def _on_shared_store(
    settings: Settings, err: TextIO, local_message: str, act: Callable[[SharedReportStore], int]
) -> int:
    """Run ``act`` (which returns how many items failed) on the shared report store: 0 when none failed;
    1 when one did, the database failed, or settings keep state locally (``local_message`` says what
    did not happen)."""
    if not settings.shares_state_in_database:
        print(f"error: state is kept on this machine ({_STORE_SETTING}); {local_message}", file=err)
        return 1
    try:
        with own_shared_report_store(settings) as store:
            assert store is not None
            failed = act(store)
    except SQLAlchemyError as error:
        print(f"error: the database failed: {str(error).splitlines()[0]}", file=err)
        return 1
    return 1 if failed else 0


def publish_command(
    settings: Settings, folders: Sequence[Path], out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """0 when every folder was stored (or the shared copy is as new); 1 when one was refused, the
    database failed, or settings keep state locally (nothing to share with). Prints to ``out`` and
    ``err`` (standard output and error by default)."""
    out, err = out or sys.stdout, err or sys.stderr

    def publish_each(store: SharedReportStore) -> int:
        failed = 0
        for folder in folders:
            try:
                stored = store.publish(folder)
            except (ValueError, OSError) as error:  # ReportTooLargeError is a ValueError
                print(f"error: {folder}: {error}", file=err)
                failed += 1
                continue
            status = "shared" if stored else "not shared: the shared copy is as new"
            print(f"{folder}: {status}", file=out)
        return failed

    return _on_shared_store(settings, err, "no report was shared", publish_each)


def unpublish_command(
    settings: Settings, names: Sequence[str], out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Withdraw shared reports by name from every dashboard (each machine deletes its shared copy the next
    time it materialises; a folder a machine produced itself stays). 0 when every name was withdrawn;
    1 when one was not shared, the database failed, or settings keep state locally."""
    out, err = out or sys.stdout, err or sys.stderr

    def withdraw_each(store: SharedReportStore) -> int:
        failed = 0
        for name in names:
            if store.withdraw(name):
                print(f"{name}: withdrawn from every dashboard", file=out)
            else:
                print(f"error: {name}: no shared report of that name", file=err)
                failed += 1
        return failed

    return _on_shared_store(settings, err, "nothing is shared", withdraw_each)
