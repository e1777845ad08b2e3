"""Knowledge status and document upload for the operator dashboard (no Gradio here).

An uploaded file is checked (type, size, readable, has text) in a staging folder first; only then is it
moved to ``data_dir/uploads_knowledge/<slug><suffix>`` (a name the server derives from the file name,
so the same name uploaded again updates that document) and ingested through ``ingest.pipeline``. When
the ingest refuses it, the previous file is put back, so a bad upload changes nothing.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from assistant.analytics.period import CHINA_TZ
from assistant.container import Services
from assistant.index.knowledge_uploads import UPLOAD_SUFFIXES
from assistant.index.knowledge_uploads import uploads_folder as settings_uploads_folder
from assistant.settings import PROJECT_ROOT
from ingest.loaders import load_path, make_doc_id
from ingest.models import MAX_UPLOAD_BYTES, LoadError
from ingest.pipeline import IngestReport, Progress, file_key, ingest_paths, options_from, prepare_document

MAX_STEM_CHARS = 80

ProgressCallback = Callable[[float, str], None]
"""``progress(fraction, description)``; ``gr.Progress()`` fits."""


def _no_progress(_fraction: float, _description: str) -> None:
    return None


@dataclass(frozen=True)
class IngestOutcome:
    """What an upload or a re-index did, in words for the page and in lists for tests."""

    ok: bool
    message: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def format_bytes(size: int) -> str:
    """``1.5 MB``-style size."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"  # pragma: no cover - the loop always returns


def local_time(iso: str | None) -> str:
    """An ISO UTC timestamp as Beijing time, ``2026-03-02 09:00``; ``尚未导入`` for none."""
    if not iso:
        return "尚未导入"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def status_frame(services: Services) -> pd.DataFrame:
    """The index's headline figures as a two-column table (项目, 数值)."""
    stats = services.index.stats()
    rows = [
        ("文件数", str(stats.get("files", 0))),
        ("文档数", str(stats.get("documents", 0))),
        ("文本块数", str(stats.get("chunks", 0))),
        ("索引大小", format_bytes(int(stats.get("index_bytes", 0)))),
        ("最近导入（北京时间）", local_time(stats.get("last_ingest_at"))),
        ("索引版本", str(stats.get("generation", 0))),
    ]
    return pd.DataFrame(rows, columns=["项目", "数值"])


def documents_frame(services: Services) -> pd.DataFrame:
    """One row per indexed document: 文档编号, 标题, 文本块数 (sorted by id)."""
    counts: dict[str, list[object]] = {}
    for chunk in services.index.chunks().values():
        entry = counts.setdefault(chunk.doc_id, [chunk.doc_id, chunk.title, 0])
        entry[2] = int(str(entry[2])) + 1
    rows = sorted(counts.values(), key=lambda r: str(r[0]))
    return pd.DataFrame(rows, columns=["文档编号", "标题", "文本块数"])


def stored_name(original_name: str) -> str:
    """The server's name for an upload: the slug of the file's stem plus its lower-case suffix."""
    path = Path(Path(original_name).name or "document")
    stem = make_doc_id(Path(path.stem[:MAX_STEM_CHARS] or "document"), None)
    return f"{stem}{path.suffix.lower()}"


def uploads_folder(services: Services) -> Path:
    return settings_uploads_folder(services.settings)


class _IngestBar(Progress):
    """Adapts ``ingest_paths``' per-file progress to a fraction between ``low`` and ``high``."""

    def __init__(self, progress: ProgressCallback, total: int, low: float, high: float) -> None:
        self.progress, self.total, self.low, self.high, self.done = progress, max(total, 1), low, high, 0
        self.name = ""

    def update(self, n: int = 1) -> None:
        self.done += n
        fraction = self.low + (self.high - self.low) * min(self.done / self.total, 1.0)
        self.progress(fraction, f"正在索引 {self.done}/{self.total} {self.name}".strip())

    def set_postfix_str(self, s: str) -> None:
        self.name = s

    def close(self) -> None:
        return None


def _summary(report: IngestReport) -> str:
    parts = [
        f"新增 {len(report.added)} 个",
        f"更新 {len(report.updated)} 个",
        f"未变化 {len(report.unchanged)} 个",
        f"失败 {len(report.failed)} 个",
    ]
    if report.removed:
        parts.append(f"移除 {len(report.removed)} 个")
    totals = f"索引现有 {report.documents_total} 个文档、{report.chunks_total} 个文本块"
    return "，".join(parts) + f"；{totals}（用时 {report.seconds:.1f} 秒）。"


def _outcome(report: IngestReport, ok: bool, headline: str) -> IngestOutcome:
    return IngestOutcome(
        ok,
        f"{headline}{_summary(report)}",
        list(report.added),
        list(report.updated),
        list(report.unchanged),
        dict(report.failed),
    )


class KnowledgeAdmin:
    """Uploads and re-indexing for one ``Services``; one ingest at a time per process."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._lock = threading.Lock()

    def upload(
        self, source: Path, original_name: str, progress: ProgressCallback = _no_progress
    ) -> IngestOutcome:
        """Check, store and index one document; a refused file leaves the index and folder as they were."""
        name = Path(original_name).name
        suffix = Path(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            allowed, shown = " ".join(UPLOAD_SUFFIXES), suffix or "无扩展名"
            return IngestOutcome(False, f"不支持的文件类型「{shown}」，请上传 {allowed} 文件。")
        try:
            size = source.stat().st_size
        except OSError:
            return IngestOutcome(False, "没有收到文件，请重新选择后上传。")
        if size == 0:
            return IngestOutcome(False, f"「{name}」是空文件，未导入。")
        if size > MAX_UPLOAD_BYTES:
            limit = format_bytes(MAX_UPLOAD_BYTES)
            return IngestOutcome(False, f"「{name}」有 {format_bytes(size)}，超过 {limit} 的上限，未导入。")
        if not self._lock.acquire(blocking=False):
            return IngestOutcome(False, "另一个导入正在进行，请稍后再试。")
        try:
            return self._store_and_ingest(source, name, progress)
        finally:
            self._lock.release()

    def _store_and_ingest(self, source: Path, name: str, progress: ProgressCallback) -> IngestOutcome:
        folder = uploads_folder(self.services)
        staging = folder / ".staging" / uuid.uuid4().hex
        staging.mkdir(parents=True, exist_ok=True)
        target = folder / stored_name(name)
        staged = staging / target.name
        backup = staging / f"previous{target.suffix}"
        try:
            progress(0.05, "正在检查文件")
            shutil.copyfile(source, staged)
            problem = self._check(staged, name)
            if problem:
                return IngestOutcome(False, problem, failed={name: problem})
            progress(0.3, "正在保存文件")
            shared = self.services.knowledge_uploads
            previous_shared = shared.save(target.name, staged.read_bytes()) if shared else None
            had_previous = target.exists()
            if had_previous:
                os.replace(target, backup)
            os.replace(staged, target)
            try:
                report = ingest_paths(
                    self.services.index,
                    [target],
                    project_root=PROJECT_ROOT,
                    progress=lambda total: _IngestBar(progress, total, 0.35, 0.95),
                )
            except Exception:
                self._restore(target, backup, had_previous)
                if shared:
                    shared.restore(target.name, previous_shared)
                raise
            key = file_key(target, PROJECT_ROOT)
            if key in report.failed:
                self._restore(target, backup, had_previous)
                if shared:
                    shared.restore(target.name, previous_shared)
                reason = report.failed[key].replace(key, name)
                return _outcome(report, False, f"「{name}」未能导入：{reason}。索引未改变。")
            progress(1.0, "完成")
            if key in report.unchanged:
                return _outcome(report, True, f"「{name}」与已导入的版本相同，无需更新。")
            verb = "已更新" if key in report.updated else "已导入"
            return _outcome(report, True, f"「{name}」{verb}（存为 {target.name}）。")
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _check(self, staged: Path, name: str) -> str:
        """Why the staged file cannot be indexed ("" when it can): unreadable, or no text."""
        try:
            documents = load_path(staged, root=staged.parent)
        except LoadError as error:
            detail = str(error).replace(staged.name, name)
            return f"文件无法读取，未导入：{detail}。请确认文件完整且未加密。"
        options = options_from(self.services.index)
        if not any(prepare_document(doc, options)[1] for doc in documents):
            return f"「{name}」中没有可以索引的文字（扫描件请先转成文字），未导入。"
        return ""

    @staticmethod
    def _restore(target: Path, backup: Path, had_previous: bool) -> None:
        if had_previous:
            os.replace(backup, target)
        else:
            target.unlink(missing_ok=True)

    def reindex_all(self, progress: ProgressCallback = _no_progress) -> IngestOutcome:
        """Bring the index in line with the bundled knowledge and every uploaded document."""
        if not self._lock.acquire(blocking=False):
            return IngestOutcome(False, "另一个导入正在进行，请稍后再试。")
        try:
            settings = self.services.settings
            folder = uploads_folder(self.services)
            if self.services.knowledge_uploads is not None:  # other machines' uploads, before pruning
                progress(0.01, "正在同步其他服务器上传的文档")
                self.services.knowledge_uploads.materialise()
            paths = [*settings.default_ingest_paths, *([folder] if folder.is_dir() else [])]
            progress(0.02, "正在核对索引")
            report = ingest_paths(
                self.services.index,
                paths,
                project_root=PROJECT_ROOT,
                progress=lambda total: _IngestBar(progress, total, 0.05, 0.95),
                prune_under=settings.knowledge_dir,
            )
            progress(1.0, "完成")
            headline = "重新索引完成：" if not report.failed else "重新索引完成，但有文件失败："
            return _outcome(report, not report.failed, headline)
        finally:
            self._lock.release()
