"""Limits that protect pre-review (智能预审) from oversized, malicious or merely huge uploads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

MB = 1024 * 1024


@dataclass(frozen=True)
class PrereviewLimits:
    """Upload and extraction limits; the defaults are the ones the pre-review issue names."""

    max_file_bytes: int = 10 * MB
    max_request_bytes: int = 50 * MB
    max_files: int = 20
    max_image_pixels: int = 40_000_000  # 40 megapixels, checked from the header before decoding
    max_pdf_pages: int = 30
    retention_hours: float = 24.0
    max_store_bytes: int = 0  # the upload folder's cap (0: none but the disk's size)
    # Decompression guards.
    max_pdf_stream_bytes: int = 10 * MB  # one decoded PDF stream (content, form); more is a bomb
    max_page_text_chars: int = 20_000  # text kept from one PDF page's text layer
    max_docx_uncompressed_bytes: int = 100 * MB  # sum of declared sizes of all ZIP entries
    max_zip_ratio: int = 100  # uncompressed / compressed, for entries over 1 MB
    max_zip_entries: int = 2_000
    max_docx_text_chars: int = 200_000
    # Extraction.
    min_text_layer_chars: int = 20  # a PDF page with fewer non-blank characters is OCR'd
    pdf_render_long_side: int = 1600  # pixels, for OCR of scanned PDF pages
    max_docx_images: int = 10  # embedded pictures OCR'd when a DOCX has (almost) no text

    @property
    def retention(self) -> timedelta:
        return timedelta(hours=self.retention_hours)
