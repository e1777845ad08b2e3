"""Read the fields of a recognised material from its OCR lines: names, ID numbers, dates, codes, addresses.

Lines are cut into label/value segments ("姓名张小明性别男" → 姓名: 张小明, 性别: 男), the longest label
winning where labels overlap; a label with nothing after it takes the next line. People on multi-person
documents are told apart by the name label before their ID (母亲姓名 … 身份证件号码), or by column when
one row holds two people. ID numbers and credit codes get OCR look-alikes (O→0, l/I→1 …) replaced only
when that makes the check character valid; otherwise they are kept as printed, for the checks to flag.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from assistant.prereview.classify import TextLine, find_cue, text_lines
from assistant.prereview.models import ExtractedFile, Fields, MaterialType
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
_NAME: Final = re.compile(r"[\u4e00-\u9fff·•]+")
_NOT_NAMES: Final = ("签", "盖章", "日期", "本人", "承诺", "信息", "单位", "以上", "姓名")
_PAGE_MARK: Final = re.compile(r"第(\d{1,3})页[,/]?共(\d{1,3})页|共(\d{1,3})页[,/]?第(\d{1,3})页")


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
    m = _NAME.match(value)
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
        matching = [role for role in free if genders.get(role) == _id_gender(number)]
        if matching or free:
            ids[(matching or free)[0]] = number
        elif not names:
            ids.setdefault("holder", number)


def _date(fields: Fields, key: str, value: str) -> None:
    if value and (parsed := parse_date(value)):
        fields.dates.setdefault(key, parsed.isoformat())


def _validity(fields: Fields, value: str) -> None:
    validity = parse_validity(value) if value else None
    if validity:
        if validity.start:
            fields.dates["valid_from"] = validity.start.isoformat()
        if validity.until:
            fields.dates["valid_until"] = validity.until


# -------------------------------------------------------------------------------------------- per type


def label_spec(spec: str) -> dict[str, str]:
    """``"姓名=name 性别=gender"`` → ``{"姓名": "name", "性别": "gender"}`` (surface form → key)."""
    return dict(pair.split("=") for pair in spec.split())


_ID_LABELS: Final = label_spec(
    "公民身份号码=id 公民身份证件编号=id 身份证件编号=id 身份证件号码=id 身份证件号=id "
    "身份证号码=id 身份证号=id 证件号码=id 社会保障号码=id"
)


def _id_card(lines: list[TextLine], fields: Fields) -> None:
    labels = (
        label_spec(
            "姓名=name 性别=gender 民族=ethnicity 出生=birth 住址=address 签发机关=authority "
            "有效期限=validity"
        )
        | _ID_LABELS
    )
    segs = segments(lines, labels)
    if name := clean_name(first(segs, "name")):
        fields.names["holder"] = name
    ids = [i for s in segs if s.key == "id" for i in find_ids(s.value)]
    ids = ids or find_ids("".join(x.match for x in lines))
    if ids:
        fields.id_numbers["holder"] = ids[0]
    if (gender := first(segs, "gender")[:1]) in ("男", "女"):
        fields.other["gender"] = gender
    if ethnicity := first(segs, "ethnicity"):
        fields.other["ethnicity"] = ethnicity
    _date(fields, "birth", first(segs, "birth"))
    address = next((i for i, s in enumerate(segs) if s.key == "address" and s.value), None)
    if address is not None:
        parts = [segs[address].value]
        for seg in segs[address + 1 :]:
            if seg.key or find_ids(seg.value) or not seg.value or seg.page != segs[address].page:
                break
            parts.append(seg.value)
        fields.address = "".join(parts)
    if authority := first(segs, "authority"):
        fields.other["authority"] = authority
    validity = first(segs, "validity") or next((x.display for x in lines if parse_validity(x.display)), "")
    _validity(fields, validity)


def _hukou(lines: list[TextLine], fields: Fields) -> None:
    """One person per 常住人口登记卡 page (or block): name and ID; the index page: 户主, 户号, 住址."""
    labels = (
        label_spec(
            "户别=household_type 户主姓名=head 户号=household_no 住址=address 姓名=name "
            "户主或与户主关系=relation 户主或与户主关=relation 与户主关系=relation 与户主关=relation "
            "性别=gender 出生日期=birth "
            "登记日期=registered 常住人口登记卡=card"
        )
        | _ID_LABELS
    )
    segs = segments(lines, labels)
    blocks: dict[tuple[int, int], list[Segment]] = {}
    block = 0
    for seg in segs:
        block += seg.key == "card"
        blocks.setdefault((seg.page, block), []).append(seg)
    members: list[tuple[str, str]] = []
    kinds: dict[int, set[str]] = {}
    for (page, _), part in blocks.items():
        keys = {s.key for s in part}
        kind = kinds.setdefault(page, set())
        if keys & {"household_type", "head", "household_no"}:
            kind.add("index")
        name = _member_name(first(part, "name"))
        ids = [i for s in part if s.key == "id" for i in find_ids(s.value)]
        ids = ids or [i for s in part for i in find_ids(s.value)]
        if keys & {"card", "relation"} or (name and ids):
            kind.add("person")
            members.append((name, ids[0] if ids else ""))
    for number, (name, id_number) in enumerate(members, 1):
        role = "holder" if number == 1 else f"member_{number}"
        if name:
            fields.names[role] = name
        if id_number:
            fields.id_numbers[role] = id_number
    if head := clean_name(first(segs, "head")):
        fields.names["head"] = head
    fields.registration_number = first(segs, "household_no")
    fields.address = first(segs, "address")
    _date(fields, "registered", first(segs, "registered"))
    pages = sorted({x.page for x in lines})
    fields.other["hukou_pages"] = ",".join("+".join(sorted(kinds.get(p, set()))) or "other" for p in pages)


#: 与户主关系 values (and the label's stray 系) that OCR glues to the name before them.
_RELATIONS: Final = sorted(
    label_spec("户主=1 之子=1 之女=1 长子=1 次子=1 三子=1 长女=1 次女=1 三女=1 儿子=1 女儿=1 儿媳=1 女婿=1")
    | label_spec(
        "孙子=1 孙女=1 外孙=1 外孙女=1 父亲=1 母亲=1 妻=1 夫=1 子=1 女=1 父=1 母=1 兄=1 弟=1 姐=1 妹=1 系=1"
    ),
    key=len,
    reverse=True,
)


def _member_name(value: str) -> str:
    """A 户口簿 member's name, without a 与户主关系 value glued after it ("宋子女" → "宋子")."""
    run = _NAME.match(value)
    text = run.group() if run else ""
    for relation in _RELATIONS:
        if text.endswith(relation) and len(text) - len(relation) >= 2:
            text = text[: -len(relation)]
            break
    return clean_name(text)


def _birth(lines: list[TextLine], fields: Fields) -> None:
    labels = (
        label_spec(
            "新生儿姓名=child 出生时间=birth 出生地点=place 母亲姓名=mother 父亲姓名=father 性别=gender "
            "出生证编号=number 签发日期=issue 接生机构名称=institution 接生机构=institution 年龄=age "
            "国籍=nation 民族=ethnicity 出生孕周=weeks 健康状况=health 身长=length 体重=weight"
        )
        | _ID_LABELS
    )
    segs = segments(lines, labels)
    names, ids, _ = people(segs, {"child": "child", "mother": "mother", "father": "father"})
    fields.names.update(names)
    fields.id_numbers.update({role: number for role, number in ids.items() if role != "child"})
    _date(fields, "birth", first(segs, "birth"))
    _date(fields, "issue", first(segs, "issue"))
    fields.address = first(segs, "place")
    if m := re.match(r"[0-9A-Za-z\-]{6,}", first(segs, "number")):
        fields.registration_number = m.group()
    if institution := first(segs, "institution"):
        fields.other["institution"] = institution


def _marriage(lines: list[TextLine], fields: Fields) -> None:
    labels = (
        label_spec(
            "持证人=holder 登记日期=registered 结婚证字号=number 姓名=name 性别=gender 国籍=nation "
            "出生日期=birth 备注=note"
        )
        | _ID_LABELS
    )
    segs = segments(lines, labels)
    names, ids, genders = people(segs, {"name": "*"})
    for role in sorted(set(names) | set(ids)):
        gender = genders.get(role) or _id_gender(ids.get(role, ""))
        new = {"男": "husband", "女": "wife"}.get(gender, "")
        new = new if new and new not in fields.names and new not in fields.id_numbers else role
        if role in names:
            fields.names[new] = names[role]
        if role in ids:
            fields.id_numbers[new] = ids[role]
    if holder := clean_name(first(segs, "holder")):
        fields.names["holder"] = holder
    _date(fields, "registered", first(segs, "registered"))
    fields.registration_number = re.sub(r"[^0-9A-Za-z\-]", "", first(segs, "number"))


def _id_gender(number: str) -> str:
    return ("男" if int(number[16]) % 2 else "女") if len(number) == 18 and number[16].isdigit() else ""


def _business(lines: list[TextLine], fields: Fields) -> None:
    labels = label_spec(
        "统一社会信用代码=credit 名称=company 类型=kind 法定代表人=legal 经营者=legal 负责人=legal "
        "执行事务合伙人=legal 经营范围=scope 注册资本=capital 成立日期=established 注册日期=established "
        "营业期限=term 住所=address 经营场所=address 主要经营场所=address 登记机关=authority"
    )
    segs = segments(lines, labels)
    whole = "".join(x.display for x in lines)
    fields.credit_code = find_credit_code(first(segs, "credit")) or find_credit_code(whole)
    if legal := clean_name(first(segs, "legal")):
        fields.names["legal_representative"] = legal
    if company := first(segs, "company"):
        fields.other["company"] = company
    fields.address = first(segs, "address")
    _date(fields, "established", first(segs, "established"))
    _validity(fields, first(segs, "term"))
    after = [i for i, s in enumerate(segs) if s.key == "authority"]
    tail = " ".join(s.value for s in segs[after[0] :]) if after else ""
    _date(fields, "registered", tail)


def _social_security(lines: list[TextLine], fields: Fields) -> None:
    labels = {"姓名": "name", "卡号": "card_no", "发卡日期": "issue", "有效期限": "validity", **_ID_LABELS}
    segs = segments(lines, labels)
    if name := clean_name(first(segs, "name")):
        fields.names["holder"] = name
    if ids := [i for s in segs if s.key == "id" for i in find_ids(s.value)]:
        fields.id_numbers["holder"] = ids[0]
    fields.registration_number = re.sub(r"[^0-9A-Za-z]", "", first(segs, "card_no"))
    _date(fields, "issue", first(segs, "issue"))
    _validity(fields, first(segs, "validity"))


def _property(lines: list[TextLine], fields: Fields) -> None:
    labels = label_spec(
        "权利人=holder 共有情况=sharing 坐落=location 不动产单元号=unit 权利类型=right 权利性质=nature "
        "用途=use 面积=area 使用期限=term"
    )
    segs = segments(lines, labels)
    for number, part in enumerate(re.split(r"[、,，;；]", first(segs, "holder")), 1):
        if name := clean_name(part):
            fields.names["holder" if number == 1 else f"holder_{number}"] = name
    fields.address = first(segs, "location")
    for line in lines:
        if m := re.search(r"\S{1,3}\(\d{4}\)\S{0,12}?不动产权第\d+号", line.display):
            fields.registration_number = m.group()
            break
    for key in ("sharing", "unit", "right", "use"):
        if value := first(segs, key):
            fields.other[key] = value


_ROLE_PREFIXES: Final = {
    "申请人": "applicant", "学生": "child", "儿童": "child", "子女": "child", "新生儿": "child",
    "监护人": "guardian", "父亲": "father", "母亲": "mother", "委托人": "principal", "受托人": "agent",
    "代办人": "agent", "经办人": "agent", "法定代表人": "legal_representative", "说明人": "applicant",
    "声明人": "applicant", "承诺人": "applicant", "申报人": "applicant", "填表人": "applicant",
}  # fmt: skip
_DOCUMENT_LABELS: Final = (
    label_spec(
        "姓名=name 联系电话=phone 手机号码=phone 电话=phone 联系地址=address 住址=address "
        "申请日期=date 填表日期=date 日期=date 出生日期=birth 委托事项=matter 委托期限=term "
        "统一社会信用代码=credit"
    )
    | _ID_LABELS
    | {f"{prefix}姓名": role for prefix, role in _ROLE_PREFIXES.items()}
    | {prefix: role for prefix, role in _ROLE_PREFIXES.items() if prefix.endswith("人")}
    | {f"{prefix}签字": role for prefix, role in _ROLE_PREFIXES.items() if prefix.endswith("人")}
    | {f"{prefix}签名": role for prefix, role in _ROLE_PREFIXES.items() if prefix.endswith("人")}
    | {
        f"{prefix}{surface}": f"id@{role}"
        for prefix, role in _ROLE_PREFIXES.items()
        for surface in _ID_LABELS
    }
)


def _document(lines: list[TextLine], fields: Fields) -> None:
    """Application forms and powers of attorney: the people in them, phone, signing date, credit code."""
    segs = segments(lines, _DOCUMENT_LABELS)
    roles = {role: role for role in _ROLE_PREFIXES.values()} | {"name": "=applicant"}
    names, ids, _ = people(segs, roles)
    fields.names.update(names)
    fields.id_numbers.update(ids)
    if m := re.search(r"\d[\d\- ]{6,}\d", first(segs, "phone")):
        fields.other["phone"] = m.group()
    fields.address = first(segs, "address")
    fields.credit_code = find_credit_code(first(segs, "credit"))
    dates = [s.value for s in segs if s.key == "date" and parse_date(s.value)]
    _date(fields, "signed", dates[-1] if dates else "")
    _date(fields, "birth", first(segs, "birth"))
    if matter := first(segs, "matter"):
        fields.other["matter"] = matter
    whole = "".join(x.match for x in lines)
    if any(find_cue(whole, word) for word in ("签字", "签名", "签章", "盖章")):
        fields.other["signature_required"] = "1"


_EXTRACTORS: Final[dict[MaterialType, Callable[[list[TextLine], Fields], None]]] = {
    "id_card_front": _id_card,
    "id_card_back": _id_card,
    "hukou_booklet": _hukou,
    "birth_certificate": _birth,
    "marriage_certificate": _marriage,
    "business_license": _business,
    "social_security_card": _social_security,
    "property_certificate": _property,
    "application_form": _document,
    "power_of_attorney": _document,
}


def _page_marks(lines: list[TextLine], extracted: ExtractedFile, fields: Fields) -> None:
    """ "第1页共3页" markers: the total pages stated and which page numbers are present."""
    totals, seen = [], set()
    for page in sorted({x.page for x in lines}):
        text = "".join(x.match for x in lines if x.page == page)
        for m in _PAGE_MARK.finditer(text):
            number, total = (m[1], m[2]) if m[1] else (m[4], m[3])
            totals.append(int(total))
            seen.add(int(number))
    if totals:
        fields.other["pages_total"] = str(max(totals))
        fields.other["page_numbers"] = ",".join(str(n) for n in sorted(seen))
    fields.other["page_count"] = str(len(extracted.pages))


def extract_fields(material_type: MaterialType, extracted: ExtractedFile) -> Fields:
    """The fields of one file read as ``material_type`` (an unrecognised file yields only page facts)."""
    lines = text_lines(extracted)
    fields = Fields()
    extractor = _EXTRACTORS.get(material_type)
    if extractor is not None:
        extractor(lines, fields)
    _page_marks(lines, extracted, fields)
    return fields
