"""Verdicts, JSON and the chat rendering of a pre-review report; no personal number leaves unmasked."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from assistant.guide.checklist import build_checklist
from assistant.guide.models import ServiceGuide
from assistant.prereview.checks import check_materials
from assistant.prereview.classify import classify
from assistant.prereview.fields import extract_fields
from assistant.prereview.models import FileResult, PrereviewReport
from assistant.prereview.report import (
    ADVISORY,
    build_report,
    mask_id_number,
    mask_text,
    render_report_text,
    report_to_dict,
)
from tests.assistant.prereview.test_checks import make_guide
from tests.assistant.prereview.test_classify import (
    FATHER,
    FATHER_ID,
    MOTHER_ID,
    application_form,
    id_back,
    id_front,
    make_file,
)

TODAY = date(2024, 6, 1)
WRONG_ID = FATHER_ID[:-1] + ("1" if FATHER_ID[-1] != "1" else "2")
RAW_NUMBER = re.compile(r"\d{17}[\dXx]|\d{15}|1[3-9]\d{9}")
MATERIALS: list[dict[str, Any]] = [
    {"id": "form", "name": "参保登记表", "form": "form"},
    {"id": "id", "name": "居民身份证", "e_license": True},
    {"id": "extra", "name": "补充说明材料", "deferrable": True},
]


def review(guide: ServiceGuide, files: list[list[str]]) -> PrereviewReport:
    checklist = build_checklist(guide, {})
    inputs, names = [], {}
    for index, lines in enumerate(files):
        name = f"{FATHER_ID}_{index}.jpg"  # people name files after their ID number
        extracted = make_file(lines, f"f{index}", name)
        classification = classify(extracted)
        inputs.append((extracted, classification, extract_fields(classification.material_type, extracted)))
        names[f"f{index}"] = name
    materials, cross, mapping = check_materials(checklist, inputs, TODAY, {})
    results = [
        FileResult(e.upload.file_id, names[e.upload.file_id], c, f, mapping[e.upload.file_id])
        for e, c, f in inputs
    ]
    return build_report("r-1", guide, checklist, results, materials, cross, {"classify": 1.5, "checks": 0.7})


@pytest.fixture
def guide() -> ServiceGuide:
    return make_guide(MATERIALS, name="社会保障卡申领")


def test_ready_when_required_materials_are_fine_and_deferrable_is_missing(guide: ServiceGuide) -> None:
    report = review(guide, [application_form(), id_front(), id_back()])
    assert report.verdict == "ready"
    statuses = {m.material_id: m.status for m in report.materials}
    assert statuses == {"form": "provided", "id": "provided", "extra": "missing"}
    assert report.timings_ms == {"classify": 1.5, "checks": 0.7}
    text = render_report_text(report)
    assert text.splitlines()[0].startswith("【社会保障卡申领】材料预审结果：可以提交")
    assert "容缺" in text


def test_missing_required_material_blocks(guide: ServiceGuide) -> None:
    report = review(guide, [application_form()])
    assert report.verdict == "needs_fixes"
    text = render_report_text(report)
    assert text.splitlines()[0].endswith("需补正（共3项材料：1项已提供，2项缺少）")
    assert "2. 居民身份证：缺少" in text and "电子证照" in text


def test_suspect_material_blocks(guide: ServiceGuide) -> None:
    report = review(guide, [application_form(), id_front(FATHER, WRONG_ID), id_back()])
    assert report.verdict == "needs_fixes"
    assert {m.material_id: m.status for m in report.materials}["id"] == "suspect"


def test_unmatched_files_are_listed(guide: ServiceGuide) -> None:
    report = review(guide, [application_form(), id_front(), id_back(), ["一段无关的文字内容"]])
    assert report.unmatched_files == ["f3"]
    assert report.verdict == "ready"
    assert "未对应到清单材料的文件" in render_report_text(report)


def test_rendering_is_advisory_and_lists_every_material(guide: ServiceGuide) -> None:
    report = review(guide, [application_form(), id_front(FATHER, WRONG_ID), id_back()])
    lines = render_report_text(report).splitlines()
    assert lines[-1] == ADVISORY == "预审结果仅供参考，以窗口正式审核为准。"
    assert any(
        line.startswith("2. 居民身份证：疑似有误") and "校验位" in line and "建议" in line for line in lines
    )
    assert any(line.startswith("1. 参保登记表：已提供") and "签字" in line for line in lines)


def test_json_has_labels_and_no_unmasked_numbers(guide: ServiceGuide) -> None:
    report = review(guide, [application_form(), id_front(FATHER, WRONG_ID), id_back(), ["无关内容"]])
    data = report_to_dict(report)
    dumped = json.dumps(data, ensure_ascii=False)
    assert not RAW_NUMBER.search(dumped), RAW_NUMBER.search(dumped)
    for number in (FATHER_ID, MOTHER_ID, WRONG_ID, "13800138000"):
        assert number not in dumped
    assert data["verdict_label"] == "需补正" and data["advisory"] == ADVISORY
    assert [m["status_label"] for m in data["materials"]] == ["已提供", "疑似有误", "缺少"]
    form = next(f for f in data["files"] if f["file_id"] == "f0")
    assert form["fields"]["id_numbers"]["applicant"] == mask_id_number(FATHER_ID)
    assert form["fields"]["names"]["applicant"] == FATHER  # the citizen's own name stays
    assert form["fields"]["other"]["phone"] == "138****8000"
    card = next(f for f in data["files"] if f["file_id"] == "f1")
    assert card["fields"]["id_numbers"]["holder"] == WRONG_ID[:6] + "********" + WRONG_ID[-4:]
    assert data["unmatched_files"] == ["f3"]
    assert json.loads(dumped) == data


def test_rendered_text_has_no_unmasked_numbers(guide: ServiceGuide) -> None:
    report = review(guide, [application_form(), id_front(FATHER, WRONG_ID), id_back(), ["无关内容"]])
    text = render_report_text(report)
    assert not RAW_NUMBER.search(text)
    assert mask_id_number(FATHER_ID) in text  # the file names, masked


def test_masking_helpers() -> None:
    assert mask_id_number("110101199003071233") == "110101********1233"
    assert (
        mask_text(f"号码{WRONG_ID}，电话13800138000")
        == f"号码{WRONG_ID[:6]}********{WRONG_ID[-4:]}，电话138****8000"
    )
    assert mask_text("") == ""


def test_unreadable_upload_for_a_deferrable_material_does_not_block(guide: ServiceGuide) -> None:
    report = review(guide, [application_form(), id_front(), id_back(), []])
    assert {m.material_id: m.status for m in report.materials}["extra"] == "unreadable"
    assert report.verdict == "ready"


def test_unreadable_unmatched_file_is_named_in_the_rendering() -> None:
    guide = make_guide([{"id": "id", "name": "居民身份证"}])
    report = review(guide, [id_front(), id_back(), []])
    assert report.unmatched_files == ["f2"]
    assert "（看不清内容，请重新拍摄）" in render_report_text(report)
