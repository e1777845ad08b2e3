"""Text extraction from accepted uploads: PDF text layer or rendered-page OCR, image OCR, DOCX blocks.

Never raises for a file that passed intake: what goes wrong becomes a warning on the result.
"""

from __future__ import annotations

import io
import logging
import threading
import time
import zipfile
from collections.abc import Iterator
from typing import Any

from PIL import Image, ImageOps

from assistant.prereview.intake import pdf_guard, pdf_page_problem, sniff, unlock_pdf, zip_bomb_reason
from assistant.prereview.limits import PrereviewLimits
from assistant.prereview.models import ExtractedFile, OcrLine, PageText, StoredUpload
from assistant.prereview.ocr import TextReader, to_rgb

log = logging.getLogger(__name__)

#: PDFium is not thread-safe: every pypdfium2 call in this process goes through this lock.
PDFIUM_LOCK = threading.Lock()
_DRAFT_SIDE = 2000  # JPEGs are decoded at reduced scale down to about this long side


def extract(upload: StoredUpload, limits: PrereviewLimits, ocr: TextReader) -> ExtractedFile:
    """All text of one stored upload, page by page, with warnings for whatever could not be read."""
    started = time.perf_counter()
    result = ExtractedFile(upload=upload)
    try:
        if upload.kind == "pdf":
            _extract_pdf(result, limits, ocr)
        elif upload.kind == "docx":
            _extract_docx(result, limits, ocr)
        else:
            _extract_image(result, limits, ocr)
    except Exception as exc:  # a bad file must never take the request down
        log.warning("prereview extraction failed for %s: %s", upload.file_id, exc)
        result.warnings.append(f"读取文件时出错，未能提取文字（{type(exc).__name__}）")
    result.seconds = time.perf_counter() - started
    return result


def _extract_image(result: ExtractedFile, limits: PrereviewLimits, ocr: TextReader) -> None:
    started = time.perf_counter()
    with Image.open(result.upload.path) as image:
        width, height = image.size
        if width * height > limits.max_image_pixels:
            result.warnings.append(f"图片为{width}×{height}像素，超过上限，未识别")
            return
        if image.format in ("JPEG", "MPO") and max(width, height) > _DRAFT_SIDE:
            factor = _DRAFT_SIDE / max(width, height)
            image.draft("RGB", (round(width * factor), round(height * factor)))
        image.load()
        upright = _upright(image)
        page = _ocr_page(upright, ocr, decode=time.perf_counter() - started)
    if not page.text.strip():
        result.warnings.append("图片中未识别出文字（可能过暗、模糊、反光或不是文字材料）")
    result.pages.append(page)


def _upright(image: Image.Image) -> Image.Image:
    """``image`` turned as its EXIF orientation says (a broken EXIF block is ignored), as RGB."""
    try:
        turned = ImageOps.exif_transpose(image)
    except Exception:  # malformed EXIF: read the pixels as they are
        turned = image
    return to_rgb(turned if turned is not None else image)


def _ocr_page(image: Image.Image, ocr: TextReader, decode: float = 0.0) -> PageText:
    """OCR of one decoded page; ``decode`` is the time it took to get ``image`` (file decode, render)."""
    read = ocr.recognise(image)
    stages = {"decode": decode, **read.stage_seconds}
    return PageText(
        text=read.text,
        source="ocr",
        lines=read.lines,
        rotation=read.rotation,
        seconds=read.seconds + decode,
        stage_seconds=stages,
    )


def _extract_pdf(result: ExtractedFile, limits: PrereviewLimits, ocr: TextReader) -> None:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    data = result.upload.path.read_bytes()
    with pdf_guard(limits), _Renderer(data, limits.pdf_render_long_side) as renderer:
        reader = PdfReader(io.BytesIO(data))
        if not unlock_pdf(reader):
            result.warnings.append("PDF已加密，无法读取")
            return
        total = len(reader.pages)
        if total > limits.max_pdf_pages:
            result.warnings.append(f"共{total}页，只读取了前{limits.max_pdf_pages}页")
        for index in range(min(total, limits.max_pdf_pages)):
            started = time.perf_counter()
            number = index + 1
            page = reader.pages[index]
            problem = pdf_page_problem(page, limits)
            text = ""
            if problem is None:
                try:
                    text = page.extract_text() or ""
                except LimitReachedError:
                    problem = "解压后内容超过上限"
                except Exception as exc:
                    result.warnings.append(f"第{number}页文字层读取失败（{type(exc).__name__}），改用OCR")
            if problem is not None:
                result.warnings.append(f"第{number}页{problem}，已跳过")
                result.pages.append(PageText(text="", source="text_layer"))
                continue
            if len(text) > limits.max_page_text_chars:
                text = text[: limits.max_page_text_chars]
                result.warnings.append(f"第{number}页文字过多，只保留前{limits.max_page_text_chars}字")
            if _visible(text) >= limits.min_text_layer_chars:
                seconds = time.perf_counter() - started
                result.pages.append(PageText(text=text.strip(), source="text_layer", seconds=seconds))
                continue
            rendering = time.perf_counter()
            image = renderer.render(index)
            if image is None:
                result.warnings.append(f"第{number}页无法渲染，未能识别")
                result.pages.append(PageText(text=text.strip(), source="text_layer"))
                continue
            page_text = _ocr_page(image, ocr, decode=time.perf_counter() - rendering)
            page_text.seconds = time.perf_counter() - started
            if not page_text.text.strip():
                page_text.text = text.strip()
                result.warnings.append(f"第{number}页未识别出文字")
            result.pages.append(page_text)


class _Renderer:
    """Renders PDF pages with PDFium, opening the document only when a page needs OCR."""

    def __init__(self, data: bytes, long_side: int) -> None:
        self.data = data
        self.long_side = long_side
        self._pdf: Any = None
        self._failed = False

    def __enter__(self) -> _Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pdf is not None:
            with PDFIUM_LOCK:
                self._pdf.close()
            self._pdf = None

    def render(self, index: int) -> Image.Image | None:
        """Page ``index`` as an RGB image about ``long_side`` pixels on its long side, or None."""
        if self._failed:
            return None
        import pypdfium2

        with PDFIUM_LOCK:
            try:
                if self._pdf is None:
                    self._pdf = pypdfium2.PdfDocument(self.data)
                page = self._pdf[index]
                try:
                    width, height = page.get_size()
                    if min(width, height) <= 0:
                        return None
                    scale = min(max(self.long_side / max(width, height), 0.05), 10.0)
                    bitmap = page.render(scale=scale)
                    try:
                        image: Image.Image = bitmap.to_pil().convert("RGB")  # a copy: buffer freed below
                        return image
                    finally:
                        bitmap.close()
                finally:
                    page.close()
            except Exception as exc:
                log.warning("prereview could not render PDF page %d: %s", index + 1, exc)
                self._failed = self._pdf is None
                return None


def _extract_docx(result: ExtractedFile, limits: PrereviewLimits, ocr: TextReader) -> None:
    import docx

    data = result.upload.path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        bomb = zip_bomb_reason(zf, limits)
    if bomb:
        result.warnings.append(f"文档{bomb}，未读取")
        return
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for block in document.iter_inner_content():
        lines.extend(_block_lines(block))
    text = "\n".join(lines)
    if len(text) > limits.max_docx_text_chars:
        text = text[: limits.max_docx_text_chars]
        result.warnings.append(f"文档文字过多，只保留前{limits.max_docx_text_chars}字")
    result.pages.append(PageText(text=text, source="docx", lines=[OcrLine(text=line) for line in lines]))
    if _visible(text) < limits.min_text_layer_chars:
        _ocr_docx_pictures(document, result, limits, ocr)


def _block_lines(block: Any, depth: int = 0) -> Iterator[str]:
    """A paragraph's text, or one line per table row (cells joined by spaces, merged cells once)."""
    from docx.table import Table

    if not isinstance(block, Table):
        if text := block.text.strip():
            yield text
        return
    for row in block.rows:
        seen: set[int] = set()
        cells: list[str] = []
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell appears once per grid column it spans
                continue
            seen.add(id(cell._tc))
            parts = [
                line
                for inner in cell.iter_inner_content()
                if depth < 3 or not isinstance(inner, Table)
                for line in _block_lines(inner, depth + 1)
            ]
            if parts:
                cells.append(" ".join(parts))
        if cells:
            yield " ".join(cells)


def _ocr_docx_pictures(
    document: Any, result: ExtractedFile, limits: PrereviewLimits, ocr: TextReader
) -> None:
    """OCR the pictures of a DOCX that has (almost) no text, e.g. a scan pasted into Word."""
    from docx.oxml.ns import qn

    seen: set[str] = set()
    for blip in document.element.body.iter(qn("a:blip")):
        rel_id = blip.get(qn("r:embed"))
        if not rel_id or rel_id in seen or len(seen) >= limits.max_docx_images:
            continue
        seen.add(rel_id)
        part = document.part.related_parts.get(rel_id)
        blob = getattr(part, "blob", b"")
        if sniff(blob[:16]) not in ("jpeg", "png"):  # e.g. EMF/WMF drawings are skipped
            continue
        try:
            started = time.perf_counter()
            with Image.open(io.BytesIO(blob)) as image:
                if image.size[0] * image.size[1] > limits.max_image_pixels:
                    result.warnings.append("文档中的图片像素过大，未识别")
                    continue
                image.load()
                upright = _upright(image)
                result.pages.append(_ocr_page(upright, ocr, decode=time.perf_counter() - started))
        except Exception as exc:
            result.warnings.append(f"文档中的图片无法读取（{type(exc).__name__}）")


def _visible(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())
