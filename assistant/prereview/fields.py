"""Read the fields of a recognised material from its OCR lines: names, ID numbers, dates, codes, addresses.

Lines are cut into label/value segments ("姓名张小明性别男" → 姓名: 张小明, 性别: 男), the longest label
winning where labels overlap; a label with nothing after it takes the next line. People on multi-person
documents are told apart by the name label before their ID (母亲姓名 … 身份证件号码), or by column when
one row holds two people (the generic parsing is in ``field_parsing``); one reader per material type.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from assistant.prereview.classify import TextLine, find_cue, text_lines
from assistant.prereview.field_parsing import (
    ID_LABELS,
    NAME_RUN,
    Segment,
    clean_name,
    find_credit_code,
    find_ids,
    first,
    id_gender,
    label_spec,
    people,
    segments,
    set_date,
    set_validity,
)
from assistant.prereview.models import ExtractedFile, Fields, MaterialType
from assistant.prereview.validators import (
    parse_date,
    parse_validity,
)

_PAGE_MARK: Final = re.compile(r"第(\d{1,3})页[,/]?共(\d{1,3})页|共(\d{1,3})页[,/]?第(\d{1,3})页")


def _id_card(lines: list[TextLine], fields: Fields) -> None:
    labels = (
        label_spec(
            "姓名=name 性别=gender 民族=ethnicity 出生=birth 住址=address 签发机关=authority "
            "有效期限=validity"
        )
        | ID_LABELS
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
    set_date(fields, "birth", first(segs, "birth"))
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
    set_validity(fields, validity)


def _hukou(lines: list[TextLine], fields: Fields) -> None:
    """One person per 常住人口登记卡 page (or block): name and ID; the index page: 户主, 户号, 住址."""
    labels = (
        label_spec(
            "户别=household_type 户主姓名=head 户号=household_no 住址=address 姓名=name "
            "户主或与户主关系=relation 户主或与户主关=relation 与户主关系=relation 与户主关=relation "
            "性别=gender 出生日期=birth "
            "登记日期=registered 常住人口登记卡=card"
        )
        | ID_LABELS
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
    set_date(fields, "registered", first(segs, "registered"))
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
    run = NAME_RUN.match(value)
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
        | ID_LABELS
    )
    segs = segments(lines, labels)
    names, ids, _ = people(segs, {"child": "child", "mother": "mother", "father": "father"})
    fields.names.update(names)
    fields.id_numbers.update({role: number for role, number in ids.items() if role != "child"})
    set_date(fields, "birth", first(segs, "birth"))
    set_date(fields, "issue", first(segs, "issue"))
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
        | ID_LABELS
    )
    segs = segments(lines, labels)
    names, ids, genders = people(segs, {"name": "*"})
    for role in sorted(set(names) | set(ids)):
        gender = genders.get(role) or id_gender(ids.get(role, ""))
        new = {"男": "husband", "女": "wife"}.get(gender, "")
        new = new if new and new not in fields.names and new not in fields.id_numbers else role
        if role in names:
            fields.names[new] = names[role]
        if role in ids:
            fields.id_numbers[new] = ids[role]
    if holder := clean_name(first(segs, "holder")):
        fields.names["holder"] = holder
    set_date(fields, "registered", first(segs, "registered"))
    fields.registration_number = re.sub(r"[^0-9A-Za-z\-]", "", first(segs, "number"))


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
    set_date(fields, "established", first(segs, "established"))
    set_validity(fields, first(segs, "term"))
    after = [i for i, s in enumerate(segs) if s.key == "authority"]
    tail = " ".join(s.value for s in segs[after[0] :]) if after else ""
    set_date(fields, "registered", tail)


def _social_security(lines: list[TextLine], fields: Fields) -> None:
    labels = {"姓名": "name", "卡号": "card_no", "发卡日期": "issue", "有效期限": "validity", **ID_LABELS}
    segs = segments(lines, labels)
    if name := clean_name(first(segs, "name")):
        fields.names["holder"] = name
    if ids := [i for s in segs if s.key == "id" for i in find_ids(s.value)]:
        fields.id_numbers["holder"] = ids[0]
    fields.registration_number = re.sub(r"[^0-9A-Za-z]", "", first(segs, "card_no"))
    set_date(fields, "issue", first(segs, "issue"))
    set_validity(fields, first(segs, "validity"))


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
    | ID_LABELS
    | {f"{prefix}姓名": role for prefix, role in _ROLE_PREFIXES.items()}
    | {prefix: role for prefix, role in _ROLE_PREFIXES.items() if prefix.endswith("人")}
    | {f"{prefix}签字": role for prefix, role in _ROLE_PREFIXES.items() if prefix.endswith("人")}
    | {f"{prefix}签名": role for prefix, role in _ROLE_PREFIXES.items() if prefix.endswith("人")}
    | {f"{prefix}{surface}": f"id@{role}" for prefix, role in _ROLE_PREFIXES.items() for surface in ID_LABELS}
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
    set_date(fields, "signed", dates[-1] if dates else "")
    set_date(fields, "birth", first(segs, "birth"))
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
