"""Evaluation reports kept in the shared database, so every machine's dashboard shows the latest ones.

A report is a folder ``reports/<name>/`` holding ``metrics.json``, ``report.md`` and ``report.html``
(any of them). :meth:`SharedReportStore.publish` stores a folder as one row of ``eval_reports`` (the
files' bytes and the time the report was produced, see :func:`produced_time`), replacing the
row of that name only when it is newer. :meth:`SharedReportStore.materialise` writes into a machine's
``reports/`` every shared report that is missing there or newer than the local copy, each file
atomically, with the produced time as its modification time (what the dashboard shows and compares),
and marks the folder as a shared copy. :meth:`SharedReportStore.withdraw` turns a row into a
withdrawal (no files, the time of withdrawal): materialising then deletes every shared copy of that
report not newer than the withdrawal, while a folder a machine produced itself is never deleted; a
report published later than the withdrawal is shared again. A row whose name is not a plain folder
name is never written.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Column, Engine, Float, LargeBinary, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError

from assistant.components.database import make_engine
from assistant.components.tables import create_tables
from assistant.settings import Settings

log = logging.getLogger(__name__)

REPORT_FILES: dict[str, str] = {
    "metrics.json": "metrics_json",
    "report.md": "report_md",
    "report.html": "report_html",
}
"""The files of a report folder that are shared, and their columns."""

MAX_REPORT_FILE_BYTES = 16 * 1024 * 1024
"""The largest shared file (a full workbench run: metrics.json about 2 MB, report.html under 1 MB)."""

_SAFE_NAME = re.compile(r"^[\w][\w.\-]{0,99}$")
_SAME_TIME_S = 0.001  # modification times round-trip through float seconds
SHARED_COPY_MARKER = ".shared-report"
"""An empty file in a report folder written by :meth:`SharedReportStore.materialise`: only such folders
are deleted when their report is withdrawn."""

metadata = MetaData()
eval_reports = Table(
    "eval_reports",
    metadata,
    Column("name", String(100), primary_key=True),  # the folder name under reports/
    Column("produced_s", Float, nullable=False),  # produced_time(), seconds since the epoch
    *(Column(column, LargeBinary, nullable=True) for column in REPORT_FILES.values()),
)


class ReportTooLargeError(ValueError):
    """A report file is larger than :data:`MAX_REPORT_FILE_BYTES`; the report is not shared."""


def is_report_name(name: str) -> bool:
    """A plain folder name (letters, digits, ``_ . -``; not hidden, no path separator, not dots only)."""
    return bool(_SAFE_NAME.match(name)) and Path(name).name == name and name.strip(".") != ""


def produced_time(folder: Path) -> float | None:
    """When the report in ``folder`` was produced: the newest modification time of its metrics.json and
    report.md (what the dashboard shows), else of its report.html; None when it has no report file."""
    for files in (("metrics.json", "report.md"), ("report.html",)):
        times = [(folder / file).stat().st_mtime for file in files if (folder / file).is_file()]
        if times:
            return max(times)
    return None


class SharedReportStore:
    """The ``eval_reports`` table."""

    def __init__(self, engine: Engine, max_file_bytes: int = MAX_REPORT_FILE_BYTES) -> None:
        self.engine = engine
        self.max_file_bytes = max_file_bytes

    def create_schema(self) -> None:
        create_tables(metadata, self.engine)

    def publish(self, folder: Path) -> bool:
        """Store the report in ``folder`` under the folder's name; False when the shared one is as new.

        Raises ValueError for a folder without report files or with an unfit name, and
        :class:`ReportTooLargeError` when a file exceeds the cap (nothing is stored then).
        """
        folder = Path(folder).resolve()
        name = folder.name
        if not is_report_name(name):
            raise ValueError(f"not a report folder name: {name!r}")
        produced = produced_time(folder)
        if produced is None:
            raise ValueError(f"{folder} holds none of {', '.join(REPORT_FILES)}")
        for file in REPORT_FILES:
            path = folder / file
            if path.is_file() and path.stat().st_size > self.max_file_bytes:
                raise ReportTooLargeError(
                    f"{path} is {path.stat().st_size:,} bytes, over the {self.max_file_bytes:,}-byte limit "
                    "for shared reports; the report was not shared"
                )
        row: dict[str, object] = {"produced_s": produced}
        for file, column in REPORT_FILES.items():
            path = folder / file
            row[column] = path.read_bytes() if path.is_file() else None
        return self._store(name, row)

    def _store(self, name: str, row: Mapping[str, object]) -> bool:
        newer = eval_reports.update().where(
            eval_reports.c.name == name, eval_reports.c.produced_s < row["produced_s"]
        )
        with self.engine.begin() as connection:
            if connection.execute(newer.values(**row)).rowcount:
                return True
            exists = connection.execute(
                select(eval_reports.c.name).where(eval_reports.c.name == name)
            ).first()
            if exists is not None:
                return False
        try:
            with self.engine.begin() as connection:
                connection.execute(eval_reports.insert().values(name=name, **row))
            return True
        except IntegrityError:  # another machine inserted it first: replace it only if this one is newer
            with self.engine.begin() as connection:
                return bool(connection.execute(newer.values(**row)).rowcount)

    def withdraw(self, name: str, now: float | None = None) -> bool:
        """Withdraw a shared report from every dashboard: its row keeps no files and the time of
        withdrawal (at least just after its produced time). False when no report of that name is shared.
        A report published afterwards with a newer produced time is shared again."""
        when = time.time() if now is None else now
        cleared = {column: None for column in REPORT_FILES.values()}
        with self.engine.begin() as connection:
            columns = [eval_reports.c[column] for column in REPORT_FILES.values()]
            row = connection.execute(
                select(eval_reports.c.produced_s, *columns).where(eval_reports.c.name == name)
            ).first()
            if row is None or all(data is None for data in row[1:]):  # not shared, or withdrawn already
                return False
            stamp = max(when, float(row[0]) + 2 * _SAME_TIME_S)
            connection.execute(
                eval_reports.update().where(eval_reports.c.name == name).values(produced_s=stamp, **cleared)
            )
        return True

    def withdrawn(self) -> set[str]:
        """Names whose shared report has been withdrawn (rows without any file)."""
        empty = [eval_reports.c[column].is_(None) for column in REPORT_FILES.values()]
        with self.engine.connect() as connection:
            return {str(name) for (name,) in connection.execute(select(eval_reports.c.name).where(*empty))}

    def produced(self) -> dict[str, float]:
        """Every shared report's name and produced time (for a withdrawn one, the time of withdrawal)."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(eval_reports.c.name, eval_reports.c.produced_s))
            return {str(name): float(produced) for name, produced in rows}

    def materialise(self, reports_dir: Path) -> list[str]:
        """Write every shared report missing from ``reports_dir`` or newer than its copy there; returns
        the names written. Never writes outside ``reports_dir``: an unfit row name is skipped with a
        warning, as is a row holding a file over the cap."""
        root = Path(reports_dir).resolve()
        written: list[str] = []
        withdrawn = self.withdrawn()
        for name, produced in sorted(self.produced().items()):
            target = root / name
            if not is_report_name(name) or target.resolve().parent != root:
                log.warning("shared report %r skipped: not a plain folder name", name)
                continue
            local = produced_time(target) if target.is_dir() else None
            if name in withdrawn:
                if local is not None and local <= produced and remove_shared_copy(target):
                    log.info("withdrawn shared report %r removed from %s", name, root)
                continue
            if local is not None and produced <= local + _SAME_TIME_S:
                continue
            if self._write(name, target, produced):
                written.append(name)
        if written:
            log.info("evaluation reports written from the shared database: %s", ", ".join(written))
        return written

    def _write(self, name: str, target: Path, produced: float) -> bool:
        columns = [eval_reports.c[column] for column in REPORT_FILES.values()]
        with self.engine.connect() as connection:
            row = connection.execute(select(*columns).where(eval_reports.c.name == name)).first()
        if row is None:  # removed meanwhile
            return False
        files = dict(zip(REPORT_FILES, row, strict=True))
        if any(data is not None and len(data) > self.max_file_bytes for data in files.values()):
            log.warning(
                "shared report %r skipped: a file is over the %d-byte limit", name, self.max_file_bytes
            )
            return False
        target.mkdir(parents=True, exist_ok=True)
        for file, data in files.items():
            path = target / file
            if data is None:
                path.unlink(missing_ok=True)  # an older run's file would mix with this one
                continue
            partial = target / f".{file}.{uuid.uuid4().hex}.part"
            partial.write_bytes(bytes(data))
            os.utime(partial, (produced, produced))
            os.replace(partial, path)
        (target / SHARED_COPY_MARKER).write_text(repr(produced), encoding="ascii")
        return True


def remove_shared_copy(folder: Path) -> bool:
    """Delete a report folder's files if :meth:`SharedReportStore.materialise` wrote them and they were
    not replaced since (the marker holds their produced time), and the folder if nothing else is left;
    False for a report this machine produced."""
    marker = folder / SHARED_COPY_MARKER
    if folder.is_symlink() or not marker.is_file():
        return False
    try:
        written = float(marker.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return False
    local = produced_time(folder)
    if local is None or abs(local - written) > _SAME_TIME_S:  # run again here since: this machine's
        return False
    for file in REPORT_FILES:
        (folder / file).unlink(missing_ok=True)
    marker.unlink()
    with contextlib.suppress(OSError):  # something else was put there: keep it
        folder.rmdir()
    return True


def shared_report_store(settings: Settings, engine: Engine) -> SharedReportStore | None:
    """The store (its table created) when settings keep state in the database, else None."""
    if not settings.shares_state_in_database:
        return None
    store = SharedReportStore(engine)
    store.create_schema()
    return store


@contextmanager
def own_shared_report_store(settings: Settings) -> Iterator[SharedReportStore | None]:
    """The store on an engine of its own (a command, which has no services), disposed afterwards;
    None with local state, when nothing is shared."""
    if not settings.shares_state_in_database:
        yield None
        return
    engine = make_engine(settings.resolved_database_url)
    try:
        yield shared_report_store(settings, engine)
    finally:
        engine.dispose()


def publish_reports(settings: Settings, folders: Iterable[Path]) -> dict[Path, bool]:
    """Publish report folders (a command); per folder whether it was stored (False: the shared one is
    as new). Nothing happens, and {} is returned, with local state."""
    with own_shared_report_store(settings) as store:
        return {Path(folder): store.publish(Path(folder)) for folder in folders} if store else {}
