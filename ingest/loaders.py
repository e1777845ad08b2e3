"""Document loaders: turn source files into :class:`SourceDocument` objects.

Supported formats: plain text, Markdown, HTML, Word (.docx), PDF (text layer only) and JSONL corpora.
The loaders return the raw text of a document (Markdown/HTML markup removed, nothing else cleaned or
normalised); cleaning is done by a later ingest stage. Every failure is raised as :class:`LoadError`
with a message that names the file.

Optional sidecar metadata: ``X.meta.yaml`` / ``X.meta.yml`` / ``X.meta.json`` beside ``X.ext`` (or the
more specific ``X.ext.meta.yaml`` etc.) is merged into the document's metadata; its ``doc_id`` and
``title`` keys override the derived ones.

Heavy parsers (python-docx, pypdf, BeautifulSoup) are imported lazily by the functions that need them.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.models import LoadError, SourceDocument

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

__all__ = [
    "MAX_FILE_BYTES",
    "SIDECAR_SUFFIXES",
    "SUPPORTED_SUFFIXES",
    "iter_files",
    "load_path",
    "make_doc_id",
    "sidecar_path",
]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".jsonl", ".yaml", ".yml"}
)
"""File suffixes (lower-case) that :func:`load_path` can read."""

SIDECAR_SUFFIXES: tuple[str, ...] = (".meta.yaml", ".meta.yml", ".meta.json")
"""Suffixes of sidecar metadata files, in lookup order."""

MAX_FILE_BYTES: int = 50 * 1024 * 1024
"""Files larger than this are refused."""

_FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
    ".jsonl": "jsonl",
    ".yaml": "guides",  # a service-guide catalogue file (assistant/guide/models.py)
    ".yml": "guides",
}
# Metadata keys owned by the loader; a sidecar/record key with the same name is kept as ``orig_<key>``.
_RESERVED_KEYS = frozenset({"source", "source_format"})
_LIST_JOINER = "、"
_NOT_CONTENT = frozenset({"README", "NOTICE", "LICENSE"})  # file stems a directory walk skips
_MAX_REPORTED_ERRORS = 3


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


def load_path(path: Path, *, root: Path | None = None) -> list[SourceDocument]:
    """Load one file into one document (or many, for a ``.jsonl`` corpus or a ``.yaml`` guide catalogue).

    ``root``, when given, makes ``source`` relative to it. Raises :class:`LoadError` with a clear
    message for missing, oversized, unsupported, undecodable, corrupt or empty files.
    """
    path = Path(path)
    source = _display_source(path, root)
    suffix = path.suffix.lower()
    fmt = _FORMATS.get(suffix)
    if fmt is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise LoadError(
            f"{source}: unsupported file type {path.suffix or '(none)'!r} (supported: {supported})"
        )
    data = _read_bytes(path, source)
    sidecar = _load_sidecar(path, source)

    if fmt == "jsonl":
        return _load_jsonl(data, source=source, sidecar=sidecar)
    if fmt == "guides":
        from ingest.guides import load_guide_documents

        return load_guide_documents(path, source)

    readers: dict[str, Callable[[bytes, str], _Extracted]] = {
        "txt": _read_txt,
        "md": _read_md,
        "html": _read_html,
        "docx": _read_docx,
        "pdf": _read_pdf,
    }
    extracted = readers[fmt](data, source)
    if not extracted.text.strip():
        raise LoadError(f"{source}: no text found (empty {fmt} document)")

    metadata: dict[str, str] = {}
    metadata.update(extracted.metadata)
    _merge_metadata(metadata, sidecar.metadata)
    metadata["source_format"] = fmt
    metadata["source"] = source
    doc_id = sidecar.doc_id or make_doc_id(path, root)
    title = sidecar.title or extracted.title or path.stem
    return [
        SourceDocument(
            doc_id=doc_id,
            title=title,
            text=extracted.text,
            source=source,
            metadata=metadata,
            warnings=[*sidecar.warnings, *extracted.warnings],
        )
    ]


def iter_files(paths: Iterable[Path]) -> list[Path]:
    """Expand files and directories into the list of files to load.

    Files passed explicitly are kept as given (whatever their suffix, so that :func:`load_path` can
    report an unsupported one). Directories are walked recursively in sorted order, keeping files with a
    supported suffix and skipping hidden entries (``.name``), Office lock files (``~$name``), directories
    named ``raw``, README, NOTICE and LICENSE files and sidecar metadata files. Duplicates are dropped
    (first one wins).
    Raises :class:`LoadError` for a path that does not exist.
    """
    result: list[Path] = []
    seen: set[Path] = set()
    for raw_path in paths:
        path = Path(raw_path)
        if path.is_dir():
            candidates: Iterable[Path] = _walk(path)
        elif path.exists():
            candidates = [path]
        else:
            raise LoadError(f"{path}: no such file or directory")
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                result.append(candidate)
    return result


def make_doc_id(path: Path, root: Path | None) -> str:
    """Derive a stable document id from a file name, e.g. ``policies/gf-2024-3.txt`` -> ``gf-2024-3``.

    The id is the slug of the file stem: NFKC-folded, lower-case, runs of characters other than
    ``[a-z0-9]`` and CJK ideographs replaced by ``-``. Directories do not enter the id, so moving a file
    keeps it (two files with the same stem get the same id; give one a sidecar ``doc_id``). When the stem
    has no usable character, ``doc-`` plus a short hash of the path relative to ``root`` is used.
    A sidecar ``doc_id`` overrides this id (applied by :func:`load_path`).
    """
    path = Path(path)
    slug = _slugify(path.stem)
    if slug:
        return slug
    digest = hashlib.sha1(_display_source(path, root).encode("utf-8")).hexdigest()[:10]
    return f"doc-{digest}"


# --------------------------------------------------------------------------------------------------
# Paths, ids, sidecars
# --------------------------------------------------------------------------------------------------

_CJK_RANGES = (
    "\u3007"  # 〇
    "\u3400-\u4dbf"
    "\u4e00-\u9fff"
    "\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
_SLUG_DISALLOWED = re.compile(f"[^a-z0-9{_CJK_RANGES}]+")


def _slugify(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value).lower()
    return _SLUG_DISALLOWED.sub("-", folded).strip("-")


def _display_source(path: Path, root: Path | None) -> str:
    """The path as given, or relative to ``root`` when it lies under it (POSIX separators)."""
    if root is not None:
        root = Path(root)
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return path.as_posix()


def _is_sidecar(name: str) -> bool:
    lowered = name.lower()
    return any(lowered.endswith(suffix) for suffix in SIDECAR_SUFFIXES)


def _walk(directory: Path) -> Iterator[Path]:
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise LoadError(f"{directory}: cannot list directory ({exc.strerror or exc})") from exc
    for entry in entries:
        name = entry.name
        if name.startswith((".", "~$")):
            continue
        if entry.is_dir():
            if name == "raw" or entry.is_symlink():
                continue
            yield from _walk(entry)
        elif entry.is_file():
            if _is_sidecar(name) or entry.stem.upper() in _NOT_CONTENT:
                continue
            if entry.suffix.lower() in SUPPORTED_SUFFIXES:
                yield entry


def _read_bytes(path: Path, source: str) -> bytes:
    try:
        if not path.exists():
            raise LoadError(f"{source}: no such file")
        if not path.is_file():
            raise LoadError(f"{source}: not a regular file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit_mb = MAX_FILE_BYTES / 1_048_576
            raise LoadError(f"{source}: file is too large ({size / 1_048_576:.1f} MB; limit {limit_mb:g} MB)")
        return path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{source}: cannot read file ({exc.strerror or exc})") from exc


@dataclass
class _Sidecar:
    """Metadata read from a sidecar file (empty when there is none)."""

    metadata: dict[str, str] = field(default_factory=dict)
    doc_id: str | None = None
    title: str | None = None
    warnings: list[str] = field(default_factory=list)


def sidecar_path(path: Path) -> Path | None:
    """The metadata sidecar of ``path`` (``X.ext.meta.*`` first, then ``X.meta.*``), if one exists."""
    for base in (path.name, path.stem):
        for suffix in SIDECAR_SUFFIXES:
            candidate = path.with_name(base + suffix)
            if candidate.is_file():
                return candidate
    return None


def _load_sidecar(path: Path, source: str) -> _Sidecar:
    sidecar = sidecar_path(path)
    if sidecar is None:
        return _Sidecar()
    try:
        raw_text = sidecar.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"{source}: cannot read sidecar metadata {sidecar.name} ({exc})") from exc
    try:
        if sidecar.name.lower().endswith(".json"):
            loaded: Any = json.loads(raw_text) if raw_text.strip() else None
        else:
            import yaml

            loaded = yaml.safe_load(raw_text)
    except Exception as exc:  # json.JSONDecodeError, yaml.YAMLError
        raise LoadError(f"{source}: invalid sidecar metadata {sidecar.name} ({exc})") from exc
    if loaded is None:
        return _Sidecar(warnings=[f"sidecar metadata {sidecar.name} is empty"])
    if not isinstance(loaded, dict):
        raise LoadError(
            f"{source}: sidecar metadata {sidecar.name} must be a mapping, not {type(loaded).__name__}"
        )
    metadata: dict[str, str] = {}
    doc_id: str | None = None
    title: str | None = None
    for key, value in loaded.items():
        text = _meta_value(value)
        if text is None:
            continue
        name = str(key)
        if name == "doc_id":
            doc_id = text.strip() or None
        elif name == "title":
            title = text.strip() or None
        else:
            metadata[name] = text
    return _Sidecar(metadata=metadata, doc_id=doc_id, title=title)


def _meta_value(value: Any) -> str | None:
    """Render a metadata value as a string (lists joined with "、"); ``None`` for null values."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return _LIST_JOINER.join(s for s in (_meta_value(item) for item in items) if s is not None)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return str(value)


def _merge_metadata(target: dict[str, str], extra: dict[str, str]) -> None:
    for key, value in extra.items():
        target[f"orig_{key}" if key in _RESERVED_KEYS else key] = value


# --------------------------------------------------------------------------------------------------
# Text decoding
# --------------------------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _decode_text(data: bytes, source: str, declared: str | None = None) -> tuple[str, list[str]]:
    """Decode bytes: BOM, else the declared charset, else UTF-8, else GB18030. Rejects binary data."""
    warnings: list[str] = []
    bom = _bom_encoding(data)
    if bom is not None:
        try:
            text = data.decode(bom)
        except UnicodeDecodeError as exc:
            raise LoadError(f"{source}: invalid {bom} text after byte-order mark ({exc.reason})") from exc
        if "\x00" in text:
            raise LoadError(f"{source}: binary content (NUL characters), not a text file")
        return text, warnings
    if b"\x00" in data:
        raise LoadError(f"{source}: binary content (NUL bytes), not a text file")
    if declared is not None:
        try:
            return data.decode(declared), warnings
        except (LookupError, UnicodeDecodeError):
            warnings.append(f"declared charset {declared!r} failed to decode the file; guessed the encoding")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), warnings
        except UnicodeDecodeError:
            continue
    raise LoadError(f"{source}: is not UTF-8 or GB18030 text (undecodable bytes)")


def _universal_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------------------------------
# Format readers
# --------------------------------------------------------------------------------------------------


@dataclass
class _Extracted:
    """Text and facts extracted from one file by a format reader."""

    text: str
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _read_txt(data: bytes, source: str) -> _Extracted:
    text, warnings = _decode_text(data, source)
    return _Extracted(_universal_newlines(text), warnings=warnings)


# ---- Markdown -------------------------------------------------------------------------------------

_MD_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_MD_ATX_HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_MD_SETEXT_OR_RULE = re.compile(r"^\s{0,3}(?:=+|-{3,}|\*{3,}|_{3,}|(?:[-*_][ \t]*){3,})\s*$")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_LINK_DEF = re.compile(
    r"^\s{0,3}\[([^\]]+)\]:\s*<?(?:[a-z][a-z0-9+.-]*:|/|\.{1,2}/|#|www\.)\S*>?(?:\s+[\"'(].*)?\s*$",
    re.IGNORECASE,
)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_REF_LINK = re.compile(r"(!?)\[([^\]]*)\]\[([^\]]*)\]")
_MD_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_STAR_EM = re.compile(r"(?<![*A-Za-z0-9])\*(?![\s*])(.+?)(?<![\s*])\*(?![*A-Za-z0-9])")
_MD_UNDERSCORE_EM = re.compile(r"(?<![\w_])_(?![\s_])(.+?)(?<![\s_])_(?![\w_])")
_MD_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_MD_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_MD_BLOCKQUOTE = re.compile(r"^(\s{0,3}>\s?)+")


def _strip_md_inline(line: str, refs: frozenset[str] = frozenset()) -> str:
    def reference(match: re.Match[str]) -> str:
        bang, text, ref = match.groups()
        if (ref or text).strip().lower() not in refs:
            return match.group(0)  # e.g. "[1][2]": not a link
        return "" if bang else text

    line = _MD_IMAGE.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_REF_LINK.sub(reference, line)
    line = _MD_AUTOLINK.sub(r"\1", line)
    line = _MD_CODE_SPAN.sub(lambda m: m.group(2).strip(), line)
    line = _MD_STRONG.sub(r"\2", line)
    line = _MD_STRIKE.sub(r"\1", line)
    line = _MD_STAR_EM.sub(r"\1", line)
    return _MD_UNDERSCORE_EM.sub(r"\1", line)


def _markdown_to_text(markdown: str) -> tuple[str, str | None]:
    """Strip Markdown markup; return the text and the first level-1 heading (if any)."""
    out: list[str] = []
    title: str | None = None
    fence: str | None = None
    lines = _universal_newlines(markdown).split("\n")
    refs = frozenset(m.group(1).strip().lower() for m in map(_MD_LINK_DEF.match, lines) if m)
    for line in lines:
        fence_match = _MD_FENCE.match(line)
        if fence is not None:
            if (
                fence_match
                and fence_match.group(1)[0] == fence[0]
                and len(fence_match.group(1)) >= len(fence)
            ):
                fence = None
            else:
                out.append(line)  # code is kept verbatim
            continue
        if fence_match:
            fence = fence_match.group(1)
            continue
        line = _MD_BLOCKQUOTE.sub("", line)
        heading = _MD_ATX_HEADING.match(line)
        if heading:
            text = _strip_md_inline(heading.group(2) or "", refs).strip()
            if title is None and len(heading.group(1)) == 1 and text:
                title = text
            out.append(text)
            continue
        if _MD_SETEXT_OR_RULE.match(line) or _MD_TABLE_RULE.match(line) or _MD_LINK_DEF.match(line):
            continue
        out.append(_strip_md_inline(line, refs))
    return "\n".join(out), title


def _read_md(data: bytes, source: str) -> _Extracted:
    markdown, warnings = _decode_text(data, source)
    text, title = _markdown_to_text(markdown)
    return _Extracted(text, title=title, warnings=warnings)


# ---- HTML -----------------------------------------------------------------------------------------

_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_DROP_TAGS = (
    "head", "title", "script", "style", "nav", "header", "footer", "noscript", "template", "iframe", "svg",
)  # fmt: skip
_HTML_BLOCK_TAGS = (
    "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p",
    "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "ul", "body",
)  # fmt: skip
_HTML_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_BREAK = "\ue000"  # private-use sentinel for a line break
# A table cell with at most this much text (and no nested table) is read as one line: data tables keep
# one row per line even when cells hold <p>/<br>; long cells (layout tables) keep their line breaks.
_HTML_INLINE_CELL_CHARS = 200


def _html_declared_charset(data: bytes) -> str | None:
    match = _HTML_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return name  # unknown: _decode_text reports it and falls back
    # Pages labelled GB2312/GBK routinely contain characters outside those sets; GB18030 is a superset.
    if canonical in {"gb2312", "gbk", "gb18030"}:
        return "gb18030"
    # A UTF-16/32 label in an ASCII-compatible meta tag is wrong by construction (browsers read UTF-8).
    if canonical.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return canonical


def _tag_text(soup: BeautifulSoup, name: str) -> str | None:
    from bs4.element import Tag

    tag = soup.find(name)
    if isinstance(tag, Tag):
        text = _HTML_ASCII_SPACE.sub(" ", tag.get_text(" ")).strip()
        return text or None
    return None


def _read_html(data: bytes, source: str) -> _Extracted:
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, Tag

    declared = _html_declared_charset(data)
    markup, warnings = _decode_text(data, source, declared)
    soup = BeautifulSoup(markup, "html.parser")
    head_title = _tag_text(soup, "title")
    for tag in soup.find_all(_HTML_DROP_TAGS):
        tag.decompose()
    title = head_title or _tag_text(soup, "h1")  # an <h1> in a dropped site banner is not the title

    inline_cells: list[Tag] = []
    for row in soup.find_all("tr"):
        if not isinstance(row, Tag):
            continue
        cells = [c for c in row.find_all(["td", "th"], recursive=False) if isinstance(c, Tag)]
        for cell in cells[1:]:
            cell.insert_before(NavigableString(" | "))
        inline_cells.extend(
            c for c in cells if c.find("table") is None and len(c.get_text()) <= _HTML_INLINE_CELL_CHARS
        )
    inlined: set[int] = set()  # ids of block elements inside inline cells: spaces, not line breaks
    for cell in inline_cells:
        for inner in cell.find_all(["br", *_HTML_BLOCK_TAGS]):
            if isinstance(inner, Tag):
                inlined.add(id(inner))
                inner.insert_before(NavigableString(" "))
                inner.insert_after(NavigableString(" "))
    for br in soup.find_all("br"):
        if id(br) not in inlined:
            br.replace_with(NavigableString(_BREAK))
    for block in soup.find_all(_HTML_BLOCK_TAGS):
        if isinstance(block, Tag) and id(block) not in inlined:
            block.insert_before(NavigableString(_BREAK))
            block.insert_after(NavigableString(_BREAK))

    flat = _HTML_ASCII_SPACE.sub(" ", soup.get_text())
    lines = (line.strip() for line in flat.split(_BREAK))
    text = "\n".join(line for line in lines if line)
    return _Extracted(text, title=title, warnings=warnings)


# ---- DOCX -----------------------------------------------------------------------------------------

_TITLE_STYLE_PREFIXES = ("title", "heading", "标题")


def _read_docx(data: bytes, source: str) -> _Extracted:
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # zipfile.BadZipFile, KeyError, PackageNotFoundError, XML errors, ...
        raise LoadError(f"{source}: not a readable .docx file ({type(exc).__name__}: {exc})") from exc

    lines: list[str] = []
    first_paragraph: Paragraph | None = None
    tables = 0
    p_tag, tbl_tag, sdt_tag, sdt_content_tag = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")

    def visit(container: Any) -> None:
        nonlocal first_paragraph, tables
        for child in container.iterchildren():
            if child.tag == p_tag:
                paragraph = Paragraph(child, document)
                text = paragraph.text
                if first_paragraph is None and text.strip():
                    first_paragraph = paragraph
                lines.append(text)
            elif child.tag == tbl_tag:
                tables += 1
                lines.extend(_docx_table_rows(Table(child, document)))
            elif child.tag == sdt_tag:
                content = child.find(sdt_content_tag)
                if content is not None:
                    visit(content)

    try:
        visit(document.element.body)
        core_title = (document.core_properties.title or "").strip()
    except Exception as exc:  # malformed XML inside an otherwise valid package
        raise LoadError(f"{source}: corrupt .docx content ({type(exc).__name__}: {exc})") from exc

    title: str | None = core_title or None
    if title is None and first_paragraph is not None:
        style_name = (first_paragraph.style.name if first_paragraph.style is not None else "") or ""
        if style_name.strip().lower().startswith(_TITLE_STYLE_PREFIXES):
            title = first_paragraph.text.strip()
    return _Extracted("\n".join(lines).strip("\n"), title=title, metadata={"tables": str(tables)})


def _docx_table_rows(table: Any) -> list[str]:
    """One line per table row, cells joined by " | " (merged cells once; nested tables flattened)."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous: Any = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous:  # horizontally merged cell
                continue
            previous = cell._tc
            parts = [p.text.strip() for p in cell.paragraphs]
            for nested in cell.tables:
                parts.extend(_docx_table_rows(nested))
            cells.append(" ".join(part for part in parts if part))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


# ---- PDF ------------------------------------------------------------------------------------------


def _read_pdf(data: bytes, source: str) -> _Extracted:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except DependencyError as exc:
                raise LoadError(f"{source}: encrypted PDF needs a crypto library to open ({exc})") from exc
            if decrypted == PasswordType.NOT_DECRYPTED:
                raise LoadError(f"{source}: encrypted PDF (password required); cannot extract text")
        pages = list(reader.pages)
    except LoadError:
        raise
    except Exception as exc:  # PdfReadError, PdfStreamError, ValueError, ... from a corrupt file
        raise LoadError(f"{source}: not a readable PDF file ({type(exc).__name__}: {exc})") from exc

    warnings: list[str] = []
    texts: list[str] = []
    for number, page in enumerate(pages, start=1):
        try:
            page_text = page.extract_text() or ""
        except Exception as exc:
            warnings.append(f"page {number}: text extraction failed ({type(exc).__name__}: {exc})")
            page_text = ""
        if page_text.strip():
            texts.append(page_text)
        else:
            warnings.append(f"page {number} has no text layer (scanned?); OCR is not applied at ingest")
    if not texts:
        raise LoadError(
            f"{source}: PDF has no text layer on any of its {len(pages)} page(s) "
            "(scanned?); OCR is not applied at ingest"
        )

    title: str | None = None
    try:
        info = reader.metadata
        if info is not None and info.title:
            title = str(info.title).strip() or None
    except Exception:
        warnings.append("PDF metadata could not be read; title taken from the file name")
    return _Extracted("\n".join(texts), title=title, metadata={"pages": str(len(pages))}, warnings=warnings)


# ---- JSONL corpus ---------------------------------------------------------------------------------


def _load_jsonl(data: bytes, *, source: str, sidecar: _Sidecar) -> list[SourceDocument]:
    """Each line is ``{"id", "title", "text", ...}``; bad lines are skipped with a warning."""
    content, decode_warnings = _decode_text(data, source)
    lines = _universal_newlines(content).split("\n")
    if not any(line.strip() for line in lines):
        raise LoadError(f"{source}: empty JSONL corpus")

    docs: list[SourceDocument] = []
    warnings: list[str] = [*sidecar.warnings, *decode_warnings]
    errors: list[str] = []  # bad lines, also reported (in line order, with duplicates) in ``warnings``
    first_line: dict[str, int] = {}
    if sidecar.doc_id or sidecar.title:
        warnings.append("sidecar doc_id/title ignored for a JSONL corpus (each record has its own)")

    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record, problem = _parse_record(line)
        if record is None:
            errors.append(f"line {line_no}: {problem}")
            warnings.append(f"line {line_no}: {problem}; skipped")
            continue
        doc_id, title, text, extra = record
        if doc_id in first_line:
            warnings.append(
                f"line {line_no}: duplicate id {doc_id!r} (first on line {first_line[doc_id]}); skipped"
            )
            continue
        first_line[doc_id] = line_no
        metadata = dict(sidecar.metadata)
        metadata.update(extra)
        reserved = {k: metadata.pop(k) for k in _RESERVED_KEYS if k in metadata}
        _merge_metadata(metadata, reserved)
        metadata["source_format"] = "jsonl"
        metadata["source"] = source
        docs.append(
            SourceDocument(
                doc_id=doc_id, title=title, text=text, source=f"{source}#{line_no}", metadata=metadata
            )
        )

    if not docs:
        if errors:
            shown = "; ".join(errors[:_MAX_REPORTED_ERRORS])
            more = (
                f" (and {len(errors) - _MAX_REPORTED_ERRORS} more)"
                if len(errors) > _MAX_REPORTED_ERRORS
                else ""
            )
            raise LoadError(f"{source}: no valid record in JSONL corpus: {shown}{more}")
        raise LoadError(f"{source}: no valid record in JSONL corpus")
    docs[0].warnings.extend(warnings)
    return docs


def _parse_record(line: str) -> tuple[tuple[str, str, str, dict[str, str]] | None, str]:
    """Parse one JSONL line into (id, title, text, extra metadata), or (None, reason)."""
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return None, f"invalid JSON ({exc})"
    if not isinstance(obj, dict):
        return None, f"expected a JSON object, got {type(obj).__name__}"
    raw_id = obj.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or not str(raw_id).strip():
        return None, "missing or invalid 'id' (a non-empty string or integer is required)"
    doc_id = str(raw_id).strip()
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return None, "missing or empty 'text'"
    raw_title = obj.get("title")
    title = (_meta_value(raw_title) or "").strip() or doc_id
    extra: dict[str, str] = {}
    for key, value in obj.items():
        if key in {"id", "title", "text"}:
            continue
        rendered = _meta_value(value)
        if rendered is not None:
            extra[str(key)] = rendered
    return (doc_id, title, text, extra), ""
