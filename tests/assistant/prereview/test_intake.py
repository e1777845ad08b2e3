"""Upload intake: magic-byte sniffing, safe names, limits, and every bad input from the pre-review issue."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import pytest
from PIL import Image
from pypdf import PdfWriter

from assistant.prereview.intake import ENCRYPTED_MESSAGE, accept, safe_display_name, sniff
from assistant.prereview.limits import MB, PrereviewLimits

LIMITS = PrereviewLimits()


# ---------------------------------------------------------------- builders (also used by test_extract)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white").save(buffer, fmt)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG that *declares* width × height; nothing that size is ever allocated."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def blank_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def raw_pdf(contents: list[bytes], *, flate: bool = False, image: tuple[int, int] | None = None) -> bytes:
    """A hand-built PDF, one page per content stream (Helvetica as /F1, optionally an image /Im1 of that size)."""
    count = len(contents)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count)), count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    xobject = b""
    if image:  # declared size only: the (tiny) stream never holds that many pixels
        pixels = zlib.compress(bytes(64))
        xobject = b" /XObject << /Im1 %d 0 R >>" % (4 + 2 * count)
    for i, content in enumerate(contents):
        filters = b" /Filter /FlateDecode" if flate else b""
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >>%s >> "
            b"/Contents %d 0 R >>" % (xobject, 5 + 2 * i)
        )
        objects.append(b"<< /Length %d%s >>\nstream\n" % (len(content), filters) + content + b"\nendstream")
    if image:
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
            b"/Filter /FlateDecode /Length %d >>\nstream\n" % (*image, len(pixels)) + pixels + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def text_pdf(lines: list[str]) -> bytes:
    content = b"BT /F1 12 Tf 72 760 Td " + b" ".join(b"(%s) Tj 0 -16 Td" % s.encode() for s in lines) + b" ET"
    return raw_pdf([content])


def deflate_bomb_pdf(inflated_mb: int = 128) -> bytes:
    """One page whose content stream is ~130 KB on disk and inflates to ``inflated_mb`` MB of spaces."""
    compressor = zlib.compressobj(9)
    chunk = b" " * MB
    stream = b"".join(compressor.compress(chunk) for _ in range(inflated_mb)) + compressor.flush()
    return raw_pdf([stream], flate=True)


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("申请人：张三")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes | int]) -> bytes:
    """A ZIP; an int value is that many zero bytes, streamed so the test never holds them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, value in entries.items():
            if isinstance(value, int):
                with zf.open(name, "w", force_zip64=True) as handle:
                    for _ in range(value // MB):
                        handle.write(bytes(MB))
            else:
                zf.writestr(name, value)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb_pdf() -> bytes:
    return deflate_bomb_pdf()


def one(name: str, data: bytes, limits: PrereviewLimits = LIMITS):
    accepted, errors = accept([(name, data)], limits)
    return accepted, errors


def refused(name: str, data: bytes, status: int, limits: PrereviewLimits = LIMITS) -> str:
    accepted, errors = one(name, data, limits)
    assert accepted == []
    assert len(errors) == 1
    error = errors[0]
    assert error.status == status, str(error)
    assert error.file_name == safe_display_name(name)
    assert f"「{safe_display_name(name)}」" in str(error)
    return str(error)


# ---------------------------------------------------------------- sniffing


def test_sniff_by_magic_bytes_only():
    assert sniff(image_bytes("JPEG")) == "jpeg"
    assert sniff(image_bytes("PNG")) == "png"
    assert sniff(blank_pdf()) == "pdf"
    assert sniff(b"\xef\xbb\xbf junk before the header %PDF-1.7\n...") == "pdf"
    assert sniff(b" " * 1100 + b"%PDF-1.7") is None  # header must be within the first 1024 bytes
    assert sniff(docx_bytes()) == "docx"
    assert sniff(zip_bytes({"a.txt": b"hello"})) is None  # a ZIP that is not a Word document
    assert sniff(b"GIF89a....") is None
    assert sniff(b"<html>not a pdf</html>") is None
    assert sniff(b"PK\x03\x04 truncated zip") is None


def test_type_comes_from_content_not_extension():
    accepted, errors = accept([("scan.pdf", image_bytes("PNG")), ("photo.png", blank_pdf())], LIMITS)
    assert errors == []
    assert [(name, kind) for name, _, kind in accepted] == [("scan.pdf", "png"), ("photo.png", "pdf")]


@pytest.mark.parametrize("data", [b"MZ\x90\x00 an executable", b"<html>hi</html>", b"GIF89a\x01\x00"])
def test_unsupported_type_whatever_the_extension(data):
    message = refused("身份证.pdf", data, 415)
    assert "JPEG、PNG、PDF、DOCX" in message and "unsupported type" in message


# ---------------------------------------------------------------- sizes and counts


def test_empty_file():
    message = refused("empty.jpg", b"", 422)
    assert "空文件" in message and "10 MB" in message


def test_oversized_file_is_refused_and_the_others_still_accepted():
    big = b"%PDF-1.4\n" + bytes(10 * MB)
    accepted, errors = accept([("big.pdf", big), ("ok.png", image_bytes())], LIMITS)
    assert [name for name, _, _ in accepted] == ["ok.png"]
    assert len(errors) == 1 and errors[0].status == 413
    assert "「big.pdf」" in str(errors[0]) and "10 MB" in str(errors[0])


def test_too_many_files_is_one_request_error():
    files = [(f"f{i}.png", image_bytes()) for i in range(21)]
    accepted, errors = accept(files, LIMITS)
    assert accepted == []
    assert len(errors) == 1 and errors[0].status == 413
    assert "20" in str(errors[0]) and "21" in str(errors[0])
    assert len(accept(files[:20], LIMITS)[0]) == 20


def test_request_total_size_limit():
    limits = PrereviewLimits(max_request_bytes=2 * MB, max_file_bytes=MB)
    files = [(f"f{i}.pdf", b"%PDF-1.4\n" + bytes(MB - 100)) for i in range(3)]
    accepted, errors = accept(files, limits)
    assert accepted == [] and len(errors) == 1
    assert errors[0].status == 413 and "2 MB" in str(errors[0])


# ---------------------------------------------------------------- images


def test_huge_pixel_png_header_bomb():
    data = png_header(50_000, 50_000)
    assert len(data) < 200
    message = refused("bomb.png", data, 413)
    assert "4000万像素" in message and "40 megapixels" in message


def test_image_just_over_the_pixel_limit_names_its_size():
    message = refused("large.png", png_header(7000, 7000), 413)
    assert "7000×7000" in message and "4000万像素" in message


def test_corrupt_png():
    data = bytearray(image_bytes("PNG"))
    data[40:60] = bytes(20)  # break a chunk checksum
    assert "已损坏" in refused("broken.png", bytes(data), 422)


def test_jpeg_and_cmyk_accepted():
    accepted, errors = accept(
        [("a.jpg", image_bytes("JPEG")), ("c.jpg", image_bytes("JPEG", mode="CMYK"))], LIMITS
    )
    assert errors == [] and [kind for _, _, kind in accepted] == ["jpeg", "jpeg"]


# ---------------------------------------------------------------- PDF


def test_encrypted_pdf():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    message = refused("locked.pdf", buffer.getvalue(), 422)
    assert ENCRYPTED_MESSAGE in message


def test_pdf_with_only_an_owner_password_is_readable():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    accepted, errors = one("permissions.pdf", buffer.getvalue())
    assert errors == [] and accepted[0][2] == "pdf"


@pytest.mark.parametrize("data", [b"%PDF-1.7\n" + os.urandom(2000), b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"])
def test_corrupt_pdf(data):
    message = refused("broken.pdf", data, 422)
    assert "损坏" in message and "corrupt PDF" in message


def test_too_many_pdf_pages():
    message = refused("long.pdf", blank_pdf(31), 413)
    assert "31" in message and "30页" in message
    assert one("ok.pdf", blank_pdf(30))[1] == []


def test_deflate_bomb_pdf_is_refused(bomb_pdf):
    assert len(bomb_pdf) < 400_000
    message = refused("bomb.pdf", bomb_pdf, 413)
    assert "10 MB" in message and "decompression bomb" in message


def test_pdf_with_a_huge_image_is_refused():
    draw = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    message = refused("scan.pdf", raw_pdf([draw], image=(60_000, 60_000)), 413)
    assert "60000×60000" in message and "4000万像素" in message
    assert one("small.pdf", raw_pdf([draw], image=(2000, 3000)))[1] == []


# ---------------------------------------------------------------- DOCX


def test_docx_zip_bomb_by_total_size():
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": 120 * MB})
    assert len(data) < 1 * MB
    message = refused("bomb.docx", data, 413)
    assert "100 MB" in message and "zip bomb" in message


def test_docx_zip_bomb_by_ratio():
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": 8 * MB})
    message = refused("ratio.docx", data, 413)
    assert "100倍" in message


def test_zip_that_is_not_a_docx():
    assert "unsupported type" in refused("fake.docx", zip_bytes({"readme.txt": b"hello"}), 415)


def test_docx_with_broken_parts_is_invalid():
    data = zip_bytes({"[Content_Types].xml": b"<Types", "word/document.xml": b"<not xml"})
    assert "不是有效的Word文档" in refused("broken.docx", data, 422)


def test_valid_docx_accepted():
    accepted, errors = one("申请表.docx", docx_bytes())
    assert errors == [] and accepted[0][2] == "docx"


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\证件.png", "证件.png"),
        ("C:\\Users\\张三\\Desktop\\身份证.jpg", "身份证.jpg"),
        ("a\x00b\x1b[31m.png", "ab[31m.png"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),  # right-to-left override removed
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        ("line\nbreak.pdf", "linebreak.pdf"),
        ("..", "file"),
        ("", "file"),
        ("/", "file"),
        ("...hidden.png", "hidden.png"),
    ],
)
def test_safe_display_name(raw, expected):
    assert safe_display_name(raw) == expected


def test_long_names_are_shortened_keeping_the_extension():
    name = safe_display_name("很长" * 200 + ".pdf")
    assert len(name) <= 100 and name.endswith(".pdf")


def test_errors_use_the_safe_name():
    _, errors = accept([("../../x\x07.pdf", b"")], LIMITS)
    assert errors[0].file_name == "x.pdf" and "../" not in str(errors[0])
