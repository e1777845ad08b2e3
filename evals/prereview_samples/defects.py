"""Planted defects: each edits a case's plan and says which material the checker should flag, and how.

Every defect targets one checked material (never a ``not_checked`` one). ``tolerated_*`` name what a
checker may reasonably report as a consequence of the same edit (a form's mistyped ID number also
disagrees with the ID card) without it counting as a false alarm.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from evals.prereview_samples.cards import IdCardBack, IdCardFront
from evals.prereview_samples.certificates import BirthCertificate, HukouBooklet
from evals.prereview_samples.degrade import unreadable
from evals.prereview_samples.draw import cn_date
from evals.prereview_samples.forms import ApplicationForm, PowerOfAttorney
from evals.prereview_samples.people import add_years, id_validity, spoil_credit_code, spoil_id_number
from evals.prereview_samples.plan import CaseContext, FileSpec, MaterialPlan, substitute

#: code → what it means (documented in evals/datasets/PREREVIEW.md).
DEFECTS: dict[str, str] = {
    "id_check_digit": "an ID number on a filled-in form has one digit changed, so its GB 11643 check fails",
    "id_expired": "the ID card's 有效期限 (back side) ended before today",
    "name_mismatch": "a name on a form or 出生医学证明 differs (one character) from the ID card",
    "missing_page": "a 户口簿 lacks the page of the person concerned, or a PDF lacks a page (第1页 共2页)",
    "credit_code_check": "a 统一社会信用代码 has a wrong GB 32100 check character",
    "missing_material": "a required material was not uploaded at all",
    "id_card_one_side": "only the front (人像面) of an ID card was uploaded",
    "unreadable": "a file is a dark, heavily blurred photo nobody could read",
    "implausible_birth_date": "the newborn's 出生医学证明 shows a child born about five years ago",
}
STATUS = {"missing_material": "missing", "unreadable": "unreadable"}  # all others: suspect
WEIGHTS = {code: 1.0 for code in DEFECTS} | {"implausible_birth_date": 4.0, "missing_page": 1.3}


@dataclass
class Planted:
    """A defect as planted: the material the checker should flag and how."""

    code: str
    material_id: str
    detail: str
    tolerated_problems: tuple[str, ...] = ()
    tolerated_suspect: tuple[str, ...] = ()  # other materials a checker may also flag as suspect
    aliases: tuple[str, ...] = ()  # other codes that report the same finding (count as detecting it)

    @property
    def status(self) -> str:
        return STATUS.get(self.code, "suspect")


Candidate = tuple[MaterialPlan, FileSpec | None]
Planter = Callable[[CaseContext, list[MaterialPlan], Candidate], Planted | None]


def _files(plans: list[MaterialPlan], taken: set[str]) -> list[tuple[MaterialPlan, FileSpec]]:
    return [(p, f) for p in plans if p.checked and p.material_id not in taken for f in p.files]


def _holders(plans: list[MaterialPlan], value: str, exclude: str) -> tuple[str, ...]:
    """Materials (other than ``exclude``) one of whose documents shows ``value``."""
    found = []
    for plan in plans:
        if plan.material_id != exclude and any(value in repr(f.document.fields()) for f in plan.files):
            found.append(plan.material_id)
    return tuple(dict.fromkeys(found))


def candidates(code: str, plans: list[MaterialPlan], taken: set[str]) -> list[Candidate]:
    """Where ``code`` could be planted in this case (empty when it cannot)."""
    files = _files(plans, taken)
    id_fronts = {f.document.name for p in plans for f in p.files if isinstance(f.document, IdCardFront)}
    if code == "id_check_digit":
        return [
            (p, f)
            for p, f in files
            if isinstance(f.document, ApplicationForm | PowerOfAttorney)
            and f.document.fields().get("id_numbers")
        ]
    if code == "id_expired":
        return [(p, f) for p, f in files if isinstance(f.document, IdCardBack) and f.person is not None]
    if code == "name_mismatch":
        return [
            (p, f)
            for p, f in files
            if isinstance(f.document, ApplicationForm | PowerOfAttorney | BirthCertificate)
            and set(f.document.fields().get("names", {}).values()) & id_fronts
        ]
    if code == "credit_code_check":
        return [(p, f) for p, f in files if f.document.fields().get("credit_code")]
    if code == "missing_page":
        return [
            (p, f)
            for p, f in files
            if (isinstance(f.document, HukouBooklet) and f.key_person)
            or (f.fmt == "pdf" and f.document.page_count() > 1)
        ]
    if code == "missing_material":
        return [(p, None) for p in plans if p.checked and p.material_id not in taken and p.files]
    if code == "id_card_one_side":
        return [(p, f) for p, f in files if isinstance(f.document, IdCardBack)]
    if code == "unreadable":
        return [
            (p, f)
            for p, f in files
            if f.fmt != "docx" and (f.pages is not None or f.document.page_count() == 1)
        ]
    if code == "implausible_birth_date":
        return [(p, f) for p, f in files if isinstance(f.document, BirthCertificate)]
    raise ValueError(f"unknown defect code {code!r}")


def plant(ctx: CaseContext, code: str, plans: list[MaterialPlan], target: Candidate) -> Planted | None:
    """Edit ``plans`` to carry ``code`` at ``target``; None when this target cannot take it after all."""
    return PLANTERS[code](ctx, plans, target)


def _id_check_digit(ctx: CaseContext, plans: list[MaterialPlan], target: Candidate) -> Planted | None:
    plan, spec = target
    assert spec is not None
    role, number = ctx.rng.choice(sorted(spec.document.fields()["id_numbers"].items()))
    spoiled = spoil_id_number(number, ctx.rng)
    spec.document = substitute(spec.document, number, spoiled)
    spec.defect = "id_check_digit"
    holders = _holders(plans, number, plan.material_id)
    return Planted(
        "id_check_digit", plan.material_id, f"{role}: {number} → {spoiled}", ("id_mismatch",), holders
    )


def _id_expired(ctx: CaseContext, plans: list[MaterialPlan], target: Candidate) -> Planted | None:
    plan, spec = target
    assert spec is not None and spec.person is not None and isinstance(spec.document, IdCardBack)
    validity = id_validity(spec.person.birth, ctx.today, ctx.rng, expired=True)
    if validity is None:
        return None
    spec.document = dataclasses.replace(spec.document, valid_from=validity[0], valid_until=validity[1])
    spec.defect = "id_expired"
    return Planted("id_expired", plan.material_id, f"{spec.person.name}: {spec.document.validity}")


def _name_mismatch(ctx: CaseContext, plans: list[MaterialPlan], target: Candidate) -> Planted | None:
    plan, spec = target
    assert spec is not None
    fronts = {f.document.name for p in plans for f in p.files if isinstance(f.document, IdCardFront)}
    name = ctx.rng.choice(sorted(set(spec.document.fields()["names"].values()) & fronts))
    altered = ctx.factory.altered_name(name)
    spec.document = substitute(spec.document, name, altered)
    spec.defect = "name_mismatch"
    holders = _holders(plans, name, plan.material_id)
    aliases = ("parent_mismatch",) if isinstance(spec.document, BirthCertificate) else ()
    return Planted(
        "name_mismatch", plan.material_id, f"{name} → {altered}", ("id_mismatch",), holders, aliases
    )


def _credit_code_check(ctx: CaseContext, plans: list[MaterialPlan], target: Candidate) -> Planted | None:
    plan, spec = target
    assert spec is not None
    code = spec.document.fields()["credit_code"]
    spoiled = spoil_credit_code(code, ctx.rng)
    spec.document = substitute(spec.document, code, spoiled)
    spec.defect = "credit_code_check"
    holders = _holders(plans, code, plan.material_id)
    return Planted(
        "credit_code_check", plan.material_id, f"{code} → {spoiled}", ("credit_code_mismatch",), holders
    )


def _missing_page(ctx: CaseContext, plans: list[MaterialPlan], target: Candidate) -> Planted | None:
    plan, spec = target
    assert spec is not None
    document = spec.document
    total = document.page_count()
    if isinstance(document, HukouBooklet) and spec.key_person:
        page = document.page_of(spec.key_person)
        detail = f"户口簿 without the page of {spec.key_person} (page {page} of {total})"
    else:
        page, detail = total, f"page {total} of {total} left out"
    if spec.pages is None:
        spec.pages = tuple(n for n in range(1, total + 1) if n != page)
        spec.defect = "missing_page"
    else:
        plan.files = [f for f in plan.files if f.pages != (page,)]
        plan.files[0].defect = "missing_page"
    return Planted("missing_page", plan.material_id, detail)


def _missing_material(ctx: CaseContext, plans: list[MaterialPlan], target: Candidate) -> Planted | None:
    plan, _ = target
    plan.files = []
    return Planted("missing_material", plan.material_id, f"no file for {plan.name}")


def _id_card_one_side(ctx: CaseContext, plans: list[MaterialPlan], target: Candidate) -> Planted | None:
    plan, spec = target
    assert spec is not None
    plan.files.remove(spec)
    for other in plan.files:
        if isinstance(other.document, IdCardFront) and other.person == spec.person:
            other.defect = "id_card_one_side"
    who = spec.person.name if spec.person else "?"
    return Planted("id_card_one_side", plan.material_id, f"only the front of {who}'s ID card")


def _unreadable(ctx: CaseContext, plans: list[MaterialPlan], target: Candidate) -> Planted | None:
    plan, spec = target
    assert spec is not None
    spec.degradation = unreadable(ctx.rng)
    spec.fmt = "jpg"
    spec.defect = "unreadable"
    return Planted("unreadable", plan.material_id, f"{type(spec.document).__name__} photographed unreadably")


def _implausible_birth_date(ctx: CaseContext, plans: list[MaterialPlan], target: Candidate) -> Planted | None:
    plan, spec = target
    assert spec is not None and isinstance(spec.document, BirthCertificate)
    cert = spec.document
    old = cert.born.date()
    new = add_years(old, -5) - timedelta(days=ctx.rng.randint(0, 60))
    spec.document = dataclasses.replace(
        cert, born=datetime.combine(new, cert.born.time()), issued=new + (cert.issued - old)
    )
    spec.defect = "implausible_birth_date"
    others = []
    for other_plan in plans:
        for other in other_plan.files:
            if other is not spec and cn_date(old) in repr(other.document):
                document = substitute(other.document, cn_date(old), cn_date(new))
                if isinstance(document, ApplicationForm):  # its recorded dates, not the signing date
                    document = dataclasses.replace(document, dates=substitute(document.dates, old, new))
                other.document = document
                others.append(other_plan.material_id)
    return Planted("implausible_birth_date", plan.material_id, f"born {new.isoformat()}", (), tuple(others))


PLANTERS: dict[str, Planter] = {
    "id_check_digit": _id_check_digit,
    "id_expired": _id_expired,
    "name_mismatch": _name_mismatch,
    "credit_code_check": _credit_code_check,
    "missing_page": _missing_page,
    "missing_material": _missing_material,
    "id_card_one_side": _id_card_one_side,
    "unreadable": _unreadable,
    "implausible_birth_date": _implausible_birth_date,
}
