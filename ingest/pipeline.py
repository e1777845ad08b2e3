"""The ingest run: files → load → clean → chunk → index, idempotent and incremental.

A file is identified by its path (relative to the project root when inside it) and fingerprinted by
its bytes plus the pipeline's version and chunking options: an unchanged file is skipped, a changed
one has its chunks replaced, a file that no longer exists has its chunks removed, and a file that
cannot be read is reported and skipped while the rest is ingested.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.index.knowledge_index import KnowledgeIndex
from assistant.settings import PROJECT_ROOT
from ingest.chunker import ChunkingOptions, chunk_document
from ingest.cleaners import clean_text
from ingest.loaders import iter_files, load_path, sidecar_path
from ingest.models import Chunk, LoadError, SourceDocument

PIPELINE_VERSION = "2"
"""Bump when cleaning or chunking changes, so that every file is re-ingested."""

ProgressFactory = Callable[[int], "Progress"]


class Progress:
    """Minimal progress sink (a tqdm bar satisfies it)."""

    def update(self, n: int = 1) -> None: ...

    def set_postfix_str(self, s: str) -> None: ...

    def close(self) -> None: ...


@dataclass
class IngestReport:
    """What one ingest run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    repaired: dict[str, int] = field(default_factory=dict)
    chunks_total: int = 0
    documents_total: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def options_from(index: KnowledgeIndex) -> ChunkingOptions:
    s = index.settings
    return ChunkingOptions(s.chunk_max_chars, s.chunk_overlap_chars, s.chunk_min_chars)


def file_key(path: Path, project_root: Path) -> str:
    """Stable key of a file: relative to the project root when inside it, else absolute."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(project_root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def _key_path(key: str, project_root: Path) -> Path:
    path = Path(key)
    return path if path.is_absolute() else project_root / path


def _is_under(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def fingerprint(data: bytes, options: ChunkingOptions, embedder: str = "") -> str:
    """What a file's stored chunks depend on: its bytes, the chunking options and the embedder."""
    digest = hashlib.sha256(data)
    digest.update(f"|v{PIPELINE_VERSION}|{options}|{embedder}".encode())
    return digest.hexdigest()


def prepare_document(doc: SourceDocument, options: ChunkingOptions) -> tuple[SourceDocument, list[Chunk]]:
    """Clean a loaded document and chunk it; loader and sidecar metadata win over what cleaning finds."""
    cleaned = clean_text(doc.text)
    metadata = {**cleaned.metadata, **doc.metadata}
    ready = SourceDocument(doc.doc_id, doc.title, cleaned.text, doc.source, metadata, [*doc.warnings])
    ready.warnings.extend(f"cleaned: {note}" for note in cleaned.notes)
    return ready, chunk_document(ready, options)


def ingest_paths(
    index: KnowledgeIndex,
    paths: Iterable[Path],
    *,
    project_root: Path,
    progress: ProgressFactory | None = None,
    prune_under: Path | None = None,
) -> IngestReport:
    """Bring the index in line with the given files and directories (see the module docstring).

    With ``prune_under`` (the bundled knowledge folder), indexed files under it that are not among
    ``paths`` any more are removed too, e.g. the guides when settings stop indexing them; files
    ingested from elsewhere are kept.
    """
    started = time.perf_counter()
    report = IngestReport()
    options = options_from(index)
    index.reconcile()
    roots = [Path(p) for p in paths]
    try:
        files = iter_files(roots)
    except LoadError as error:
        report.failed[str(error).split(":", 1)[0]] = str(error)
        files = [f for r in roots if r.exists() for f in iter_files([r])]

    wanted = {file_key(f, project_root) for f in files}
    for stored in index.store.files():
        path = _key_path(stored.path, project_root)
        left_out = prune_under is not None and _is_under(path, prune_under) and stored.path not in wanted
        if left_out or not path.exists():
            index.remove_file(stored.path)
            report.removed.append(stored.path)

    bar = progress(len(files)) if progress else Progress()
    try:
        for path in files:
            key = file_key(path, project_root)
            bar.set_postfix_str(path.name[-40:])
            _ingest_file(index, path, key, options, report)
            bar.update(1)
    finally:
        bar.close()

    if report.changed:
        index.rebuild_sparse()
    else:
        index.sparse()  # loads it, rebuilding only if missing or stale
    counts = index.store.counts()
    report.chunks_total, report.documents_total = counts["chunks"], counts["documents"]
    report.seconds = time.perf_counter() - started
    return report


def _ingest_file(
    index: KnowledgeIndex, path: Path, key: str, options: ChunkingOptions, report: IngestReport
) -> None:
    try:
        sidecar = sidecar_path(path)
        data = path.read_bytes() + (sidecar.read_bytes() if sidecar else b"")
    except OSError as error:
        report.failed[key] = f"{key}: cannot read ({error.strerror or error})"
        return
    print_key = fingerprint(data, options, json.dumps(index.embedder.config(), sort_keys=True))
    previous = index.store.fingerprint(key)
    if previous == print_key:
        report.unchanged.append(key)
        return
    try:
        loaded = load_path(path, root=path.parent)
    except LoadError as error:
        report.failed[key] = str(error)
        return
    prepared: list[tuple[SourceDocument, list[Chunk]]] = []
    for doc in loaded:
        owner = index.store.doc_owner(doc.doc_id)
        if owner is not None and owner != key:
            report.failed[f"{key}#{doc.doc_id}"] = (
                f"{key}: document id {doc.doc_id!r} is already used by {owner}; give one a sidecar doc_id"
            )
            continue
        ready, chunks = prepare_document(doc, options)
        report.warnings.extend(f"{key}: {w}" for w in ready.warnings)
        if chunks:
            prepared.append((ready, chunks))
        else:
            report.warnings.append(f"{key}: {doc.doc_id} has no text after cleaning; skipped")
    if not prepared:
        report.failed.setdefault(key, f"{key}: nothing to index")
        return
    index.replace_file(key, print_key, prepared)
    (report.updated if previous else report.added).append(key)


def ingest_bundled(index: KnowledgeIndex, progress: ProgressFactory | None = None) -> IngestReport:
    """Bring the index in line with the bundled knowledge the settings name (pruning what left it)."""
    settings = index.settings
    return ingest_paths(
        index,
        settings.default_ingest_paths,
        project_root=PROJECT_ROOT,
        progress=progress,
        prune_under=settings.knowledge_dir,
    )
