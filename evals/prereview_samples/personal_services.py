"""Planners of the services for people: 新生儿出生, 退休, 社会保障卡, 教育入学."""

from __future__ import annotations

from evals.prereview_samples.builders import (
    birth_certificate,
    booklet,
    certificate_file,
    form_material,
    hukou_material,
    id_material,
    made_up_place,
    marriage_certificate,
    photo_material,
    power_of_attorney,
    property_certificate,
    social_security_card,
    text_material,
)
from evals.prereview_samples.draw import cn_date
from evals.prereview_samples.people import add_years
from evals.prereview_samples.plan import CaseContext, MaterialPlan

Answers = dict[str, str]


def newborn(ctx: CaseContext, answers: Answers) -> list[MaterialPlan]:
    """新生儿出生: a family with a newborn; the parent whose household the child joins applies."""
    rng, f = ctx.rng, ctx.factory
    family = f.family(newborn=True)
    parent = family.father if answers["follow"] == "father" else family.mother
    married = answers["married"] == "married"
    child = family.child
    cert = birth_certificate(ctx, family)
    members = [(parent, "户主")]
    if rng.random() < 0.3:  # the parent lives in their own parent's household
        elder = f.person("男", (55, 72), surname=parent.surname, address=parent.address)
        members = [(elder, "户主"), (parent, "子" if parent.gender == "男" else "女")]
    if married and rng.random() < 0.5:
        other = family.mother if parent is family.father else family.father
        members.append((other, "妻" if other.gender == "女" else "夫"))
    book = booklet(ctx, members)
    items = "出生医学证明、户口登记" + (
        "、医保参保、社会保障卡申领" if answers["insure"] == "together" else ""
    )
    rows = [
        ("申请人", parent.name),
        ("与新生儿关系", "父亲" if parent is family.father else "母亲"),
        ("身份证号", parent.id_number),
        ("联系电话", parent.phone),
        ("新生儿姓名", child.name),
        ("新生儿性别", child.gender),
        ("出生日期", cn_date(child.birth)),
        ("出生医学证明编号", cert.number),
        ("父亲姓名", family.father.name),
        ("母亲姓名", family.mother.name),
        ("落户地址", book.address),
        ("申请事项", items),
    ]
    plans = [
        form_material(
            ctx,
            "application",
            rows,
            parent,
            names={
                "applicant": parent.name,
                "child": child.name,
                "father": family.father.name,
                "mother": family.mother.name,
            },
            dates={"child_birth": child.birth},
        ),
        id_material(ctx, "parent_id", *((family.father, family.mother) if married else (parent,))),
        ctx.material("birth_medical_cert", [ctx.file(cert, "birth_medical_cert", "certificate")]),
        hukou_material(ctx, f"{answers['follow']}_hukou_book", book, parent),
    ]
    if married:
        marriage = marriage_certificate(ctx, parent, family, pdf=rng.random() < 0.3)
        plans.append(ctx.material("marriage_cert", [certificate_file(ctx, marriage, "marriage_cert")]))
    else:
        statement = [
            ("说明人", parent.name),
            ("身份证号", parent.id_number),
            ("与新生儿关系", "父亲" if parent is family.father else "母亲"),
            ("新生儿姓名", child.name),
            ("出生日期", cn_date(child.birth)),
            (
                "情况说明",
                f"本人与{(family.mother if parent is family.father else family.father).name}未办理结婚登记，"
                f"现申请孩子随{'父' if parent is family.father else '母'}落户，以上情况属实。",
            ),
        ]
        plans.append(
            form_material(ctx, "unmarried_statement", statement, parent, dates={"child_birth": child.birth})
        )
        if answers["follow"] == "father":
            plans.append(
                text_material(
                    ctx,
                    "paternity_test",
                    "亲子鉴定意见书",
                    family.father,
                    company=made_up_place(ctx, "司法鉴定所"),
                    seal=True,
                )
            )
    return plans


def retirement(ctx: CaseContext, answers: Answers) -> list[MaterialPlan]:
    """退休: a person at retirement age (60 for men, 50 or 55 for women)."""
    rng, f = ctx.rng, ctx.factory
    public = answers["staff_type"] == "public"
    gender = rng.choice("男女")
    age = (60, 60) if gender == "男" else ((55, 55) if public or rng.random() < 0.4 else (50, 50))
    person = f.person(gender, age)
    card = social_security_card(ctx, person)
    employer = made_up_place(ctx, "事业发展中心" if public else "实业有限公司")
    rows = [
        ("姓名", person.name),
        ("性别", person.gender),
        ("身份证号", person.id_number),
        ("出生日期", cn_date(person.birth)),
        ("参加工作时间", f"{person.birth.year + rng.randint(18, 23)}年{rng.randint(1, 12):02d}月"),
        ("工作单位", employer),
        ("社会保障卡卡号", card.card_number),
        ("联系电话", person.phone),
        (
            "申请事项",
            "退休审批、基本养老金申领、医保退休待遇"
            + ("、住房公积金提取" if answers["fund"] == "withdraw" else ""),
        ),
    ]
    plans = [
        form_material(ctx, "application", rows, person, dates={"birth": person.birth}),
        id_material(ctx, "id_card", person),
        ctx.material("ss_card", [ctx.file(card, "ss_card", "card")]),
    ]
    if public:
        approval = [
            ("姓名", person.name),
            ("性别", person.gender),
            ("出生年月", f"{person.birth.year}年{person.birth.month:02d}月"),
            ("身份证号", person.id_number),
            ("工作单位", employer),
            (
                "退休时间",
                f"{add_years(person.birth, age[0]).year}年{add_years(person.birth, age[0]).month:02d}月",
            ),
            ("单位意见", "情况属实，同意办理退休。"),
        ]
        plans.append(form_material(ctx, "public_approval_form", approval, person))
    return plans


def social_security_card_service(ctx: CaseContext, answers: Answers) -> list[MaterialPlan]:
    """社会保障卡: the holder applies, or a guardian for a minor, or an agent with a 委托书."""
    f = ctx.factory
    status = answers["status"]
    applicant = answers.get("applicant", "self")
    kind = {"first": "首次申领", "lost": "补领", "damaged": "换领", "has_card": "一卡通应用"}[status]
    if applicant == "minor":
        family = f.family(newborn=False, child_age=(3, 15))
        holder, guardian = family.child, ctx.rng.choice((family.father, family.mother))
        members = [
            (family.father, "户主"),
            (family.mother, "妻"),
            (holder, "子" if holder.gender == "男" else "女"),
        ]
        book = booklet(ctx, members)
    else:
        holder = f.person(age=(20, 62))
        guardian = holder
    agent = f.person(age=(22, 60)) if applicant == "proxy" else None
    signer = agent or guardian
    rows = [
        ("申请类型", kind),
        ("持卡人姓名", holder.name),
        ("性别", holder.gender),
        ("公民身份号码", holder.id_number),
        ("联系电话", guardian.phone),
        ("通讯地址", holder.address),
    ]
    names = {"holder": holder.name}
    ids = {"holder": holder.id_number}
    if applicant == "minor":
        rows += [("监护人姓名", guardian.name), ("监护人身份证号", guardian.id_number)]
        names["guardian"], ids["guardian"] = guardian.name, guardian.id_number
    if agent:
        rows += [("代办人姓名", agent.name), ("代办人身份证号", agent.id_number)]
        names["agent"], ids["agent"] = agent.name, agent.id_number
    if status == "has_card":  # only the 一卡通 sub-item applies: the card is the one material
        return [ctx.material("card", [ctx.file(social_security_card(ctx, holder), "card", "card")])]
    plans = [form_material(ctx, "application", rows, signer, names=names, ids=ids)]
    if applicant in {"self", "proxy"}:
        plans.append(id_material(ctx, "holder_id", holder))
        plans.append(photo_material(ctx, "photo"))
    if applicant == "minor":
        plans.append(hukou_material(ctx, "child_docs", book, holder))
        plans.append(id_material(ctx, "guardian_id", guardian))
    if agent:
        plans.append(id_material(ctx, "agent_id", agent))
        poa = power_of_attorney(ctx, "authorization", holder, agent, "社会保障卡申领（补换领）")
        plans.append(ctx.material("authorization", [poa]))
    if status == "damaged":
        plans.append(
            ctx.material("old_card", [ctx.file(social_security_card(ctx, holder), "old_card", "card")])
        )
    return plans


def school_enrolment(ctx: CaseContext, answers: Answers) -> list[MaterialPlan]:
    """教育入学: a six-year-old, both parents in one 户口簿, an owned or rented home."""
    rng = ctx.rng
    family = ctx.factory.family(newborn=False, child_age=(6, 6))
    child = family.child
    guardian = rng.choice((family.father, family.mother))
    book = booklet(
        ctx, [(family.father, "户主"), (family.mother, "妻"), (child, "子" if child.gender == "男" else "女")]
    )
    rows = [
        ("学生姓名", child.name),
        ("性别", child.gender),
        ("出生日期", cn_date(child.birth)),
        ("学生身份证号", child.id_number),
        ("户籍地址", book.address),
        ("监护人姓名", guardian.name),
        ("与学生关系", "父亲" if guardian is family.father else "母亲"),
        ("监护人身份证号", guardian.id_number),
        ("联系电话", guardian.phone),
        ("报名学段", "小学一年级"),
    ]
    plans = [
        form_material(
            ctx,
            "application",
            rows,
            guardian,
            names={"child": child.name, "guardian": guardian.name},
            ids={"child": child.id_number, "guardian": guardian.id_number},
        ),
        hukou_material(ctx, "hukou_book", book, child),
    ]
    if answers["housing"] == "own":
        owners = (family.father.name, family.mother.name) if rng.random() < 0.5 else (guardian.name,)
        cert = property_certificate(ctx, owners, family.father.address, business=False)
        plans.append(ctx.material("property_cert", [certificate_file(ctx, cert, "property_cert")]))
    else:
        plans.append(text_material(ctx, "lease", "房屋租赁合同", guardian, company=ctx.factory.name("男")))
    return plans
