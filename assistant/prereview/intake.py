"""Upload intake: identify files by their bytes, sanitise names, and refuse what is too big or broken.

Every refusal is an :class:`IntakeError` whose message (Chinese, then a short English part) names the
file and the limit; one bad file never stops the others of the request being accepted.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from contextlib import AbstractContextManager
from typing import Any

from assistant.prereview.limits import MB, PrereviewLimits
from assistant.prereview.models import FileKind, IntakeError

ACCEPTED_TYPES = "JPEG、PNG、PDF、DOCX"
EXTENSIONS: dict[str, str] = {"jpeg": ".jpg", "png": ".png", "pdf": ".pdf", "docx": ".docx"}
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")
_IMAGE_FORMATS = {"jpeg": {"JPEG", "MPO"}, "png": {"PNG"}}
_MAX_NAME = 100
ENCRYPTED_MESSAGE = "加密的PDF无法预审，请上传未加密的文件"

Accepted = tuple[str, bytes, FileKind]


def sniff(data: bytes) -> FileKind | None:
    """The kind of file ``data`` is, from its magic bytes alone (never the name or Content-Type)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:  # reads the central directory only; nothing is decompressed here
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except Exception:  # any unreadable archive is simply "not a DOCX"
            return None
        if all(part in names for part in _DOCX_PARTS):
            return "docx"
    return None


def safe_display_name(name: str, max_length: int = _MAX_NAME) -> str:
    """The client's file name reduced to something safe to show: no folders, controls or bidi marks."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    # Cc: controls (NUL, newline…); Cf: format characters incl. bidi overrides and zero-width marks.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp", "Cs"})
    name = name.strip().lstrip(".").strip()
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10 and stem:
            name = stem[: max_length - len(ext) - 2] + "…." + ext
        else:
            name = name[: max_length - 1] + "…"
    return name or "file"


def accept(
    files: list[tuple[str, bytes]], limits: PrereviewLimits
) -> tuple[list[Accepted], list[IntakeError]]:
    """Split a request's ``(name, bytes)`` files into accepted ``(display_name, bytes, kind)`` and errors."""
    if len(files) > limits.max_files:
        message = (
            f"一次最多上传{limits.max_files}个文件，本次收到{len(files)}个，请分批上传"
            f"（too many files: {len(files)}, limit {limits.max_files}）"
        )
        return [], [IntakeError(message, status=413)]
    total = sum(len(data) for _, data in files)
    if total > limits.max_request_bytes:
        message = (
            f"本次上传文件总大小{_mb(total)}，超过上限{_mb(limits.max_request_bytes)}，请分批上传"
            f"（request too large: limit {_mb(limits.max_request_bytes)}）"
        )
        return [], [IntakeError(message, status=413)]
    accepted: list[Accepted] = []
    errors: list[IntakeError] = []
    for raw_name, data in files:
        name = safe_display_name(raw_name)
        kind, error = check_file(name, data, limits)
        if error is not None:
            errors.append(error)
        elif kind is not None:
            accepted.append((name, data, kind))
    return accepted, errors


def check_file(name: str, data: bytes, limits: PrereviewLimits) -> tuple[FileKind | None, IntakeError | None]:
    """Identify and vet one file: its kind, or the error that refuses it."""
    if not data:
        limit = f"empty file; size must be 1 B–{_mb(limits.max_file_bytes)}"
        return None, _error(name, 422, "是空文件（0字节），请重新选择文件", limit)
    if len(data) > limits.max_file_bytes:
        return None, _error(
            name,
            413,
            f"大小为{_mb(len(data))}，超过单个文件上限{_mb(limits.max_file_bytes)}",
            f"file too large: limit {_mb(limits.max_file_bytes)}",
        )
    kind = sniff(data)
    if kind is None:
        return None, _error(
            name,
            415,
            f"不是支持的文件类型，仅支持{ACCEPTED_TYPES}（按文件内容识别，与扩展名无关）",
            "unsupported type: accepted JPEG, PNG, PDF, DOCX",
        )
    if kind in ("jpeg", "png"):
        error = _check_image(name, data, kind, limits)
    elif kind == "pdf":
        error = _check_pdf(name, data, limits)
    else:
        error = _check_docx(name, data, limits)
    return (None, error) if error else (kind, None)


def pdf_guard(limits: PrereviewLimits) -> AbstractContextManager[Any]:
    """pypdf configuration capping every decoded stream, so a deflate bomb raises instead of inflating."""
    import pypdf

    cap = limits.max_pdf_stream_bytes
    return pypdf.apply_configuration(
        zlib_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        array_based_stream_maximum_output_length=cap,
        stream_decoding_work_maximum_length=4 * cap,
    )


def unlock_pdf(reader: Any) -> bool:
    """True when the PDF is not encrypted or opens with the empty user password (permissions only)."""
    if not reader.is_encrypted:
        return True
    from pypdf import PasswordType

    try:
        return bool(reader.decrypt("") != PasswordType.NOT_DECRYPTED)
    except Exception:  # e.g. AES without a crypto provider: treat as locked
        return False


def pdf_page_problem(page: Any, limits: PrereviewLimits) -> str | None:
    """Why a PDF page is a bomb (content or forms inflate past the cap, or a huge image), else None."""
    from pypdf.errors import LimitReachedError

    cap = limits.max_pdf_stream_bytes
    try:
        total = sum(len(stream.get_data()) for stream in _content_streams(page))
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        xobjects = resources.get("/XObject")
        for ref in (xobjects.get_object() if xobjects is not None else {}).values():
            xobject = ref.get_object()
            subtype = xobject.get("/Subtype")
            if subtype == "/Image":
                width, height = int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0))
                if width * height > limits.max_image_pixels:
                    mp = f"{limits.max_image_pixels / 1e6:g} megapixels"
                    return f"含{width}×{height}像素的图片，超过上限{_mp(limits)}（image bomb: limit {mp}）"
            elif subtype == "/Form":
                total += len(xobject.get_data())
            if total > cap:
                break
    except LimitReachedError:
        total = cap + 1
    if total > cap:
        return f"解压后内容超过上限{_mb(cap)}（decompression bomb: limit {_mb(cap)} per page）"
    return None


def zip_bomb_reason(zf: zipfile.ZipFile, limits: PrereviewLimits) -> str | None:
    """Why a ZIP package looks like a zip bomb, judged from declared sizes only, or None."""
    entries = zf.infolist()
    if len(entries) > limits.max_zip_entries:
        return f"包含{len(entries)}个条目，超过上限{limits.max_zip_entries}（too many zip entries）"
    total = sum(info.file_size for info in entries)
    if total > limits.max_docx_uncompressed_bytes:
        cap = _mb(limits.max_docx_uncompressed_bytes)
        return f"解压后{_mb(total)}，超过上限{cap}（zip bomb: limit {cap} uncompressed）"
    for info in entries:
        if info.file_size > MB and info.file_size > max(info.compress_size, 1) * limits.max_zip_ratio:
            ratio = limits.max_zip_ratio
            return f"压缩比异常，超过上限{ratio}倍（zip bomb: compression ratio limit {ratio}）"
    return None


def _check_image(name: str, data: bytes, kind: FileKind, limits: PrereviewLimits) -> IntakeError | None:
    from PIL import Image

    too_big = f"image too large: limit {limits.max_image_pixels / 1e6:g} megapixels"
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only; nothing is decoded
            width, height = image.size
            if image.format not in _IMAGE_FORMATS[kind]:
                return _error(name, 422, "图片文件已损坏，无法读取", "corrupt image")
            if width * height > limits.max_image_pixels:
                return _error(name, 413, f"图片为{width}×{height}像素，超过上限{_mp(limits)}", too_big)
            image.verify()  # chunk checksums for PNG; still no pixel decoding
    except Image.DecompressionBombError:
        return _error(name, 413, f"图片像素数远超上限{_mp(limits)}", too_big)
    except Exception:  # whatever Pillow raises, the file is unreadable
        return _error(name, 422, "图片文件已损坏，无法读取", "corrupt image")
    return None


def _check_pdf(name: str, data: bytes, limits: PrereviewLimits) -> IntakeError | None:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    try:
        with pdf_guard(limits):
            reader = PdfReader(io.BytesIO(data))
            if not unlock_pdf(reader):
                return _error(name, 422, "：" + ENCRYPTED_MESSAGE, "encrypted PDF; only unencrypted files")
            pages = len(reader.pages)
            if pages == 0:
                raise ValueError("no pages")
            if pages > limits.max_pdf_pages:
                return _error(
                    name,
                    413,
                    f"共{pages}页，超过上限{limits.max_pdf_pages}页，请拆分后上传",
                    f"too many pages: limit {limits.max_pdf_pages}",
                )
            for number, page in enumerate(reader.pages, start=1):
                problem = pdf_page_problem(page, limits)
                if problem:
                    return _error(name, 413, f"第{number}页{problem}", "")
    except LimitReachedError:
        cap = _mb(limits.max_pdf_stream_bytes)
        return _error(name, 413, f"解压后内容超过上限{cap}", f"decompression bomb: limit {cap} per stream")
    except Exception:  # pypdf raises many kinds on broken files
        return _error(name, 422, "PDF文件已损坏，无法读取，请重新导出或扫描", "corrupt PDF")
    return None


def _check_docx(name: str, data: bytes, limits: PrereviewLimits) -> IntakeError | None:
    invalid = ("不是有效的Word文档（DOCX），请用Word重新保存后上传", "invalid DOCX package")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            bomb = zip_bomb_reason(zf, limits)
        if bomb:
            return _error(name, 413, bomb, "")
        import docx

        docx.Document(io.BytesIO(data))
    except Exception:  # any failure to open the package means it is not a valid DOCX
        return _error(name, 422, *invalid)
    return None


def _error(name: str, status: int, problem: str, english: str) -> IntakeError:
    suffix = f"（{name}: {english}）" if english else ""
    return IntakeError(f"文件「{name}」{problem}{suffix}", file_name=name, status=status)


def _content_streams(page: Any) -> list[Any]:
    contents = page.get("/Contents")
    if contents is None:
        return []
    contents = contents.get_object()
    items = contents if isinstance(contents, list) else [contents]
    return [item.get_object() for item in items]


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB" if size % MB else f"{size // MB} MB"


def _mp(limits: PrereviewLimits) -> str:
    return f"{limits.max_image_pixels / 10_000:g}万像素"
