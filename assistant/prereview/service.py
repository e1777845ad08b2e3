"""智能预审 end to end: accept uploads, store them (deleted after the retention period), read them,
recognise each material, check them against the service's checklist, and report (advisory only)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.guide.service import GuideService
from assistant.prereview.checks import check_materials
from assistant.prereview.classify import classify
from assistant.prereview.db_storage import DatabaseUploadStore
from assistant.prereview.extract import extract
from assistant.prereview.fields import extract_fields
from assistant.prereview.intake import accept
from assistant.prereview.limits import PrereviewLimits
from assistant.prereview.models import ExtractedFile, FileResult, IntakeError, PrereviewReport
from assistant.prereview.ocr import OcrEngine, TextReader
from assistant.prereview.report import build_report
from assistant.prereview.storage import UploadStore, new_review_id

logger = logging.getLogger(__name__)


@dataclass
class PrereviewOutcome:
    """The report, and the files that were refused at intake (each with its reason)."""

    report: PrereviewReport
    rejected: list[IntakeError] = field(default_factory=list)


class PrereviewService:
    """Runs a pre-review; the OCR engine loads on first use."""

    def __init__(
        self,
        guides: GuideService,
        store: UploadStore | DatabaseUploadStore,
        limits: PrereviewLimits,
        ocr: TextReader | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.guides = guides
        self.store = store
        self.limits = limits
        self._ocr = ocr
        self.today = today

    @property
    def ocr(self) -> TextReader:
        if self._ocr is None:
            self._ocr = OcrEngine.shared()
        return self._ocr

    def review(
        self,
        guide_id: str,
        answers: dict[str, str],
        files: list[tuple[str, bytes]],
        context: dict[str, Any] | None = None,
    ) -> PrereviewOutcome:
        """Check ``files`` (name, bytes) against the checklist of ``guide_id`` for these 情形 answers.

        Raises ``UnknownGuide`` (unknown id), ``ValueError`` (an answer that is no option),
        ``IntakeError`` for request-level limits (too many files, too many bytes) and ``StorageFull``
        when the upload store is full (nothing of the request is kept then).
        """
        timings: dict[str, float] = {}
        started = time.perf_counter()
        guide = self.guides.get(guide_id)
        checklist = self.guides.checklist(guide_id, answers)
        accepted, rejected = accept(files, self.limits)
        request_level = [e for e in rejected if not e.file_name]
        if request_level:
            raise request_level[0]
        timings["intake_ms"] = _ms(started)

        review_id = new_review_id()
        stage = time.perf_counter()
        uploads = self.store.save_all(review_id, accepted)  # all or none; StorageFull when full
        timings["store_ms"] = _ms(stage)

        stage = time.perf_counter()
        try:
            extracted = [extract(upload, self.limits, self.ocr) for upload in uploads]
        finally:
            self.store.release(review_id)  # working copies, with the uploads kept in the database
        timings["extract_ms"] = _ms(stage)
        timings.update(page_stage_ms(extracted))

        classify_s = fields_s = 0.0
        read = []
        for item in extracted:
            stage = time.perf_counter()
            classification = classify(item)
            middle = time.perf_counter()
            read.append((item, classification, extract_fields(classification.material_type, item)))
            classify_s += middle - stage
            fields_s += time.perf_counter() - middle
        timings["classify_ms"] = round(classify_s * 1000, 1)
        timings["fields_ms"] = round(fields_s * 1000, 1)

        stage = time.perf_counter()
        is_newborn = guide.id == "yjs-newborn"
        materials, cross, assigned = check_materials(
            checklist, read, self.today(), {"newborn": is_newborn, **(context or {})}
        )
        timings["checks_ms"] = _ms(stage)
        file_results = [
            FileResult(
                item.upload.file_id,
                item.upload.display_name,
                classification,
                fields,
                assigned.get(item.upload.file_id),
                list(item.warnings),
            )
            for item, classification, fields in read
        ]
        timings["total_ms"] = _ms(started)
        report = build_report(review_id, guide, checklist, file_results, materials, cross, timings)
        logger.info(
            "pre-review %s of %s: %d files, %d refused, verdict %s in %.0f ms",
            review_id,
            guide.id,
            len(uploads),
            len(rejected),
            report.verdict,
            timings["total_ms"],
        )
        return PrereviewOutcome(report, rejected)

    def delete(self, review_id: str) -> bool:
        """Delete a review's stored files now; False for an unknown id."""
        return self.store.delete_review(review_id)


def page_stage_ms(extracted: list[ExtractedFile]) -> dict[str, float]:
    """Time spent in each page stage (decode, OCR detect / orient / recognise …) over all files, as
    ``<stage>_ms``; OCR's image preparation counts as decoding."""
    totals: dict[str, float] = {}
    for item in extracted:
        for page in item.pages:
            for name, seconds in page.stage_seconds.items():
                key = "decode" if name == "prepare" else name
                totals[key] = totals.get(key, 0.0) + seconds
    return {f"{name}_ms": round(seconds * 1000, 1) for name, seconds in totals.items()}


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
