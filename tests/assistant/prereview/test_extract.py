"""Text extraction: PDF text layer vs scanned page, bombs capped, image modes and EXIF, DOCX order, real OCR."""

from __future__ import annotations

import io
import resource
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from assistant.prereview.extract import extract
from assistant.prereview.limits import PrereviewLimits
from assistant.prereview.models import FileKind, OcrLine, StoredUpload
from assistant.prereview.ocr import OcrEngine, OcrResult
from tests.assistant.prereview.test_intake import deflate_bomb_pdf, image_bytes, text_pdf

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
needs_font = pytest.mark.skipif(not FONT.exists(), reason="fonts-noto-cjk is not installed")
LIMITS = PrereviewLimits()
ID_NUMBER = "110101199003078515"


class FakeReader:
    """Records what it was asked to read and answers with a fixed line."""

    def __init__(self, text: str = "假的识别结果") -> None:
        self.text = text
        self.images: list[Image.Image] = []

    def recognise(self, image: Image.Image) -> OcrResult:
        self.images.append(image)
        return OcrResult(lines=[OcrLine(text=self.text)], rotation=0, seconds=0.01, passes=1)


def stored(tmp_path: Path, data: bytes, kind: FileKind, name: str = "upload") -> StoredUpload:
    path = tmp_path / f"{name}.{kind}"
    path.write_bytes(data)
    return StoredUpload(file_id=name, display_name=f"{name}.{kind}", kind=kind, size=len(data), path=path)


def card_image(lines: list[str], size: tuple[int, int] = (900, 360)) -> Image.Image:
    font = ImageFont.truetype(str(FONT), 34)
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((36, 30 + i * 80), line, fill="black", font=font)
    return image


CARD = ["姓名 张三", "住址 北京市东城区东华门街道", f"公民身份号码 {ID_NUMBER}"]


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    return OcrEngine.shared()


# ---------------------------------------------------------------- PDF


def test_pdf_text_layer_is_used_without_ocr(tmp_path):
    reader = FakeReader()
    data = text_pdf(["Application form", f"Applicant ID {ID_NUMBER}", "Name Zhang San"])
    result = extract(stored(tmp_path, data, "pdf"), LIMITS, reader)
    assert result.warnings == []
    assert [page.source for page in result.pages] == ["text_layer"]
    assert ID_NUMBER in result.text and reader.images == []


def test_pdf_pages_are_capped(tmp_path):
    from tests.assistant.prereview.test_intake import raw_pdf

    pages = [b"BT /F1 12 Tf 72 760 Td (Page %d of the application form text) Tj ET" % i for i in range(3)]
    result = extract(stored(tmp_path, raw_pdf(pages), "pdf"), PrereviewLimits(max_pdf_pages=2), FakeReader())
    assert len(result.pages) == 2 and "Page 1" in result.pages[1].text
    assert any("只读取了前2页" in w for w in result.warnings)


def test_blank_pdf_page_goes_to_ocr(tmp_path):
    from tests.assistant.prereview.test_intake import blank_pdf

    reader = FakeReader()
    result = extract(stored(tmp_path, blank_pdf(), "pdf"), LIMITS, reader)
    assert [page.source for page in result.pages] == ["ocr"]
    assert len(reader.images) == 1 and max(reader.images[0].size) == LIMITS.pdf_render_long_side


def test_deflate_bomb_pdf_is_capped_not_inflated(tmp_path):
    reader = FakeReader()
    upload = stored(tmp_path, deflate_bomb_pdf(256), "pdf")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    result = extract(upload, LIMITS, reader)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 120, f"peak memory grew by {grown_mb:.0f} MB"
    assert any("第1页" in w and "10 MB" in w for w in result.warnings)
    assert reader.images == []  # a bomb page is skipped, never rendered


def test_corrupt_file_gives_warnings_not_exceptions(tmp_path):
    cases: list[tuple[FileKind, bytes]] = [
        ("pdf", b"%PDF-1.4 garbage"),
        ("png", b"\x89PNG\r\n\x1a\nbroken"),
        ("docx", b"PK\x03\x04x"),
    ]
    for kind, data in cases:
        result = extract(stored(tmp_path, data, kind, f"bad-{kind}"), LIMITS, FakeReader())
        assert result.pages == [] and result.warnings, kind


@needs_font
def test_scanned_pdf_page_is_rendered_and_ocrd(tmp_path, engine):
    buffer = io.BytesIO()
    card_image(CARD, size=(1240, 877)).save(buffer, "PDF", resolution=150)
    started = time.perf_counter()
    result = extract(stored(tmp_path, buffer.getvalue(), "pdf"), LIMITS, engine)
    elapsed = time.perf_counter() - started
    assert [page.source for page in result.pages] == ["ocr"]
    assert ID_NUMBER in result.text.replace(" ", "")
    assert result.pages[0].lines and result.pages[0].seconds > 0
    print(f"scanned PDF page: render + OCR {elapsed:.2f} s")


# ---------------------------------------------------------------- images


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [("CMYK", "JPEG"), ("P", "PNG"), ("RGBA", "PNG"), ("LA", "PNG"), ("L", "JPEG"), ("I;16", "PNG")],
)
def test_image_modes_reach_ocr_as_rgb(tmp_path, mode, fmt):
    reader = FakeReader()
    kind: FileKind = "jpeg" if fmt == "JPEG" else "png"
    result = extract(stored(tmp_path, image_bytes(fmt, (64, 48), mode), kind), LIMITS, reader)
    assert result.warnings == [] and result.pages[0].source == "ocr"
    assert reader.images[0].mode == "RGB" and reader.images[0].size == (64, 48)


def test_transparent_background_becomes_white(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(buffer, "PNG")
    reader = FakeReader()
    extract(stored(tmp_path, buffer.getvalue(), "png"), LIMITS, reader)
    assert reader.images[0].getpixel((5, 5)) == (255, 255, 255)


def test_exif_orientation_is_applied(tmp_path):
    image = Image.new("RGB", (80, 40), "white")
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    reader = FakeReader()
    extract(stored(tmp_path, buffer.getvalue(), "jpeg"), LIMITS, reader)
    assert reader.images[0].size == (40, 80)


def test_image_without_text_warns(tmp_path):
    reader = FakeReader(text="")
    result = extract(stored(tmp_path, image_bytes("PNG"), "png"), LIMITS, reader)
    assert any("未识别出文字" in w for w in result.warnings)


@needs_font
@pytest.mark.parametrize(("turn", "expected_rotation"), [(0, 0), (90, 270), (180, 180)])
def test_ocr_reads_an_id_number_in_any_orientation(tmp_path, engine, turn, expected_rotation):
    buffer = io.BytesIO()
    card_image(CARD).rotate(turn, expand=True).save(buffer, "PNG")
    result = extract(stored(tmp_path, buffer.getvalue(), "png", f"card{turn}"), LIMITS, engine)
    page = result.pages[0]
    assert ID_NUMBER in page.text.replace(" ", "")
    assert page.rotation == expected_rotation
    assert page.text.index("姓名") < page.text.index(ID_NUMBER)  # upright reading order
    print(f"OCR of a {turn}° card: {page.seconds:.2f} s")


# ---------------------------------------------------------------- DOCX


def _docx(build) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_tables_in_document_order(tmp_path):
    def build(document):
        document.add_paragraph("居民户口登记申请表")
        table = document.add_table(rows=2, cols=3)
        table.cell(0, 0).text, table.cell(0, 1).text, table.cell(0, 2).text = "姓名", "张三", "性别"
        table.cell(1, 0).text = "地址"
        merged = table.cell(1, 1).merge(table.cell(1, 2))
        merged.text = "北京市东城区"
        document.add_paragraph("")
        document.add_paragraph("申请人签字：")

    reader = FakeReader()
    result = extract(stored(tmp_path, _docx(build), "docx"), LIMITS, reader)
    assert result.warnings == [] and reader.images == []
    page = result.pages[0]
    assert page.source == "docx"
    assert [line.text for line in page.lines] == [
        "居民户口登记申请表",
        "姓名 张三 性别",
        "地址 北京市东城区",
        "申请人签字：",
    ]


def test_docx_with_only_a_pasted_scan_is_ocrd(tmp_path):
    picture = io.BytesIO(image_bytes("PNG", (120, 80)))

    def build(document):
        document.add_picture(picture)

    reader = FakeReader(text=f"公民身份号码{ID_NUMBER}")
    result = extract(stored(tmp_path, _docx(build), "docx"), LIMITS, reader)
    assert [page.source for page in result.pages] == ["docx", "ocr"]
    assert ID_NUMBER in result.text and reader.images[0].size == (120, 80)


def test_pdf_page_with_an_image_bomb_is_skipped(tmp_path):
    from tests.assistant.prereview.test_intake import raw_pdf

    reader = FakeReader()
    data = raw_pdf([b"q 595 0 0 842 0 0 cm /Im1 Do Q"], image=(60_000, 60_000))
    result = extract(stored(tmp_path, data, "pdf"), LIMITS, reader)
    assert reader.images == [] and any("60000×60000" in w for w in result.warnings)
