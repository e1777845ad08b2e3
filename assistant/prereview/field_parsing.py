"""Generic field parsing for OCR lines: label/value segments, names, ID numbers and credit codes
(OCR look-alikes fixed only when that makes the check character valid), people on multi-person
documents, dates and validity periods. The per-material readers are in ``fields``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Final

from assistant.prereview.classify import TextLine
from assistant.prereview.models import Fields
from assistant.prereview.validators import (
    is_valid_credit_code,
    is_valid_id_number,
    parse_date,
    parse_validity,
)

_SEPARATORS: Final = ":;,.、，。；：|_ ·•"
_ID_RUN: Final = re.compile(r"(?<![0-9A-Za-z])[0-9OoDQIl|]{17}[0-9Xx×OoDQIl|](?![0-9A-Za-z])")
_ID_FIX: Final = str.maketrans("OoDQIl|×x", "000011" + "1XX")
_CREDIT_RUN: Final = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")
_CREDIT_FIX: Final = str.maketrans("OIZSV", "0125U")
NAME_RUN: Final = re.compile(r"[\u4e00-\u9fff·•]+")
_NOT_NAMES: Final = ("签", "盖章", "日期", "本人", "承诺", "信息", "单位", "以上", "姓名")


@dataclass
class Segment:
    key: str  # canonical label, "" for text before any label
    value: str  # display form
    line: int
    page: int


def segments(lines: list[TextLine], labels: dict[str, str]) -> list[Segment]:
    """Cut every line at the labels it contains (surface form → key); an empty value takes the next line."""
    out: list[Segment] = []
    surfaces = sorted(labels, key=len, reverse=True)
    for index, line in enumerate(lines):
        hits: list[tuple[int, int, str]] = []
        for surface in surfaces:
            for m in re.finditer(re.escape(surface), line.match):
                if all(m.end() <= s or e <= m.start() for s, e, _ in hits):
                    hits.append((m.start(), m.end(), labels[surface]))
        hits.sort()
        starts = [h[0] for h in hits] + [len(line.match)]
        if not hits or hits[0][0] > 0:
            out.append(Segment("", _strip(line.display[: starts[0]]), index, line.page))
        for (_, end, key), next_start in zip(hits, starts[1:], strict=True):
            out.append(Segment(key, _strip(line.display[end:next_start]), index, line.page))
    for current, following in itertools.pairwise(out):
        if current.key and not current.value and not following.key and following.line == current.line + 1:
            current.value, following.value = following.value, ""
    return out


def _strip(value: str) -> str:
    """A value without separators around it nor a leading "(签字)"-style remark."""
    value = re.sub(r"^[(（][^)）]{0,6}[)）]", "", value.strip(_SEPARATORS))
    return value.strip(_SEPARATORS + "()（）")


def first(segs: list[Segment], key: str) -> str:
    return next((s.value for s in segs if s.key == key and s.value), "")


def clean_name(value: str) -> str:
    """A person's name at the start of ``value``: 2–4 Chinese characters (longer with ·), else ""."""
    m = NAME_RUN.match(value)
    if not m:
        return ""
    name = m.group()
    if any(word in name for word in _NOT_NAMES):
        return ""
    return name if 2 <= len(name) <= 4 or ("·" in name and len(name) <= 20) else ""


def find_ids(text: str) -> list[str]:
    """18-character ID numbers in ``text``; look-alikes fixed only when that makes the number valid."""
    found = []
    for m in _ID_RUN.finditer(text):
        raw = m.group().replace("x", "X").replace("×", "X")
        fixed = raw[:17].translate(_ID_FIX) + raw[17].translate(_ID_FIX)
        found.append(fixed if not is_valid_id_number(raw) and is_valid_id_number(fixed) else raw)
    return found


def find_credit_code(text: str) -> str:
    """The 统一社会信用代码 in ``text`` (valid one preferred, look-alikes fixed when that validates it)."""
    candidates = [m.group().upper() for m in _CREDIT_RUN.finditer(text)]
    for raw in candidates:
        for code in (raw, raw.translate(_CREDIT_FIX)):
            if is_valid_credit_code(code):
                return code
    plausible = [c for c in candidates if sum(ch.isdigit() for ch in c) >= 8 and not c.isdigit()]
    return plausible[0] if plausible else ""


def people(
    segs: list[Segment], name_roles: dict[str, str], id_key: str = "id"
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Names, ID numbers and genders by role.

    Role "*" numbers people in order (person_1, person_2 …); "=x" means the person of the last role
    label seen (委托人 … 姓名), else x.
    """
    names: dict[str, str] = {}
    ids: dict[str, str] = {}
    genders: dict[str, str] = {}
    current, counter = "", 0
    columns: list[str] = []
    unplaced: list[str] = []
    for line in sorted({s.line for s in segs}):
        row = [s for s in segs if s.line == line]
        row_roles = []
        for seg in row:
            if seg.key in name_roles:
                role = name_roles[seg.key]
                if role == "*":
                    counter += 1
                    role = f"person_{counter}"
                elif role.startswith("="):
                    role = current or role[1:]
                row_roles.append(role)
                current = role
                if (name := clean_name(seg.value)) and role not in names:
                    names[role] = name
            elif seg.key == "gender" and current and seg.value[:1] in "男女":
                genders.setdefault(current, seg.value[:1])
        if len(row_roles) >= 2:
            columns = row_roles
        for s in row:  # an ID label that names its person: 父亲身份证号, 学生身份证号 …
            if s.key.startswith(f"{id_key}@") and (found := find_ids(s.value)):
                ids.setdefault(s.key.split("@")[1], found[0])
        row_ids = [found for s in row if s.key == id_key for found in find_ids(s.value)[:1]]
        targets = columns if len(row_ids) >= 2 and len(row_ids) == len(columns) else [current] * len(row_ids)
        for role, number in zip(targets, row_ids, strict=True):
            if role and role not in ids:
                ids[role] = number
            else:
                unplaced.append(number)
    _place(unplaced, names, ids, genders)
    return names, ids, genders


def _place(unplaced: list[str], names: dict[str, str], ids: dict[str, str], genders: dict[str, str]) -> None:
    """IDs read where no person (or one who already had an ID) was current: give them to named people
    without an ID, a person whose stated gender matches the ID's first; "holder" when nobody is named."""
    for number in unplaced:
        if number in ids.values():
            continue
        free = [role for role in names if role not in ids]
        matching = [role for role in free if genders.get(role) == id_gender(number)]
        if matching or free:
            ids[(matching or free)[0]] = number
        elif not names:
            ids.setdefault("holder", number)


def set_date(fields: Fields, key: str, value: str) -> None:
    """Record the first date found under ``key`` (ISO format)."""
    if value and (parsed := parse_date(value)):
        fields.dates.setdefault(key, parsed.isoformat())


def set_validity(fields: Fields, value: str) -> None:
    """Record a validity period's start and end (长期 kept as written)."""
    validity = parse_validity(value) if value else None
    if validity:
        if validity.start:
            fields.dates["valid_from"] = validity.start.isoformat()
        if validity.until:
            fields.dates["valid_until"] = validity.until


def label_spec(spec: str) -> dict[str, str]:
    """``"姓名=name 性别=gender"`` → ``{"姓名": "name", "性别": "gender"}`` (surface form → key)."""
    return dict(pair.split("=") for pair in spec.split())


ID_LABELS: Final = label_spec(
    "公民身份号码=id 公民身份证件编号=id 身份证件编号=id 身份证件号码=id 身份证件号=id "
    "身份证号码=id 身份证号=id 证件号码=id 社会保障号码=id"
)


def id_gender(number: str) -> str:
    """男/女 from an 18-digit ID number's 17th digit; empty when it cannot tell."""
    return ("男" if int(number[16]) % 2 else "女") if len(number) == 18 and number[16].isdigit() else ""
