"""Check recognised files against a checklist: which material each file provides, what is missing and
what looks wrong — check characters, expiry, a missing ID side, person or page, unreadable scans, and
names or ID numbers that disagree across materials (``cross_checks``). Every finding is a ``Problem``
in plain words.

Problem codes — on a material: missing_material, unreadable, id_check_digit, id_invalid, id_expired,
expired (营业执照), credit_code_check, id_card_one_side, missing_person, missing_page,
implausible_birth_date; across materials (also on each material involved): name_mismatch, id_mismatch,
credit_code_mismatch, parent_mismatch; on a file that matches nothing: unreadable_file (never blocks).

``context`` keys, all optional: ``applicant_name`` and ``applicant_id_number`` (who the applicant says
they are), ``newborn`` (the newborn birth-date check; by default on when the service name mentions
新生儿 or 出生), ``newborn_max_age_days`` (365), ``min_ocr_score`` (0.5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from assistant.guide.checklist import Checklist, MaterialLine
from assistant.prereview.classify import text_lines
from assistant.prereview.cross_checks import cross_checks, known_people, person_label
from assistant.prereview.material_types import ID_CARD, Candidate, MaterialNeed, assign, material_need
from assistant.prereview.models import (
    Classification,
    ExtractedFile,
    Fields,
    MaterialResult,
    Problem,
    Status,
)
from assistant.prereview.validators import check_credit_code, check_id_number, is_expired

SIGNATURE_NOTE: Final = "请人工核对签字/盖章"
PHOTO_NOTE: Final = "请人工核对照片是否符合要求（近期、免冠、背景颜色等）"
_PHOTO: Final = re.compile(r"照片|证件照|相片|数码照")
RETAKE_ADVICE: Final = "请在光线充足处把材料放平、拍全整页后重新上传（避免反光、模糊和遮挡）。"
_SIGNATURE_WORDS: Final = ("签字", "签名", "盖章", "公章", "签章")
_SHORT: Final = ("missing_page", "id_card_one_side")  # what an unreadable upload may be the rest of
_TYPE_NAMES: Final = {
    "business_license": "营业执照",
    "application_form": "申请表",
    "power_of_attorney": "委托书",
}
_EXPIRING: Final = {
    "id_card_front": "居民身份证",
    "id_card_back": "居民身份证",
    "business_license": "营业执照",
}

FileInput = tuple[ExtractedFile, Classification, Fields]


@dataclass
class CheckedFile:
    """One uploaded file with what was read from it."""

    extracted: ExtractedFile
    classification: Classification
    fields: Fields
    unreadable: bool

    @property
    def file_id(self) -> str:
        return self.extracted.upload.file_id

    @property
    def name(self) -> str:
        return self.extracted.upload.display_name

    @property
    def kind(self) -> str:
        return self.classification.material_type


def is_unreadable(extracted: ExtractedFile, min_score: float = 0.5) -> bool:
    """No usable text, or OCR text whose length-weighted confidence is below ``min_score``."""
    if len(re.findall(r"[\u4e00-\u9fff0-9A-Za-z]", extracted.text)) < 4:
        return True
    lines = [line for page in extracted.pages if page.source == "ocr" for line in page.lines if line.text]
    weight = sum(len(line.text) for line in lines)
    return bool(weight) and sum(line.score * len(line.text) for line in lines) / weight < min_score


def check_materials(
    checklist: Checklist, files: list[FileInput], today: date, context: dict[str, Any]
) -> tuple[list[MaterialResult], list[Problem], dict[str, str | None]]:
    """Per-material results; cross-document and unmatched-file problems; file id → material id."""
    min_score = float(context.get("min_ocr_score", 0.5))
    checked = [CheckedFile(e, c, f, is_unreadable(e, min_score)) for e, c, f in files]
    by_id = {f.file_id: f for f in checked}
    candidates = [candidate(f) for f in checked if f.kind != "unrecognised" or not f.unreadable]
    people = known_people([(f.kind, f.fields) for f in checked])
    assigned = assign([(m.id, m.name, m.note) for m in checklist.materials], candidates, people)
    mapping: dict[str, str | None] = {f.file_id: None for f in checked}
    for material_id, file_ids in assigned.items():
        mapping.update(dict.fromkeys(file_ids, material_id))
    needs = {m.id: material_need(m.name) for m in checklist.materials}
    held = {m.id: [by_id[i] for i in assigned[m.id]] for m in checklist.materials}
    newborn = bool(context.get("newborn", "新生儿" in checklist.name or "出生" in checklist.name))
    unmatched = [f for f in checked if mapping[f.file_id] is None]
    labels = material_labels(checklist)
    cross = cross_checks(
        {labels[m.id]: [(f.file_id, f.kind, f.fields) for f in held[m.id]] for m in checklist.materials},
        {labels[m.id]: needs[m.id] for m in checklist.materials},
        context,
    )
    results = []
    for material in checklist.materials:
        files_here = held[material.id]
        if files_here:
            problems = _material_problems(material, needs[material.id], files_here, today, context, newborn)
            if needs[material.id] and _one_person_enough(material, checklist):
                problems = [p for p in problems if p.code != "missing_person"]
            problems += [p for p in cross if set(p.file_ids) & set(assigned[material.id])]
        else:
            problems = [_missing(material, needs[material.id], bool(unmatched))]
        note = SIGNATURE_NOTE if _needs_signature(material, files_here) else ""
        results.append(
            MaterialResult(
                material.id, material.name, _status(problems), assigned[material.id], problems, note
            )
        )
    deferrable = {m.id for m in checklist.materials if m.deferrable}
    unmatched = [f for f in unmatched if not _photo(f, results, mapping)]
    unreadable = [
        f for f in unmatched if f.unreadable and not _attribute(f, checked, results, mapping, deferrable)
    ]
    loose = [
        Problem("unreadable_file", f"文件“{f.name}”看不清内容，无法识别", RETAKE_ADVICE, (f.file_id,))
        for f in unreadable
    ]
    return results, cross + loose, mapping


def material_labels(checklist: Checklist) -> dict[str, str]:
    """Material id → its name as the citizen reads it, with the form added where two share a name."""
    names = [m.name for m in checklist.materials]
    return {
        m.id: m.name if names.count(m.name) == 1 else f"{m.name}（{m.form_label}）"
        for m in checklist.materials
    }


def _photo(file: CheckedFile, results: list[MaterialResult], mapping: dict[str, str | None]) -> bool:
    """A picture without text is the photo (证件照) a missing photo material asks for."""
    if not file.unreadable or file.extracted.upload.kind not in ("jpeg", "png"):
        return False
    wanted = next((r for r in results if r.status == "missing" and _PHOTO.search(r.material_name)), None)
    if wanted is None:
        return False
    wanted.file_ids.append(file.file_id)
    wanted.problems, wanted.status, wanted.note = [], "provided", PHOTO_NOTE
    mapping[file.file_id] = wanted.material_id
    return True


def _attribute(
    file: CheckedFile,
    checked: list[CheckedFile],
    results: list[MaterialResult],
    mapping: dict[str, str | None],
    deferrable: set[str],
) -> bool:
    """Give an unreadable, unrecognised file to the material it most likely is: a missing one — the first
    after the material of the last recognised file uploaded before it (uploads follow the checklist),
    required ones before deferrable ones — else one that lacks a page or an ID card side."""
    missing = sorted((r for r in results if r.status == "missing"), key=lambda r: r.material_id in deferrable)
    short = [r for r in results if any(p.code in _SHORT for p in r.problems)]
    if not missing and not short:
        return False
    position = {r.material_id: i for i, r in enumerate(results)}
    earlier = checked[: checked.index(file)]
    last = max((position[m] for f in earlier if (m := mapping[f.file_id]) in position), default=-1)
    target = next((r for r in missing if position[r.material_id] > last), (missing or short)[0])
    message = f"文件“{file.name}”看不清内容，无法确认是否为本材料（或其缺少的页面）"
    kept = [p for p in target.problems if p.code not in ("missing_material", *_SHORT)]
    target.problems = [*kept, Problem("unreadable", message, RETAKE_ADVICE, (file.file_id,))]
    target.file_ids.append(file.file_id)
    target.status = _status(target.problems)
    mapping[file.file_id] = target.material_id
    return True


def candidate(f: CheckedFile) -> Candidate:
    """What assignment needs: type, ID-card sides present, the person on a front, title words."""
    sides: set[str] = set()
    if f.kind in ID_CARD:
        sides.add("front" if f.kind == "id_card_front" or f.fields.id_numbers else "back")
        if f.fields.dates.get("valid_until") or f.fields.other.get("authority"):
            sides.add("back")
    number = f.fields.id_numbers.get("holder", "")
    valid = number if check_id_number(number).valid else ""
    gender = ("男" if int(valid[16]) % 2 else "女") if valid else ""
    person = (valid or f.fields.names.get("holder", "")) if "front" in sides else ""
    title = "\n".join(line.match for line in text_lines(f.extracted)[:3])
    return Candidate(f.file_id, f.kind, frozenset(sides), person, gender, title)


def _one_person_enough(material: MaterialLine, checklist: Checklist) -> bool:
    """A note such as "未办理结婚登记的，提供…一方的身份证" applies when an answer says 未….."""
    return "一方" in material.note and any("未" in answer.label for answer in checklist.answers)


def _status(problems: list[Problem]) -> Status:
    codes = {p.code for p in problems}
    if "missing_material" in codes:
        return "missing"
    if codes and codes <= {"unreadable"}:
        return "unreadable"
    return "suspect" if codes else "provided"


def _needs_signature(material: MaterialLine, held: list[CheckedFile]) -> bool:
    if any(word in material.name + material.note for word in _SIGNATURE_WORDS):
        return True
    return any(f.fields.other.get("signature_required") for f in held)


def _missing(material: MaterialLine, need: MaterialNeed | None, files_unmatched: bool) -> Problem:
    what = "人像面和国徽面" if need and need.needs_id_card else "清晰完整的照片或扫描件"
    advice = [f"请上传{material.name}的{what}"]
    if material.e_license:
        advice.append("该材料可使用电子证照，提交时授权调用即可")
    if material.deferrable:
        advice.append("该材料可容缺受理，可先提交其他材料，按承诺时限补交")
    if files_unmatched:
        advice.append("若已上传但未被识别，请确认拍摄清晰、整页完整")
    return Problem("missing_material", f"未找到“{material.name}”", "；".join(advice) + "。")


def _material_problems(
    material: MaterialLine,
    need: MaterialNeed | None,
    held: list[CheckedFile],
    today: date,
    context: dict[str, Any],
    newborn: bool,
) -> list[Problem]:
    problems: list[Problem] = []
    for f in held:
        own = (f.file_id,)
        if f.unreadable:
            problems.append(Problem("unreadable", f"文件“{f.name}”内容看不清", RETAKE_ADVICE, own))
        problems += _id_problems(f, today)
        if f.fields.credit_code and check_credit_code(f.fields.credit_code):
            advice = "请核对18位代码是否完整清晰；照片不清晰的请重新拍摄，营业执照可上传电子营业执照。"
            message = f"{_TYPE_NAMES.get(f.kind, '材料')}上的统一社会信用代码校验不通过"
            problems.append(Problem("credit_code_check", message, advice, own))
        until = f.fields.dates.get("valid_until", "")
        if f.kind in _EXPIRING and is_expired(until, today):
            code = "id_expired" if f.kind in ID_CARD else "expired"
            who = f.fields.names.get("holder", "")
            advice = "请使用有效期内的证件；身份证过期的，请先到公安机关换领（可申请临时居民身份证）。"
            problems.append(Problem(code, f"{who}{_EXPIRING[f.kind]}已于{until}到期", advice, own))
        if f.kind == "birth_certificate":
            problems += _birth_date(f, today, int(context.get("newborn_max_age_days", 365)), newborn)
    if need and need.needs_id_card and any(f.kind in ID_CARD for f in held):
        problems += _id_sides(material, need, held)
    return problems + _pages(held)


def _id_problems(f: CheckedFile, today: date) -> list[Problem]:
    problems = []
    for role, number in f.fields.id_numbers.items():
        result = check_id_number(number, today)
        if result.valid:
            continue
        subject = f"{person_label(role, f.fields)}的身份证号码"
        if result.reason == "check_digit":
            code, message = "id_check_digit", f"{subject}校验位不正确（可能有数字写错或识别错误）"
        else:
            code, message = "id_invalid", f"{subject}格式不正确"
        advice = "请核对证件号码；照片不清晰的请重新拍摄，证件号码本身有误的请到公安机关核实。"
        problems.append(Problem(code, message, advice, (f.file_id,)))
    return problems


def _birth_date(f: CheckedFile, today: date, max_days: int, newborn: bool) -> list[Problem]:
    born = f.fields.dates.get("birth", "")
    if not born:
        return []
    when = date.fromisoformat(born)
    if when > today:
        message = f"出生医学证明上的出生日期（{born}）晚于今天"
    elif newborn and (today - when).days > max_days:
        message = f"出生医学证明上的出生日期（{born}）距今已超过{max_days}天，与新生儿事项不符"
    else:
        return []
    advice = "请核对出生日期是否识别正确，或确认所办事项是否适用（超过时限的请咨询窗口）。"
    return [Problem("implausible_birth_date", message, advice, (f.file_id,))]


def _id_sides(material: MaterialLine, need: MaterialNeed, held: list[CheckedFile]) -> list[Problem]:
    cards = [candidate(f) for f in held if f.kind in ID_CARD]
    persons = {c.person or c.file_id for c in cards if "front" in c.sides}
    backs = sum("back" in c.sides for c in cards)
    ids = tuple(c.file_id for c in cards)
    problems = []
    if backs < len(persons):
        problems.append(
            Problem("id_card_one_side", "缺少身份证国徽面（有效期限一面）", "请补充上传身份证国徽面。", ids)
        )
    elif backs > len(persons):
        problems.append(
            Problem("id_card_one_side", "缺少身份证人像面（姓名、号码一面）", "请补充上传身份证人像面。", ids)
        )
    if persons and len(persons) < need.people:
        message = f"应提供{need.people}人的身份证，只识别到{len(persons)}人"
        problems.append(Problem("missing_person", message, "请补充上传另一人的身份证（两面）。", ids))
    return problems


def _pages(held: list[CheckedFile]) -> list[Problem]:
    ids = tuple(f.file_id for f in held)
    problems = []
    hukou = [f for f in held if f.kind == "hukou_booklet"]
    if hukou and not any("person" in f.fields.other.get("hukou_pages", "") for f in hukou):
        message = "户口簿只有首页，缺少户主页和本人页（常住人口登记卡）"
        problems.append(Problem("missing_page", message, "请上传户口簿首页、户主页和本人页。", ids))
    totals = [int(f.fields.other["pages_total"]) for f in held if f.fields.other.get("pages_total")]
    if totals:
        numbers = {n for f in held for n in f.fields.other.get("page_numbers", "").split(",") if n}
        received = max(len(numbers), sum(int(f.fields.other.get("page_count", "1")) for f in held))
        if received < max(totals):
            message = f"文件标明共{max(totals)}页，只收到{received}页"
            problems.append(Problem("missing_page", message, "请补充上传缺少的页面。", ids))
    return problems
