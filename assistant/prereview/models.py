"""Data passed between the pre-review (智能预审) stages: intake → text → type → fields → checks → report.

Pre-review is advisory: it never rejects an application; the official review is human.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

FileKind = Literal["jpeg", "png", "pdf", "docx"]

#: The material types files are classified into ("unrecognised" when none fits).
MATERIAL_TYPES: dict[str, str] = {
    "id_card_front": "居民身份证（人像面）",
    "id_card_back": "居民身份证（国徽面）",
    "hukou_booklet": "居民户口簿",
    "marriage_certificate": "结婚证",
    "birth_certificate": "出生医学证明",
    "business_license": "营业执照",
    "social_security_card": "社会保障卡",
    "property_certificate": "不动产权证书",
    "application_form": "申请表",
    "power_of_attorney": "授权委托书",
    "unrecognised": "无法识别",
}
MaterialType = str  # one of MATERIAL_TYPES

Status = Literal["provided", "missing", "suspect", "unreadable"]
STATUS_LABELS: dict[str, str] = {
    "provided": "已提供",
    "missing": "缺少",
    "suspect": "疑似有误",
    "unreadable": "无法识别",
}


class IntakeError(ValueError):
    """A file (or request) the pre-review cannot take; ``file_name`` and ``limit`` name what and why."""

    def __init__(self, message: str, *, file_name: str = "", status: int = 422) -> None:
        super().__init__(message)
        self.file_name = file_name
        self.status = status


@dataclass(frozen=True)
class StoredUpload:
    """An accepted file, stored under a server-generated name."""

    file_id: str
    display_name: str  # the client's file name, sanitised (no path, no control characters)
    kind: FileKind
    size: int
    path: Path


@dataclass(frozen=True)
class OcrLine:
    text: str
    box: tuple[tuple[float, float], ...] = ()  # corner points, image pixels
    score: float = 1.0


@dataclass
class PageText:
    """The text of one page or image, and how it was obtained."""

    text: str
    source: Literal["text_layer", "ocr", "docx"]
    lines: list[OcrLine] = field(default_factory=list)
    rotation: int = 0  # degrees the image was turned before OCR succeeded
    seconds: float = 0.0  # time spent reading this page (text layer, or render + OCR)
    stage_seconds: dict[str, float] = field(default_factory=dict)  # decode, and OCR's stages


@dataclass
class ExtractedFile:
    """All text of one upload (pages in order) plus anything that went wrong reading it."""

    upload: StoredUpload
    pages: list[PageText] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)


@dataclass(frozen=True)
class Classification:
    material_type: MaterialType
    confidence: float  # 0–1
    cues: tuple[str, ...] = ()  # the words or layout cues that decided it


@dataclass
class Fields:
    """Values read from one material; dates are ISO strings (or "长期"), numbers as printed."""

    names: dict[str, str] = field(default_factory=dict)  # role → name: holder, child, father, mother …
    id_numbers: dict[str, str] = field(default_factory=dict)  # role → 18-character ID number
    credit_code: str = ""  # 统一社会信用代码
    dates: dict[str, str] = field(default_factory=dict)  # birth, issue, valid_from, valid_until, registered …
    address: str = ""
    registration_number: str = ""
    other: dict[str, str] = field(default_factory=dict)


@dataclass
class Problem:
    """Something that looks wrong, in plain words, with what to do about it."""

    code: str  # e.g. id_check_digit, id_expired, name_mismatch, missing_page, credit_code_check
    message: str
    advice: str
    file_ids: tuple[str, ...] = ()


@dataclass
class MaterialResult:
    """One checklist material: its status, the files that provide it, and why."""

    material_id: str
    material_name: str
    status: Status
    file_ids: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    note: str = ""  # e.g. signature or seal: "请人工核对"


@dataclass
class FileResult:
    file_id: str
    display_name: str
    classification: Classification
    fields: Fields
    matched_material: str | None = None  # material id, None when it matched nothing
    warnings: list[str] = field(default_factory=list)


@dataclass
class PrereviewReport:
    """The advisory result for a set of uploads against a service's checklist."""

    review_id: str
    guide_id: str
    guide_name: str
    verdict: Literal["ready", "needs_fixes"]  # 可以提交 / 需补正
    materials: list[MaterialResult] = field(default_factory=list)
    files: list[FileResult] = field(default_factory=list)
    unmatched_files: list[str] = field(default_factory=list)
    cross_checks: list[Problem] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)  # per stage
