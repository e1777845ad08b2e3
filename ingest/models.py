"""Data passed between the ingest stages."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""The largest document an operator may upload for indexing (the dashboard and its body limit)."""


@dataclass
class SourceDocument:
    """One document as loaded from a file (or one record of a JSONL corpus).

    ``text`` is the original text (cleaned, not normalised): it is what citations show.
    """

    doc_id: str
    title: str
    text: str
    source: str
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Chunk:
    """A retrievable passage of a document, with its place in the document's heading tree."""

    chunk_id: str
    doc_id: str
    ordinal: int
    title: str
    section: str
    text: str
    metadata: dict[str, str] = field(default_factory=dict)


class LoadError(Exception):
    """A file that cannot be read as a document (corrupt, undecodable, unsupported)."""
