"""Which material types (``MATERIAL_TYPES``) a checklist material accepts, read from its name.

A material may be satisfied in more than one way ("孩子的居民户口簿或居民身份证": options), and one way
may need several types together: a 居民身份证 needs both sides (人像面 and 国徽面); "授权委托书及经办人身份
证件" needs both documents. ``people`` says how many persons' documents are expected ("父母的…" → 2), and
``role`` whose they are, for the cross-document checks.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final

from assistant.prereview.models import MaterialType

ID_CARD: Final[tuple[MaterialType, ...]] = ("id_card_front", "id_card_back")

#: Keyword → the types that together make that document. Longer keywords are tried first.
_KEYWORDS: Final[dict[str, tuple[MaterialType, ...]]] = {
    "授权委托书": ("power_of_attorney",),
    "委托书": ("power_of_attorney",),
    "出生医学证明": ("birth_certificate",),
    "出生证": ("birth_certificate",),
    "结婚证": ("marriage_certificate",),
    "户口簿": ("hukou_booklet",),
    "户口本": ("hukou_booklet",),
    "营业执照": ("business_license",),
    "社会保障卡": ("social_security_card",),
    "社保卡": ("social_security_card",),
    "不动产权证书": ("property_certificate",),
    "不动产权证": ("property_certificate",),
    "房屋所有权证": ("property_certificate",),
    "房产证": ("property_certificate",),
    "产权证明": ("property_certificate",),
    "房屋权属证明": ("property_certificate",),
    "使用证明": ("property_certificate",),
    "居民身份证": ID_CARD,
    "身份证件": ID_CARD,
    "身份证明": ID_CARD,
    "身份证": ID_CARD,
}
_FORM_ENDINGS: Final = ("表", "表格", "申请书", "申报书", "承诺书")
_FOREIGN: Final = ("香港", "澳门", "台湾", "港澳", "外国", "护照", "永久性居民")
_TRAILING: Final = re.compile(r"(?:原件|复印件|正本|副本|、|及|文件|材料|等|\s)+$")
_ROLES: Final[tuple[tuple[str, str, int], ...]] = (  # word, role, people
    ("父母", "parents", 2),
    ("夫妻", "spouses", 2),
    ("双方", "spouses", 2),
    ("父亲", "father", 1),
    ("母亲", "mother", 1),
    ("配偶", "spouse", 1),
    ("孩子", "child", 1),
    ("子女", "child", 1),
    ("新生儿", "child", 1),
    ("监护人", "guardian", 1),
    ("代办人", "agent", 1),
    ("经办人", "agent", 1),
    ("受托人", "agent", 1),
    ("代理人", "agent", 1),
    ("法定代表人", "legal_representative", 1),
    ("经营者", "legal_representative", 1),
    ("负责人", "legal_representative", 1),
)


@dataclass(frozen=True)
class MaterialNeed:
    """What a material accepts: ``options`` are alternatives, each a set of types needed together."""

    options: tuple[tuple[MaterialType, ...], ...]
    people: int = 1
    role: str = "applicant"  # applicant | parents | father | mother | child | agent | guardian | …

    @property
    def primary(self) -> tuple[MaterialType, ...]:
        return self.options[0]

    @property
    def accepted(self) -> frozenset[MaterialType]:
        """Every type that can count towards this material."""
        return frozenset(t for option in self.options for t in option)

    @property
    def needs_id_card(self) -> bool:
        return any(option == ID_CARD for option in self.options)

    @property
    def expected_count(self) -> int:
        """Files expected for the primary option: both ID sides per person, one file per other document."""
        return sum(self.people if t in ID_CARD else 1 for t in self.primary)


def _clean(name: str) -> tuple[str, str]:
    """(main part, parenthesised parts) of a material name, without 《》 and quotes."""
    name = re.sub(r"[《》〈〉“”\"'‘’「」]", "", name).strip()
    inner = " ".join(re.findall(r"[（(]([^）)]*)[）)]", name))
    main = re.sub(r"[（(][^）)]*[）)]", "", name).strip()
    return main, inner


def _hits(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping keyword hits (start, end, keyword), longest keyword first, in text order."""
    taken: list[tuple[int, int, str]] = []
    for keyword in sorted(_KEYWORDS, key=len, reverse=True):
        for m in re.finditer(re.escape(keyword), text):
            if all(m.end() <= s or e <= m.start() for s, e, _ in taken):
                taken.append((m.start(), m.end(), keyword))
    return sorted(taken)


@functools.cache
def material_need(material_name: str) -> MaterialNeed | None:
    """The types a material with this name accepts, or None when none of ``MATERIAL_TYPES`` fits."""
    main, inner = _clean(material_name)
    if not main:
        return None
    head = _TRAILING.sub("", main)
    role, people = _role(main)
    if head.endswith("委托书") and "及" not in main:
        return MaterialNeed((("power_of_attorney",),))
    if head.endswith(_FORM_ENDINGS):
        return MaterialNeed((("application_form",),))
    if any(word in main for word in _FOREIGN):
        return None
    hits = _hits(main)
    in_main = bool(hits)
    hits = hits or _hits(inner)
    if not hits:
        return None
    types = [_KEYWORDS[keyword] for _, _, keyword in hits]
    unique = list(dict.fromkeys(types))
    if len(unique) > 1 and re.search(r"及|以及|和|并", main) and "或" not in main:
        combined = tuple(dict.fromkeys(t for option in unique for t in option))
        return MaterialNeed((combined,), people, role)
    _, last_end, last_keyword = hits[-1]
    if in_main and "或" not in main and head[last_end:] in ("", "文件", "材料"):
        unique.remove(_KEYWORDS[last_keyword])
        unique.insert(0, _KEYWORDS[last_keyword])
    return MaterialNeed(tuple(unique), people, role)


def material_type_for(material_name: str) -> MaterialType | None:
    """The main type of a material (for an ID card, ``id_card_front``; see :func:`material_need`)."""
    need = material_need(material_name)
    return need.primary[0] if need else None


def expected_count(material_name: str) -> int:
    """How many files the material's main option is expected to take (0 when its type is unknown)."""
    need = material_need(material_name)
    return need.expected_count if need else 0


def note_types(note: str) -> frozenset[MaterialType]:
    """Types a material's note asks for besides the material itself ("委托他人办理的，一并提交授权委托书")."""
    clauses = [
        c for c in re.split(r"[；;。，,]", note) if re.search(r"一并|同时提交|另附|附上|并提交|并提供", c)
    ]
    return frozenset(t for clause in clauses for _, _, keyword in _hits(clause) for t in _KEYWORDS[keyword])


def _role(main: str) -> tuple[str, int]:
    for word, role, people in _ROLES:
        if word in main:
            return role, people
    return "applicant", 1


# ------------------------------------------------------------------------------------------ assignment


@dataclass(frozen=True)
class Candidate:
    """What assignment needs to know about one recognised file."""

    file_id: str
    material_type: MaterialType
    sides: frozenset[str] = frozenset()  # ID cards: {"front"}, {"back"} or both
    person: str = ""  # on an ID card front: the ID number, else the name
    gender: str = ""  # 男 / 女, from the ID number
    title: str = ""  # the first lines (matching form, one a line), for materials known by their title


_GENDER_OF_ROLE: Final = {"father": "男", "mother": "女"}


def _title_pieces(name: str) -> list[str]:
    main, inner = _clean(name)
    main = main.split("的", 1)[-1] if "的" in main[:8] else main
    parts = re.split(r"[、，,/或及和等]", main) + re.split(r"[、，,/或及和等]", inner)
    return [_plain(part) for part in parts if len(_plain(part)) >= 4]


def _plain(text: str) -> str:
    return re.sub(r"[\s《》〈〉“”\"'‘’「」:：,，.。、]", "", text)


def _titled(piece: str, title: str) -> bool:
    """Whether a title line holds the piece, or is itself part of it ("章程修正案" in "公司章程修正案")."""
    for line in title.splitlines():
        plain = _plain(line)
        bare = re.sub(r"[（(][^）)]*[）)]", "", plain)
        if piece in plain or piece in bare or (len(bare) >= 4 and bare in piece):
            return True
    return False


def assign(
    materials: list[tuple[str, str, str]],
    files: list[Candidate],
    known_people: dict[str, set[str]] | None = None,
) -> dict[str, list[str]]:
    """Which files provide which material (material id → file ids), in checklist order.

    Title first (forms and materials without a type, by the words of their name), then each material's
    main option, then its alternatives for materials still empty, ID-card backs to the materials whose
    fronts lack them, and last extra pages or duplicates to a material already holding that kind, and
    documents a material's note asks for besides ("一并提交授权委托书"). ``materials`` are (id, name, note);
    ``known_people`` (role → ID numbers or names read elsewhere, e.g. the 受托人 of a 委托书) steers
    which person's ID card goes to which material.
    """
    needs = {material_id: material_need(name) for material_id, name, _ in materials}
    taken: dict[str, list[Candidate]] = {material_id: [] for material_id, *_ in materials}
    free = list(files)

    def take(material_id: str, found: list[Candidate]) -> None:
        for candidate in found:
            taken[material_id].append(candidate)
            free.remove(candidate)

    for material_id, name, _ in materials:
        need = needs[material_id]
        if need is None or need.primary[0] in ("application_form", "power_of_attorney"):
            pieces = _title_pieces(name)
            take(material_id, [f for f in free if any(_titled(p, f.title) for p in pieces)][:1])
    shared: dict[MaterialType, int] = {}
    for need in needs.values():
        for kind in need.primary if need else ():
            shared[kind] = shared.get(kind, 0) + 1
    for alternatives in (False, True):
        for material_id, *_ in materials:
            need = needs[material_id]
            if need is None or (alternatives and taken[material_id]):
                continue
            for option in need.options[1:] if alternatives else need.options[:1]:
                if found := _pick(option, need, free, shared, known_people or {}):
                    take(material_id, found)
                    break
        for material_id, *_ in materials:
            need = needs[material_id]
            if need is None or not need.needs_id_card:
                continue
            held = taken[material_id]
            fronts = {c.person or c.file_id for c in held if "front" in c.sides}
            id_main = ID_CARD[0] in need.primary if not alternatives else not held
            if fronts or id_main:
                have = sum("back" in c.sides for c in held)
                backs = [c for c in free if c.sides == frozenset({"back"})]
                take(material_id, backs[: max((len(fronts) or need.people) - have, 0)])
    for candidate in list(free):  # duplicates, extra pages and documents a note asks for
        for material_id, _, note in materials:
            held = taken[material_id]
            same_person = candidate.person and any(c.person == candidate.person for c in held)
            extra_page = candidate.material_type not in ID_CARD and any(
                c.material_type == candidate.material_type for c in held
            )
            asked = bool(held) and candidate.material_type in note_types(note)
            if same_person or extra_page or asked:
                take(material_id, [candidate])
                break
    return {material_id: [c.file_id for c in held] for material_id, held in taken.items()}


def _pick(
    option: tuple[MaterialType, ...],
    need: MaterialNeed,
    free: list[Candidate],
    shared: dict[MaterialType, int],
    known_people: dict[str, set[str]],
) -> list[Candidate]:
    """The files one option takes: ID-card fronts for each person (people known in that role first,
    then by the role's gender), other types all of their kind, or one each when several materials list it."""
    found: list[Candidate] = []
    for kind in option:
        if kind == "id_card_back":
            continue
        if kind == "id_card_front":
            known = known_people.get(need.role, set())
            gender = _GENDER_OF_ROLE.get(need.role, "")
            others = set().union(*(v for k, v in known_people.items() if k != need.role))
            fronts = [c for c in free if "front" in c.sides]
            fronts.sort(
                key=lambda c: (c.person not in known, c.person in others, bool(gender) and c.gender != gender)
            )
            people: list[str] = []
            for candidate in fronts:
                key = candidate.person or candidate.file_id
                if key in people or len(people) < need.people:
                    people.append(key)
                    found.append(candidate)
            continue
        same = [c for c in free if c.material_type == kind]
        found += same if shared.get(kind, 0) <= 1 else same[:1]
    return found
