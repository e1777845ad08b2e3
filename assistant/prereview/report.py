"""The pre-review report: overall verdict, JSON for the API and a Chinese rendering for the chat.

Advisory only (“预审结果仅供参考，以窗口正式审核为准”). Personal numbers never leave unmasked: ID numbers
as ``110101********1234``, phones, credit codes and addresses through :func:`assistant.privacy.mask_pii`,
plus a last sweep over any long digit run. Names stay: they are the citizen's own.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Final

from assistant.guide.checklist import Checklist
from assistant.guide.models import ServiceGuide
from assistant.prereview.models import (
    MATERIAL_TYPES,
    STATUS_LABELS,
    FileResult,
    MaterialResult,
    PrereviewReport,
    Problem,
)
from assistant.privacy import mask_pii

ADVISORY: Final = "预审结果仅供参考，以窗口正式审核为准。"
VERDICT_LABELS: Final = {"ready": "可以提交", "needs_fixes": "需补正"}
_LONG_NUMBER: Final = re.compile(r"(?<![0-9A-Za-z])([0-9]{6})([0-9]{5,8})([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
_NOT_BLOCKING: Final = frozenset({"unreadable_file"})  # a file matching nothing; what it misses is missing


def build_report(
    review_id: str,
    guide: ServiceGuide,
    checklist: Checklist,
    file_results: list[FileResult],
    materials: list[MaterialResult],
    cross_checks: list[Problem],
    timings: dict[str, float],
) -> PrereviewReport:
    """The report; ``ready`` only when every required material is provided without a problem.

    A material that may be supplied later (容缺受理, ``deferrable``) does not block when missing or
    unreadable.
    """
    deferrable = {m.id for m in checklist.materials if m.deferrable}
    waiting = ("missing", "unreadable")  # a deferrable material may still be supplied later
    blocking = [
        r
        for r in materials
        if r.status != "provided" and not (r.status in waiting and r.material_id in deferrable)
    ]
    blocking_cross = [p for p in cross_checks if p.code not in _NOT_BLOCKING]
    return PrereviewReport(
        review_id=review_id,
        guide_id=guide.id,
        guide_name=guide.name,
        verdict="needs_fixes" if blocking or blocking_cross else "ready",
        materials=materials,
        files=file_results,
        unmatched_files=[f.file_id for f in file_results if f.matched_material is None],
        cross_checks=cross_checks,
        timings_ms=dict(timings),
    )


# ------------------------------------------------------------------------------------------- masking


def mask_id_number(number: str) -> str:
    """``110101********1234``: the first six and last four characters kept."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else "*" * len(number)


def mask_text(text: str) -> str:
    """``text`` with PII masked (:func:`mask_pii`), and any remaining ID-length digit run masked too
    (an ID number with a wrong check digit is not PII to ``mask_pii``, but it is still personal)."""
    return _LONG_NUMBER.sub(lambda m: m[1] + "*" * len(m[2]) + m[3][-4:], mask_pii(text)) if text else text


def _mask_code(code: str) -> str:
    return code[:2] + "*" * (len(code) - 6) + code[-4:] if len(code) > 6 else code


def _problem_dict(problem: Problem) -> dict[str, Any]:
    return {
        "code": problem.code,
        "message": mask_text(problem.message),
        "advice": mask_text(problem.advice),
        "file_ids": list(problem.file_ids),
    }


def _file_dict(result: FileResult) -> dict[str, Any]:
    fields = result.fields
    return {
        "file_id": result.file_id,
        "display_name": mask_text(result.display_name),
        "material_type": result.classification.material_type,
        "material_type_label": MATERIAL_TYPES.get(result.classification.material_type, ""),
        "confidence": result.classification.confidence,
        "cues": list(result.classification.cues),
        "matched_material": result.matched_material,
        "fields": {
            "names": dict(fields.names),
            "id_numbers": {role: mask_id_number(n) for role, n in fields.id_numbers.items()},
            "credit_code": _mask_code(fields.credit_code),
            "dates": dict(fields.dates),
            "address": mask_text(fields.address),
            "registration_number": mask_text(fields.registration_number),
            "other": {key: mask_text(value) for key, value in fields.other.items()},
        },
        "warnings": [mask_text(w) for w in result.warnings],
    }


def report_to_dict(report: PrereviewReport) -> dict[str, Any]:
    """JSON-ready report with status labels (已提供/缺少/疑似有误/无法识别) and masked personal numbers."""
    return {
        "review_id": report.review_id,
        "guide_id": report.guide_id,
        "guide_name": report.guide_name,
        "verdict": report.verdict,
        "verdict_label": VERDICT_LABELS[report.verdict],
        "advisory": ADVISORY,
        "summary": dict(Counter(STATUS_LABELS[m.status] for m in report.materials)),
        "materials": [
            {
                "material_id": m.material_id,
                "material_name": m.material_name,
                "status": m.status,
                "status_label": STATUS_LABELS[m.status],
                "file_ids": list(m.file_ids),
                "problems": [_problem_dict(p) for p in m.problems],
                "note": m.note,
            }
            for m in report.materials
        ],
        "files": [_file_dict(f) for f in report.files],
        "unmatched_files": list(report.unmatched_files),
        "cross_checks": [_problem_dict(p) for p in report.cross_checks],
        "timings_ms": dict(report.timings_ms),
        "text": render_report_text(report),
    }


# ------------------------------------------------------------------------------------------ rendering


def _material_line(index: int, material: MaterialResult, names: dict[str, str]) -> str:
    label = STATUS_LABELS[material.status]
    line = f"{index}. {material.material_name}：{label}"
    if material.status == "provided":
        shown = "、".join(names[i] for i in material.file_ids if i in names)
        line += f"（{shown}）" if shown else ""
    for problem in material.problems:
        line += f"。{problem.message.rstrip('。')}" if problem.code != "missing_material" else ""
        line += f"。建议：{problem.advice.rstrip('。')}"
    if material.note:
        line += f"。{material.note}"
    return line + "。"


def render_report_text(report: PrereviewReport) -> str:
    """A readable Chinese rendering: verdict first, one line per material, unmatched files, the caveat."""
    counts = Counter(STATUS_LABELS[m.status] for m in report.materials)
    summary = "，".join(f"{n}项{label}" for label, n in counts.items())
    head = f"【{report.guide_name}】材料预审结果：{VERDICT_LABELS[report.verdict]}"
    lines = [head + (f"（共{len(report.materials)}项材料：{summary}）" if report.materials else "")]
    if report.verdict == "ready":
        lines.append("清单所列材料已齐全，未发现明显问题，可以提交。")
    else:
        lines.append("以下材料需要补充或更正，处理后可重新预审：")
    names = {f.file_id: f.display_name for f in report.files}
    lines += [_material_line(i, m, names) for i, m in enumerate(report.materials, 1)]
    unreadable = {i for p in report.cross_checks if p.code == "unreadable_file" for i in p.file_ids}
    if report.unmatched_files:
        described = []
        for file_id in report.unmatched_files:
            result = next((f for f in report.files if f.file_id == file_id), None)
            kind = result.classification.material_type if result else "unrecognised"
            what = (
                f"识别为{MATERIAL_TYPES[kind]}，但清单不需要"
                if kind != "unrecognised"
                else "未能识别材料类型"
            )
            what = "看不清内容，请重新拍摄" if file_id in unreadable else what
            described.append(f"“{names.get(file_id, file_id)}”（{what}）")
        lines.append("未对应到清单材料的文件：" + "；".join(described) + "。")
    attached = {id(p) for m in report.materials for p in m.problems}
    loose = [p for p in report.cross_checks if id(p) not in attached and p.code not in _NOT_BLOCKING]
    lines += [f"提示：{p.message.rstrip('。')}。建议：{p.advice}" for p in loose]
    lines.append(ADVISORY)
    return mask_text("\n".join(lines))
