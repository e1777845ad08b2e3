"""Building blocks the service planners share: ID card pairs, 户口簿, certificates, forms, other documents."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from evals.prereview_samples.cards import IdCardBack, IdCardFront, Portrait, SocialSecurityCard
from evals.prereview_samples.certificates import (
    BirthCertificate,
    BusinessLicense,
    HukouBooklet,
    HukouMember,
    MarriageCertificate,
    PropertyCertificate,
)
from evals.prereview_samples.forms import ApplicationForm, PowerOfAttorney, TextDocument
from evals.prereview_samples.people import TRADE_WORDS, Company, Family, Person, add_years
from evals.prereview_samples.plan import CaseContext, FileSpec, MaterialPlan


def id_card_files(ctx: CaseContext, person: Person, material_id: str) -> list[FileSpec]:
    """Both sides of ``person``'s 居民身份证, one image each."""
    fmt = ctx.fmt("card")
    return [
        ctx.file(IdCardFront.of(person), material_id, "card", fmt=fmt, person=person),
        ctx.file(IdCardBack.of(person), material_id, "card", fmt=fmt, person=person),
    ]


def id_material(ctx: CaseContext, material_id: str, *people: Person) -> MaterialPlan:
    return ctx.material(material_id, [f for p in people for f in id_card_files(ctx, p, material_id)])


def booklet(ctx: CaseContext, members: list[tuple[Person, str]]) -> HukouBooklet:
    """A 户口簿 whose first member is the 户主; each member registered some years ago."""
    rng = ctx.rng
    head = members[0][0]
    entries = []
    for person, relation in members:
        earliest = max(person.birth + timedelta(days=30), ctx.today - timedelta(days=20 * 365))
        span = max(1, (ctx.today - earliest).days - 20)
        registered = earliest + timedelta(days=rng.randint(0, span))
        adult = (ctx.today - person.birth).days > 18 * 365
        entries.append(
            HukouMember(
                person,
                relation,
                registered,
                education=rng.choice(("大学本科", "大学专科", "高中", "研究生")) if adult else "",
                marital=("已婚" if relation in {"户主", "妻", "夫"} else "未婚") if adult else "",
                occupation=rng.choice(("职员", "工程师", "教师", "个体经营")) if adult else "",
            )
        )
    issued = min(e.registered for e in entries)
    station = f"{ctx.region.district}{rng.choice(('安康', '明德', '兴华', '和顺', '望湖', '春晖'))}派出所"
    return HukouBooklet(f"{rng.randint(100000000, 999999999)}", head.address, station, issued, tuple(entries))


def hukou_material(
    ctx: CaseContext, material_id: str, book: HukouBooklet, key_person: Person
) -> MaterialPlan:
    """A 户口簿 as one PDF, or as one photo per page."""
    if ctx.rng.random() < 0.45:
        return ctx.material(
            material_id, [ctx.file(book, material_id, "certificate", fmt="pdf", key_person=key_person.name)]
        )
    pages = len(book.members) + 1
    fmt = ctx.rng.choice(("jpg", "jpg", "png"))
    files = [
        ctx.file(book, material_id, "certificate", fmt=fmt, pages=(n,), key_person=key_person.name)
        for n in range(1, pages + 1)
    ]
    return ctx.material(material_id, files)


def made_up_place(ctx: CaseContext, suffix: str) -> str:
    """An invented institution in the case's district, e.g. ``天河区嘉瑞妇产医院``."""
    return ctx.region.district + "".join(ctx.rng.sample(TRADE_WORDS, 2)) + suffix


def birth_certificate(ctx: CaseContext, family: Family) -> BirthCertificate:
    rng = ctx.rng
    child = family.child
    born = datetime.combine(child.birth, time(rng.randint(0, 23), rng.randint(0, 59)))
    return BirthCertificate(
        child_name=child.name,
        gender=child.gender,
        born=born,
        place=ctx.region.place,
        hospital=made_up_place(ctx, rng.choice(("妇产医院", "妇幼医院", "医院"))),
        mother=family.mother,
        father=family.father,
        number=rng.choice("NOPQRS") + f"{rng.randint(0, 999999999):09d}",
        issued=child.birth + timedelta(days=rng.randint(1, 6)),
        weeks=rng.randint(37, 41),
        weight_g=rng.randint(2800, 3900),
        length_cm=rng.randint(47, 53),
    )


def marriage_certificate(ctx: CaseContext, holder: Person, family: Family, pdf: bool) -> MarriageCertificate:
    rng = ctx.rng
    f, m = family.father, family.mother
    lower = max(add_years(f.birth, 22), add_years(m.birth, 20), ctx.today - timedelta(days=9 * 365))
    upper = max(lower, family.child.birth - timedelta(days=120))
    registered = lower + timedelta(days=rng.randint(0, (upper - lower).days))
    number = f"J{ctx.region.code}-{registered.year}-{rng.randint(1, 19999):06d}"
    authority = f"{ctx.region.city}{ctx.region.district}民政局"
    return MarriageCertificate(holder, f, m, registered, number, authority, with_cover=pdf)


def property_certificate(
    ctx: CaseContext, owners: tuple[str, ...], location: str, *, business: bool
) -> PropertyCertificate:
    rng = ctx.rng
    r = ctx.region
    issued = ctx.today - timedelta(days=rng.randint(100, 12 * 365))
    return PropertyCertificate(
        owners=owners,
        location=location,
        unit_number=f"{r.code}{rng.randint(1, 999999):06d}GB{rng.randint(1, 99999):05d}"
        f"F{rng.randint(1, 99999999):08d}",
        certificate_number=f"{r.short}（{issued.year}）{r.city}不动产权第{rng.randint(1, 9999999):07d}号",
        usage="商业服务用地/商业" if business else "城镇住宅用地/住宅",
        area_m2=round(rng.uniform(45, 160), 2),
        land_until=add_years(issued, rng.choice((40, 50, 70)) - rng.randint(1, 8)),
        issued=issued,
        authority=f"{r.city}不动产登记中心",
        two_pages=rng.random() < 0.5,
    )


def certificate_file(
    ctx: CaseContext, document: PropertyCertificate | MarriageCertificate, material_id: str
) -> FileSpec:
    """A certificate with an optional second page: all of it as a PDF, otherwise its main page as an image."""
    if document.page_count() > 1:
        return ctx.file(document, material_id, "certificate", fmt="pdf")
    fmt = ctx.rng.choice(("jpg", "jpg", "png"))
    return ctx.file(document, material_id, "certificate", fmt=fmt)


def license_material(ctx: CaseContext, material_id: str, company: Company) -> MaterialPlan:
    issued = company.established + timedelta(
        days=ctx.rng.randint(0, max(1, (ctx.today - company.established).days - 30))
    )
    document = BusinessLicense(company, issued, copy=ctx.rng.random() < 0.7)
    return ctx.material(material_id, [ctx.file(document, material_id, "certificate")])


def social_security_card(ctx: CaseContext, person: Person) -> SocialSecurityCard:
    earliest = max(person.birth + timedelta(days=60), ctx.today - timedelta(days=9 * 365))
    issued = earliest + timedelta(days=ctx.rng.randint(0, max(1, (ctx.today - earliest).days - 30)))
    return SocialSecurityCard.of(person, issued, ctx.rng)


def form_material(
    ctx: CaseContext,
    material_id: str,
    rows: list[tuple[str, str]],
    applicant: Person,
    *,
    title: str = "",
    names: dict[str, str] | None = None,
    ids: dict[str, str] | None = None,
    credit_code: str = "",
    dates: dict[str, date] | None = None,
) -> MaterialPlan:
    """A filled-in form (title defaults to the checklist name), signed by ``applicant``."""
    fmt = ctx.fmt("form")
    document = ApplicationForm(
        title=title or ctx.names.get(material_id, material_id),
        rows=tuple(rows),
        applicant=applicant.name,
        signed=ctx.signed(),
        names=tuple((names or {"applicant": applicant.name}).items()),
        id_numbers=tuple((ids if ids is not None else {"applicant": applicant.id_number}).items()),
        credit_code=credit_code,
        dates=tuple((dates or {}).items()),
        two_pages=fmt == "pdf" and ctx.rng.random() < 0.5,
    )
    return ctx.material(material_id, [ctx.file(document, material_id, "form", fmt=fmt)])


def power_of_attorney(
    ctx: CaseContext,
    material_id: str,
    principal: Person,
    agent: Person,
    matter: str,
    company: Company | None = None,
) -> FileSpec:
    start = ctx.signed()
    document = PowerOfAttorney(
        principal=principal.name,
        principal_id="" if company else principal.id_number,
        agent=agent.name,
        agent_id=agent.id_number,
        matter=matter,
        valid_from=start,
        valid_until=start + timedelta(days=ctx.rng.choice((30, 90, 180))),
        company=company.name if company else "",
        credit_code=company.credit_code if company else "",
    )
    fmt = ctx.rng.choice(("jpg", "png", "pdf", "docx"))
    return ctx.file(document, material_id, "form", fmt=fmt)


TEXTS = {
    "公司章程": (
        "第一条 为规范公司的组织和行为，根据《中华人民共和国公司法》制定本章程。",
        "第二条 公司名称：{company}。",
    ),
    "章程修正案": (
        "根据股东会决议，对公司章程作如下修改：",
        "原章程第四条修改为：公司住所（经营范围）以登记机关核准的为准。",
    ),
    "股东会决议": (
        "{company}股东会于{day}召开，应到股东全部到会，会议由执行董事主持。",
        "经表决，全体股东一致同意本次变更登记事项。",
    ),
    "劳动合同书": (
        "甲方（用人单位）：{company}",
        "乙方（劳动者）：{person}",
        "双方根据《中华人民共和国劳动合同法》，经平等协商订立本合同。",
    ),
    "房屋租赁合同": (
        "出租方（甲方）：{company}",
        "承租方（乙方）：{person}",
        "甲方将位于{address}的房屋出租给乙方使用，租期一年。",
    ),
}


def text_material(
    ctx: CaseContext, material_id: str, title: str, signer: Person, *, company: str = "", seal: bool = False
) -> MaterialPlan:
    """A material outside the recognised types, as a titled document (expected status ``not_checked``)."""
    template = TEXTS.get(title, (f"{title}。", "本文件内容真实、完整，特此说明。"))
    paragraphs = tuple(
        p.format(
            company=company or signer.name,
            person=signer.name,
            day=ctx.signed().isoformat(),
            address=signer.address,
        )
        for p in template
    )
    document = TextDocument(title, paragraphs, signer.name, ctx.signed(), seal_text=company if seal else "")
    return ctx.material(material_id, [ctx.file(document, material_id, "text")], checked=False)


def photo_material(ctx: CaseContext, material_id: str) -> MaterialPlan:
    """A 证件照 (no text; expected status ``not_checked``)."""
    background = ctx.rng.choice(((67, 142, 219), (255, 255, 255), (200, 40, 40)))
    return ctx.material(
        material_id, [ctx.file(Portrait(background), material_id, "card", fmt="jpg")], checked=False
    )
