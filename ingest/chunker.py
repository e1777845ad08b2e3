"""Structure-aware chunking on Chinese headings (一、 （一） 第X条 1. …) with size limits and overlap."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from ingest.models import Chunk, SourceDocument

_NUM = "一二三四五六七八九十百零〇"
# (level, pattern) on the NFKC form of a paragraph's start; a lower level is a larger unit.
_HEADINGS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(rf"^第[{_NUM}\d]+[编章节]")),
    (0, re.compile(r"^English text$")),
    (1, re.compile(rf"^[{_NUM}]+、")),
    (2, re.compile(rf"^\([{_NUM}]+\)")),
    (2, re.compile(rf"^第[{_NUM}\d]+条")),
    (3, re.compile(r"^\d{1,2}[.、](?!\d)")),
    (3, re.compile(r"^\(\d{1,2}\)")),
    (1, re.compile(r"^[IVX]{1,4}\.\s*[A-Z]")),
)
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=\.)\s+(?=[A-Z])")
_CLAUSE_ENDS = tuple("。；;！？!?：:，,")
_SOFT_BREAK = re.compile(r"(?<=[，,、 ])")
_RUN_IN_LIMIT = 40
_STANDALONE_HEADING_LIMIT = 60


@dataclass(frozen=True)
class ChunkingOptions:
    """Size limits, in characters."""

    max_chars: int = 500
    overlap_chars: int = 80
    min_chars: int = 60


def heading_level(paragraph: str) -> int | None:
    """The heading level a paragraph starts with, or None for body text."""
    probe = unicodedata.normalize("NFKC", paragraph.strip())
    for level, pattern in _HEADINGS:
        if pattern.match(probe):
            return level
    return None


def heading_title(paragraph: str) -> str:
    """The heading text of a paragraph: the whole line when short, else its run-in head up to 。/：."""
    paragraph = paragraph.strip()
    if len(paragraph) <= _STANDALONE_HEADING_LIMIT and not re.search(r"[。；]", paragraph[:-1]):
        return paragraph.rstrip("。")
    head = re.split(r"[。：:；]", paragraph, maxsplit=1)[0]
    return head[:_RUN_IN_LIMIT] + ("…" if len(head) > _RUN_IN_LIMIT else "")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph after Chinese sentence ends (and English sentence ends)."""
    return [s for s in _SENTENCE_END.split(text) if s and s.strip()]


def _fit(sentence: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters: at commas or spaces where possible, else hard cuts."""
    if len(sentence) <= limit:
        return [sentence]
    pieces: list[str] = []
    current = ""
    for part in _SOFT_BREAK.split(sentence):
        while len(part) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(part[:limit])
            part = part[limit:]
        if len(current) + len(part) > limit:
            pieces.append(current)
            current = ""
        current += part
    if current:
        pieces.append(current)
    return [p for p in pieces if p.strip()]


@dataclass
class _Builder:
    doc: SourceDocument
    options: ChunkingOptions
    chunks: list[Chunk] = field(default_factory=list)
    path: list[tuple[int, str]] = field(default_factory=list)
    buffer: list[str] = field(default_factory=list)

    @property
    def section(self) -> str:
        return " > ".join(title for _, title in self.path)

    def size(self) -> int:
        return sum(len(p) for p in self.buffer)

    def enter(self, level: int, title: str) -> None:
        self.flush()
        self.path = [(lvl, t) for lvl, t in self.path if lvl < level] + [(level, title)]

    def add(self, paragraph: str) -> None:
        if len(paragraph) > self.options.max_chars:
            self.flush()
            self._add_long(paragraph)
            return
        if self.buffer and self.size() + len(paragraph) > self.options.max_chars:
            self.flush()
        self.buffer.append(paragraph)

    def _add_long(self, paragraph: str) -> None:
        limit = self.options.max_chars
        window: list[str] = []
        for sentence in (piece for s in split_sentences(paragraph) for piece in _fit(s, limit)):
            if window and sum(map(len, window)) + len(sentence) > limit:
                self._emit("".join(window))
                window = self._overlap(window)
                if sum(map(len, window)) + len(sentence) > limit:
                    window = []  # no room for overlap before this long sentence
            window.append(sentence)
        if window:
            self.buffer = ["".join(window)]

    def _overlap(self, window: list[str]) -> list[str]:
        kept: list[str] = []
        for sentence in reversed(window):
            if sum(map(len, kept)) + len(sentence) > self.options.overlap_chars:
                break
            kept.insert(0, sentence)
        return kept

    def flush(self) -> None:
        if self.buffer:
            self._emit("\n".join(self.buffer))
            self.buffer = []

    def _emit(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        previous = self.chunks[-1] if self.chunks else None
        if (
            previous is not None
            and previous.section == self.section
            and (len(text) < self.options.min_chars or len(previous.text) < self.options.min_chars)
            and len(previous.text) + len(text) <= self.options.max_chars + self.options.min_chars
        ):
            self.chunks[-1] = _make_chunk(
                self.doc, previous.ordinal, self.section, previous.text + "\n" + text
            )
            return
        self.chunks.append(_make_chunk(self.doc, len(self.chunks), self.section, text))


def _make_chunk(doc: SourceDocument, ordinal: int, section: str, text: str) -> Chunk:
    digest = hashlib.sha1(f"{section}\n{text}".encode()).hexdigest()[:8]
    return Chunk(
        chunk_id=f"{doc.doc_id}:{ordinal:04d}:{digest}",
        doc_id=doc.doc_id,
        ordinal=ordinal,
        title=doc.title,
        section=section,
        text=text,
        metadata=dict(doc.metadata),
    )


def chunk_document(doc: SourceDocument, options: ChunkingOptions | None = None) -> list[Chunk]:
    """Split a cleaned document into chunks that never cross a level-0/1/2 heading.

    A heading paragraph starts a new section and its title joins the section path of every chunk
    below it; a run-in heading (（一）指导思想。正文…) also stays at the start of its chunk's text.
    """
    builder = _Builder(doc, options or ChunkingOptions())
    for raw in doc.text.split("\n"):
        paragraph = raw.strip()
        if not paragraph:
            continue
        level = heading_level(paragraph)
        if level is not None and level <= 2:
            title = heading_title(paragraph)
            builder.enter(level, title)
            if title == paragraph and not paragraph.endswith(_CLAUSE_ENDS):
                continue  # a bare heading lives in the section path; list items and articles stay
        builder.add(paragraph)
    builder.flush()
    return builder.chunks
