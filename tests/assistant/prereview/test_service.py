"""Per-stage times of a pre-review are summed over every page of every file."""

from __future__ import annotations

from pathlib import Path

from assistant.prereview.models import ExtractedFile, PageText, StoredUpload
from assistant.prereview.service import page_stage_ms


def extracted(*pages: PageText) -> ExtractedFile:
    upload = StoredUpload(file_id="f", display_name="f.png", kind="png", size=1, path=Path("f.png"))
    return ExtractedFile(upload=upload, pages=list(pages))


def test_page_stages_are_summed_and_preparation_counts_as_decoding() -> None:
    first = PageText(
        "a", "ocr", stage_seconds={"decode": 0.010, "prepare": 0.002, "detect": 0.2, "recognise": 0.5}
    )
    second = PageText(
        "b", "ocr", stage_seconds={"decode": 0.020, "detect": 0.3, "orient": 0.01, "recognise": 0.7}
    )
    text_layer = PageText("c", "text_layer")
    totals = page_stage_ms([extracted(first, text_layer), extracted(second)])
    assert totals == {"decode_ms": 32.0, "detect_ms": 500.0, "recognise_ms": 1200.0, "orient_ms": 10.0}


def test_no_ocr_no_stage_times() -> None:
    assert page_stage_ms([extracted(PageText("c", "docx"))]) == {}
