"""Planners of the services for businesses: 水电气网联合报装, 开办餐饮店, 员工录用, 企业信息变更."""

from __future__ import annotations

import dataclasses

from evals.prereview_samples.builders import (
    certificate_file,
    form_material,
    id_material,
    license_material,
    photo_material,
    power_of_attorney,
    property_certificate,
    text_material,
)
from evals.prereview_samples.draw import cn_date
from evals.prereview_samples.people import add_years
from evals.prereview_samples.plan import CaseContext, MaterialPlan

Answers = dict[str, str]


def utilities_connection(ctx: CaseContext, answers: Answers) -> list[MaterialPlan]:
    """水电气网联合报装: a company (营业执照) or a person (身份证) with its premises."""
    f = ctx.factory
    person = f.person(age=(28, 58))
    company = f.company(person, industry=ctx.rng.choice(("科技", "商贸"))) if ctx.rng.random() < 0.6 else None
    location = company.address if company else person.address
    items = "用水、用电、用网" + ("、用气" if answers["gas"] == "need_gas" else "")
    rows = [
        ("申请单位（人）", company.name if company else person.name),
        ("统一社会信用代码" if company else "身份证号", company.credit_code if company else person.id_number),
        ("联系人", person.name),
        ("联系电话", person.phone),
        ("报装地址", location),
        ("报装项目", items),
        ("用电需求", "高压用电" if answers["power"] == "high" else "低压用电"),
    ]
    names = {"applicant": company.name if company else person.name, "contact": person.name}
    plans = [
        form_material(
            ctx,
            "application",
            rows,
            person,
            names=names,
            ids={} if company else None,
            credit_code=company.credit_code if company else "",
        ),
        license_material(ctx, "applicant_id", company)
        if company
        else id_material(ctx, "applicant_id", person),
    ]
    owner = company.name if company else person.name
    cert = property_certificate(ctx, (owner,), location, business=company is not None)
    plans.append(ctx.material("property_proof", [certificate_file(ctx, cert, "property_proof")]))
    if answers["power"] == "high":
        plans.append(text_material(ctx, "load_list", "用电负荷及主要用电设备清单", person, company=owner))
    if answers["gas"] == "need_gas":
        plans.append(text_material(ctx, "gas_need", "用气设备清单及用气需求说明", person, company=owner))
    return plans


def restaurant(ctx: CaseContext, answers: Answers) -> list[MaterialPlan]:
    """开办餐饮店: an operator, licensed already or not, with premises and food-safety documents."""
    rng, f = ctx.rng, ctx.factory
    operator = f.person(age=(25, 55))
    licensed = answers["has_license"] == "licensed"
    individual = answers.get("entity") == "individual" or (licensed and rng.random() < 0.5)
    company = f.company(operator, industry="餐饮", individual=individual)
    rows = [
        ("经营者姓名", operator.name),
        ("身份证号", operator.id_number),
        ("联系电话", operator.phone),
        ("店铺名称" if licensed else "拟设名称", company.name),
        *([("统一社会信用代码", company.credit_code)] if licensed else []),
        ("经营场所", company.address),
        ("经营项目", "热食类食品制售"),
        (
            "申请事项",
            "营业执照、食品经营许可"
            + ("、消防安全检查" if answers["venue"] == "public_venue" else "")
            + ("、户外招牌设置" if answers["signboard"] == "sign" else ""),
        ),
    ]
    plans = [
        form_material(
            ctx,
            "application",
            rows,
            operator,
            names={"applicant": operator.name, "company": company.name},
            credit_code=company.credit_code if licensed else "",
        ),
        id_material(ctx, "operator_id", operator),
    ]
    owner = operator.name if rng.random() < 0.6 else company.name
    cert = property_certificate(ctx, (owner,), company.address, business=True)
    plans.append(ctx.material("premises", [certificate_file(ctx, cert, "premises")]))
    if licensed:
        plans.append(license_material(ctx, "license", company))
    if answers.get("entity") == "company":
        plans.append(text_material(ctx, "charter", "公司章程", operator, company=company.name))
    plans.append(
        text_material(ctx, "food_layout", "主要设备设施布局及操作流程", operator, company=company.name)
    )
    plans.append(
        text_material(ctx, "food_safety_rules", "食品安全管理制度", operator, company=company.name, seal=True)
    )
    if answers["venue"] == "public_venue":
        fire = [
            ("场所名称", company.name),
            ("场所地址", company.address),
            ("建筑面积", f"{rng.randint(120, 600)}平方米"),
            ("主要负责人", operator.name),
            ("身份证号", operator.id_number),
            ("联系电话", operator.phone),
            ("承诺内容", "本场所符合消防技术标准和管理规定，已落实消防安全责任。"),
        ]
        plans.append(form_material(ctx, "fire_application", fire, operator))
        plans.append(
            text_material(ctx, "fire_plans", "场所平面布置图和消防设施平面图", operator, company=company.name)
        )
    if answers["signboard"] == "sign":
        plans.append(text_material(ctx, "sign_plan", "户外招牌设置方案", operator, company=company.name))
    return plans


def employee_hiring(ctx: CaseContext, answers: Answers) -> list[MaterialPlan]:
    """员工录用: a company hires a mainland employee."""
    rng, f = ctx.rng, ctx.factory
    rep = f.person(age=(30, 58))
    company = f.company(rep, industry=rng.choice(("科技", "商贸")))
    employee = f.person(age=(20, 45))
    start = ctx.signed()
    rows = [
        ("单位名称", company.name),
        ("统一社会信用代码", company.credit_code),
        ("员工姓名", employee.name),
        ("性别", employee.gender),
        ("公民身份号码", employee.id_number),
        ("联系电话", employee.phone),
        ("入职日期", cn_date(start)),
        ("劳动合同期限", f"{cn_date(start)}至{cn_date(add_years(start, 3))}"),
        ("岗位", rng.choice(("软件工程师", "销售专员", "会计", "行政助理"))),
        ("是否已有社会保障卡", "是" if answers["has_card"] == "has" else "否"),
    ]
    plans = [
        form_material(
            ctx,
            "application",
            rows,
            employee,
            names={"applicant": employee.name, "company": company.name},
            credit_code=company.credit_code,
            dates={"start": start},
        ),
        id_material(ctx, "employee_id", employee),
        text_material(ctx, "labor_contract", "劳动合同书", employee, company=company.name, seal=True),
    ]
    if answers["has_card"] == "none":
        plans.append(photo_material(ctx, "photo"))
    if answers["fund_account"] == "none":
        plans.append(license_material(ctx, "unit_license", company))
        fund = [
            ("单位名称", company.name),
            ("统一社会信用代码", company.credit_code),
            ("单位地址", company.address),
            ("法定代表人", rep.name),
            ("法定代表人身份证号", rep.id_number),
            ("联系电话", rep.phone),
            ("缴存比例", f"单位{rng.choice((5, 8, 10, 12))}%、个人同比例"),
        ]
        plans.append(
            form_material(
                ctx,
                "unit_fund_form",
                fund,
                rep,
                names={"applicant": rep.name, "company": company.name},
                credit_code=company.credit_code,
            )
        )
    return plans


def enterprise_info_change(ctx: CaseContext, answers: Answers) -> list[MaterialPlan]:
    """企业信息变更: a company changes one registered item through a 经办人."""
    rng, f = ctx.rng, ctx.factory
    rep = f.person(age=(30, 60))
    company = f.company(rep, industry=rng.choice(("科技", "商贸")))
    if answers["company_type"] == "jsc":
        kind, name = (
            "股份有限公司（非上市、自然人投资或控股）",
            company.name.replace("有限公司", "股份有限公司"),
        )
        company = dataclasses.replace(
            company, kind=kind, name=name, capital=company.capital.replace("万元", "0万元")
        )
    elif answers["company_type"] == "non_company":
        company = dataclasses.replace(
            company, kind="个人独资企业", name=company.name.replace("有限公司", "经营部")
        )
    handler = f.person(age=(23, 50))
    change = answers["change"]
    new_rep = f.person(age=(30, 60)) if change == "legal_rep" else None
    new_address = f.address() if change == "address" else ""
    before, after = {
        "name": (
            company.name,
            company.name.replace(company.name[3:5], "".join(rng.sample("新元泰华兴嘉", 2))),
        ),
        "legal_rep": (rep.name, new_rep.name if new_rep else ""),
        "address": (company.address, new_address),
        "scope": (company.scope, company.scope.rstrip("。") + "；会议及展览服务。"),
        "other": (company.capital, company.capital.replace("万元", "0万元")),
    }[change]
    label = {
        "name": "名称",
        "legal_rep": "法定代表人",
        "address": "住所",
        "scope": "经营范围",
        "other": "注册资本",
    }[change]
    rows = [
        ("企业名称", company.name),
        ("统一社会信用代码", company.credit_code),
        ("法定代表人", rep.name),
        ("变更事项", label),
        ("变更前", before),
        ("变更后", after),
        ("经办人", handler.name),
        ("经办人身份证号", handler.id_number),
        ("联系电话", handler.phone),
    ]
    names = {"company": company.name, "legal_rep": rep.name, "handler": handler.name}
    plans = [
        form_material(
            ctx,
            "application",
            rows,
            rep,
            names=names,
            ids={"handler": handler.id_number},
            credit_code=company.credit_code,
        ),
    ]
    decision = {
        "llc": ("decision_llc", "股东会决议"),
        "jsc": ("decision_jsc", "股东会决议"),
        "non_company": ("decision_non_company", "投资人决定书"),
    }[answers["company_type"]]
    plans.append(text_material(ctx, decision[0], decision[1], rep, company=company.name, seal=True))
    if change != "legal_rep" and answers["company_type"] in {"llc", "jsc"}:
        plans.append(
            text_material(ctx, "charter_amendment", "章程修正案", rep, company=company.name, seal=True)
        )
    if new_rep:
        plans.append(id_material(ctx, "new_rep_docs", new_rep))
    if change == "address":
        cert = property_certificate(ctx, (rng.choice((company.name, rep.name)),), new_address, business=True)
        plans.append(ctx.material("premises", [certificate_file(ctx, cert, "premises")]))
    plans.append(license_material(ctx, "license", company))
    handler_plan = id_material(ctx, "handler_id", handler)
    if rng.random() < 0.7:
        matter = f"{company.name}{label}变更登记"
        handler_plan.files.append(power_of_attorney(ctx, "handler_id", rep, handler, matter, company))
    plans.append(handler_plan)
    return plans
