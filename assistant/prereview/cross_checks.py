"""Checks across materials: one person's name and ID number agree on every file, names one character
off an ID card's, parents on the 出生医学证明 and 结婚证, the applicant the citizen says they are, the
户口簿 page of the person it is for, and one 统一社会信用代码 throughout.

Problem codes: name_mismatch, id_mismatch, credit_code_mismatch, parent_mismatch, missing_page.
"""

from __future__ import annotations

import re
from typing import Any, Final

from assistant.prereview.material_types import ID_CARD, MaterialNeed
from assistant.prereview.models import Fields, Problem
from assistant.prereview.validators import check_credit_code, check_id_number
from assistant.textnorm import normalize

ROLE_LABELS: Final = {
    "holder": "持证人", "father": "父亲", "mother": "母亲", "child": "新生儿", "applicant": "申请人",
    "agent": "受托人", "principal": "委托人", "husband": "男方", "wife": "女方", "head": "户主",
    "legal_representative": "法定代表人", "member": "户内成员", "parents": "父母",
}  # fmt: skip
_MISMATCH_ADVICE: Final = (
    "请确认上传的是同一人的材料，并核对各材料上的姓名和证件号码；确有差异的请先到发证机关更正。"
)
Person = tuple[str, str]  # (name, valid ID number or "")
Held = dict[str, list[tuple[str, str, Fields]]]  # material label → (file id, type, fields)


def person_label(role: str, fields: Fields) -> str:
    """The person's name, else what they are on the document (父亲, 受托人 …)."""
    return fields.names.get(role) or ROLE_LABELS.get(role.split("_")[0], "证件持有人")


def _norm(name: str) -> str:
    return re.sub(r"[\s·•.]", "", normalize(name)) if name else ""


def _same(a: Person, b: Person) -> bool:
    """Whether two (name, ID) pairs can be one person: the IDs decide when both have one, else the names."""
    if a[1] and b[1]:
        return a[1] == b[1]
    return not (a[0] and b[0]) or _norm(a[0]) == _norm(b[0])


def persons(fields: Fields) -> dict[str, Person]:
    """Role → (name, ID number if valid)."""
    valid = {role: n for role, n in fields.id_numbers.items() if check_id_number(n).valid}
    return {role: (fields.names.get(role, ""), valid.get(role, "")) for role in {*fields.names, *valid}}


def known_people(files: list[tuple[str, Fields]]) -> dict[str, set[str]]:
    """Material role → names and IDs read on forms, 委托书 and 出生医学证明 (steers ID-card assignment)."""
    roles: dict[str, tuple[str, ...]] = {"applicant": ("applicant",), "principal": ("applicant",)}
    roles |= {"agent": ("agent",), "father": ("father", "parents"), "mother": ("mother", "parents")}
    roles |= {"legal_representative": ("legal_representative",)}
    known: dict[str, set[str]] = {}
    for kind, fields in files:
        if kind not in ID_CARD:
            for role, (name, number) in persons(fields).items():
                for target in roles.get(role, ()):
                    known.setdefault(target, set()).update(v for v in (name, number) if v)
    return known


def _problem(code: str, message: str, file_ids: list[str]) -> Problem:
    return Problem(code, message, _MISMATCH_ADVICE, tuple(dict.fromkeys(file_ids)))


def cross_checks(held: Held, needs: dict[str, MaterialNeed | None], context: dict[str, Any]) -> list[Problem]:
    """Names, ID numbers and credit codes that disagree across materials; names one character off an
    ID card's; ID cards that are not the parents on the 出生医学证明 or the applicant in ``context``;
    a 户口簿 without the page of the person it is for."""
    entries = [
        (m, fid, k, p) for m, files in held.items() for fid, k, f in files for p in persons(f).values()
    ]
    problems = []
    for number in dict.fromkeys(p[1] for *_, p in entries if p[1]):
        same = [(m, fid, p[0]) for m, fid, _, p in entries if p[1] == number and p[0]]
        if len({_norm(name) for *_, name in same}) > 1:
            listed = "、".join(dict.fromkeys(f"{name}（{m}）" for m, _, name in same))
            message = f"同一身份证号码在不同材料上的姓名不一致：{listed}"
            problems.append(_problem("name_mismatch", message, [fid for _, fid, _ in same]))
    for name in dict.fromkeys(_norm(p[0]) for *_, p in entries if p[0] and p[1]):
        same = [(m, fid, p[1]) for m, fid, _, p in entries if _norm(p[0]) == name and p[1]]
        if len({number for *_, number in same}) > 1:
            where = "、".join(dict.fromkeys(m for m, *_ in same))
            message = f"{name}的身份证号码在不同材料上不一致（{where}）"
            problems.append(_problem("id_mismatch", message, [fid for _, fid, _ in same]))
    problems += _near_names(held)
    codes = [(m, fid, f.credit_code) for m, files in held.items() for fid, _, f in files if f.credit_code]
    valid = {code for *_, code in codes if not check_credit_code(code)}
    if len(valid) > 1:
        where = "、".join(dict.fromkeys(m for m, _, code in codes if code in valid))
        problems.append(
            _problem(
                "credit_code_mismatch",
                f"各材料上的统一社会信用代码不一致（{where}）",
                [f for _, f, _ in codes],
            )
        )
    cards = {m: [(fid, persons(f).get("holder", ("", ""))) for fid, k, f in files if k in ID_CARD
                 and "holder" in f.id_numbers | f.names] for m, files in held.items()}  # fmt: skip
    problems += _parent_checks(held, needs, cards) + _key_person_pages(held, needs, cards)
    claimed = (str(context.get("applicant_name", "")), str(context.get("applicant_id_number", "")))
    own = [(fid, p) for m, listed in cards.items() if _role(needs, m) == "applicant" for fid, p in listed]
    if any(claimed) and own and not any(_same(claimed, p) for _, p in own):
        code = "id_mismatch" if claimed[1] else "name_mismatch"
        problems.append(_problem(code, "上传的身份证与填写的申请人信息不一致", [fid for fid, _ in own]))
    return problems


def _role(needs: dict[str, MaterialNeed | None], material: str) -> str:
    need = needs.get(material)
    return need.role if need else ""


def _near_names(held: Held) -> list[Problem]:
    """A name one character off an ID card holder's, written on just one file and with no ID number to
    settle it: most likely that person, misspelt. A name written alike on several files is someone else
    (廖琳 and 梁琳); children and 户口簿 members are left out (siblings share most of a name)."""
    holders = {(_norm(p[0]), p) for files in held.values() for _, k, f in files if k in ID_CARD
               for p in persons(f).values() if p[0]}  # fmt: skip
    files_of: dict[str, set[str]] = {}
    for files in held.values():
        for fid, _, fields in files:
            for name in fields.names.values():
                files_of.setdefault(_norm(name), set()).add(fid)
    problems = []
    for material, files in held.items():
        for fid, kind, fields in files:
            if kind in (*ID_CARD, "hukou_booklet"):
                continue
            for role, person in persons(fields).items():
                name = _norm(person[0])
                if role == "child" or not name or name in {h for h, _ in holders} or len(files_of[name]) > 1:
                    continue
                for holder, card in holders:
                    differ = len(holder) == len(name) and sum(
                        a != b for a, b in zip(holder, name, strict=True)
                    )
                    if differ == 1 and not (person[1] and card[1]):  # with both IDs, the ID checks decide
                        message = f"{material}上的姓名“{person[0]}”与身份证上的“{card[0]}”相差一个字"
                        problems.append(_problem("name_mismatch", message, [fid]))
                        break
    return problems


def _parent_checks(
    held: Held, needs: dict[str, MaterialNeed | None], cards: dict[str, list[tuple[str, Person]]]
) -> list[Problem]:
    """Parents' ID cards and the 结婚证 against the parents on the 出生医学证明."""
    births = [(fid, f) for files in held.values() for fid, k, f in files if k == "birth_certificate"]
    if not births:
        return []
    birth_id, birth = births[0]
    parents = {r: p for r, p in persons(birth).items() if r in ("father", "mother")}
    problems = []
    for material, listed in cards.items():
        role = _role(needs, material)
        allowed = [p for r, p in parents.items() if role in ("parents", r)]
        for fid, person in listed if allowed else ():
            if not any(_same(person, other) for other in allowed):
                who = person[0] or "身份证持有人"
                message = f"{who}的身份证与出生医学证明上的{ROLE_LABELS[role]}信息不一致"
                problems.append(_problem("parent_mismatch", message, [fid, birth_id]))
    for material, files in held.items():
        for fid, _, fields in (x for x in files if x[1] == "marriage_certificate"):
            spouses = [p for r, p in persons(fields).items() if r != "holder"]
            for role, parent in parents.items():
                if spouses and not any(_same(parent, p) for p in spouses):
                    message = f"出生医学证明上的{ROLE_LABELS[role]}{parent[0]}不在{material}上"
                    problems.append(_problem("parent_mismatch", message, [fid, birth_id]))
    return problems


def _key_person_pages(
    held: Held, needs: dict[str, MaterialNeed | None], cards: dict[str, list[tuple[str, Person]]]
) -> list[Problem]:
    """A 户口簿 for someone (父亲的…, 孩子的…, the applicant's) must hold that person's own page."""
    known: dict[str, list[Person]] = {}
    for files in held.values():
        for _, kind, fields in files:
            if kind in ("birth_certificate", "application_form"):
                for role, person in persons(fields).items():
                    if role in ("child", "father", "mother"):
                        known.setdefault(role, []).append(person)
    for material, listed in cards.items():
        if _role(needs, material) == "applicant":
            known.setdefault("applicant", []).extend(p for _, p in listed)
    problems = []
    for material, files in held.items():
        hukou = [(fid, f) for fid, k, f in files if k == "hukou_booklet"]
        role = _role(needs, material)
        members = [p for _, f in hukou for r, p in persons(f).items() if r != "head"]
        if not members or not known.get(role):
            continue
        wanted = known[role][0]
        if wanted[0] and not any(_same(wanted, m) for m in members):
            message = f"{material}中没有{ROLE_LABELS.get(role, '')}{wanted[0]}本人的那一页（常住人口登记卡）"
            problems.append(
                Problem("missing_page", message, "请补充上传户口簿中本人那一页。", tuple(f for f, _ in hukou))
            )
    return problems
