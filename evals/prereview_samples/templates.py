"""The material templates by type, the labels each one prints, and a sample document of each.

``python -m evals.prereview_samples.templates --out DIR`` writes one PNG per template page (a preview).
The classes live in ``cards``, ``certificates`` and ``forms``; this module ties them to the material types
of ``assistant.prereview.models.MATERIAL_TYPES``.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

from evals.prereview_samples.builders import (
    birth_certificate,
    booklet,
    marriage_certificate,
    property_certificate,
)
from evals.prereview_samples.cards import IdCardBack, IdCardFront, SocialSecurityCard
from evals.prereview_samples.certificates import BusinessLicense
from evals.prereview_samples.document import Document
from evals.prereview_samples.forms import ApplicationForm, PowerOfAttorney, TextDocument
from evals.prereview_samples.people import PeopleFactory
from evals.prereview_samples.plan import CaseContext

_LABELS = {
    "id_card_front": "姓名 性别 民族 出生 住址 公民身份号码",
    "id_card_back": "中华人民共和国 居民身份证 签发机关 有效期限",
    "hukou_booklet": "居民户口簿 户口簿首页 户主姓名 户号 常住人口登记卡 户主或与户主关系 "
    "性别 出生地 民族 出生日期 公民身份号码 第1页 第2页",
    "marriage_certificate": "结婚证 持证人 登记日期 结婚证字号 姓名 性别 出生日期 身份证件号",
    "birth_certificate": "出生医学证明 新生儿姓名 性别 出生时间 出生地点 母亲姓名 父亲姓名 母亲身份证件号码 "
    "父亲身份证件号码 出生证编号 签发日期",
    "business_license": "营业执照 统一社会信用代码 名称 类型 法定代表人 经营范围 "
    "注册资本 成立日期 住所 登记机关",
    "social_security_card": "中华人民共和国社会保障卡 姓名 社会保障号码 卡号 发卡日期",
    "property_certificate": "不动产权证书 权利人 共有情况 坐落 不动产单元号 权利类型 用途 面积",
    "application_form": "申请表 申请人 身份证号 联系电话 申请事项 申请人签字 日期",
    "power_of_attorney": "授权委托书 委托人 受托人 身份证号 委托事项 委托期限 委托人签字 日期",
}
#: material type → labels printed on every document of that type (whitespace ignored).
LABELS: dict[str, tuple[str, ...]] = {kind: tuple(labels.split()) for kind, labels in _LABELS.items()}


def samples(today: date, seed: int = 0) -> dict[str, Document]:
    """One document of each material type (plus an ``unrecognised`` one) for made-up people."""
    rng = random.Random(seed)
    factory = PeopleFactory(rng, today)
    ctx = CaseContext(rng, today, factory)
    family = factory.family(newborn=True)
    father = family.father
    company = factory.company(father, industry="餐饮")
    book = booklet(ctx, [(father, "户主"), (family.mother, "妻")])
    agent = factory.person()
    signed = today - timedelta(days=3)
    form = ApplicationForm(
        title="新生儿出生“一件事”联办申请表",
        rows=(
            ("申请人", father.name),
            ("身份证号", father.id_number),
            ("联系电话", father.phone),
            ("申请事项", "出生医学证明、户口登记"),
        ),
        applicant=father.name,
        signed=signed,
        names=(("applicant", father.name),),
        id_numbers=(("applicant", father.id_number),),
    )
    return {
        "id_card_front": IdCardFront.of(father),
        "id_card_back": IdCardBack.of(father),
        "hukou_booklet": book,
        "marriage_certificate": marriage_certificate(ctx, father, family, pdf=False),
        "birth_certificate": birth_certificate(ctx, family),
        "business_license": BusinessLicense(company, signed),
        "social_security_card": SocialSecurityCard.of(father, signed, rng),
        "property_certificate": property_certificate(ctx, (father.name,), father.address, business=False),
        "application_form": form,
        "power_of_attorney": PowerOfAttorney(
            father.name,
            father.id_number,
            agent.name,
            agent.id_number,
            "社会保障卡申领",
            signed,
            signed + timedelta(30),
        ),
        "unrecognised": TextDocument(
            "食品安全管理制度", ("第一条 为保证食品安全，制定本制度。",), father.name, signed
        ),
    }


def write_previews(out: Path, today: date) -> list[Path]:
    """Render every sample to ``out/<material type>-<page>.png``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for material_type, document in samples(today).items():
        for number, page in enumerate(document.pages(random.Random(1)), 1):
            path = out / f"{material_type}-{number}.png"
            page.save(path)
            written.append(path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write a preview PNG of every material template.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    arguments = parser.parse_args()
    for written in write_previews(arguments.out, arguments.today):
        print(written)
