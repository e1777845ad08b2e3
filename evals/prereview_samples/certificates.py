"""Certificates: 居民户口簿, 结婚证, 出生医学证明, 营业执照, 不动产权证书."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

from PIL import Image

from evals.prereview_samples.document import Document, FieldsDict, make_fields
from evals.prereview_samples.draw import (
    INK,
    LABEL,
    RED,
    Canvas,
    Cell,
    cn_date,
    grid,
    photo_box,
    qr_placeholder,
    seal,
    security_background,
    signature,
)
from evals.prereview_samples.people import Company, Person

BOOKLET = (1240, 1000)
A4_LANDSCAPE = (1400, 990)
BIRTH = (1400, 1100)


def _l(text: str, span: int = 1) -> Cell:
    return (text, span, True)


def _v(text: str, span: int = 1) -> Cell:
    return (text, span, False)


@dataclass(frozen=True)
class HukouMember:
    """One 常住人口登记卡 page of a 户口簿."""

    person: Person
    relation: str  # 户主 妻 夫 子 女 父 母 …
    registered: date
    education: str = "大学本科"
    marital: str = "已婚"
    occupation: str = "职员"


@dataclass(frozen=True)
class HukouBooklet(Document):
    """居民户口簿: the 户口簿首页 then one 常住人口登记卡 per member, each page marked 第N页 共M页."""

    material_type = "hukou_booklet"
    household_number: str
    address: str
    station: str  # 派出所 that keeps the register
    issued: date
    members: tuple[HukouMember, ...]

    @property
    def head(self) -> Person:
        return next(m.person for m in self.members if m.relation == "户主")

    def page_of(self, person_name: str) -> int:
        """The 1-based page number of ``person_name``'s 常住人口登记卡 (the 首页 is page 1)."""
        return next(i for i, m in enumerate(self.members, 2) if m.person.name == person_name)

    def page_count(self) -> int:
        return len(self.members) + 1

    def pages(self, rng: random.Random) -> list[Image.Image]:
        total = len(self.members) + 1
        pages = [self._first_page(rng, total)]
        pages += [self._member_page(m, n, total, rng) for n, m in enumerate(self.members, 2)]
        return pages

    def _first_page(self, rng: random.Random, total: int) -> Image.Image:
        canvas = Canvas.on(security_background(*BOOKLET, tint=(246, 240, 228), strength=0.5))
        canvas.text((60, 40), "户口簿首页", 24, fill=LABEL)
        canvas.text((BOOKLET[0] / 2, 120), "居民户口簿", 60, bold=True, serif=True, anchor="mm", spacing=18)
        rows = [
            [_l("户别"), _v("家庭户"), _l("户主姓名"), _v(self.head.name)],
            [_l("户号"), _v(self.household_number), _l("住址"), _v(self.address)],
            [_l("户口专用章"), _v(""), _l("承办人签章"), _v("")],
        ]
        bottom = grid(canvas, (80, 210), [220, 300, 220, 340], rows, 130, 30)
        seal(canvas.image, (420, bottom - 70), 80, self.station, "户口专用章", rng)
        signature(canvas.image, (900, bottom - 65), rng.choice("王李张刘陈") + rng.choice("敏军涛"), 38, rng)
        canvas.text((820, bottom + 60), f"签发日期：{cn_date(self.issued)}", 28)
        canvas.footer(1, total)
        return canvas.image

    def _member_page(self, member: HukouMember, page: int, total: int, rng: random.Random) -> Image.Image:
        canvas = Canvas.on(security_background(*BOOKLET, tint=(246, 240, 228), strength=0.5))
        p = member.person
        canvas.text(
            (BOOKLET[0] / 2, 60), "常住人口登记卡", 44, bold=True, serif=True, anchor="mm", spacing=10
        )
        birthplace = p.region.province + (p.region.city if p.region.city != p.region.province else "")
        rows = [
            [_l("姓名"), _v(p.name), _l("户主或与户主关系"), _v(member.relation)],
            [_l("曾用名"), _v(""), _l("性别"), _v(p.gender)],
            [_l("出生地"), _v(birthplace), _l("民族"), _v(p.ethnicity)],
            [_l("籍贯"), _v(birthplace), _l("出生日期"), _v(cn_date(p.birth))],
            [_l("本市（县）其他住址"), _v("", 3)],
            [_l("宗教信仰"), _v(""), _l("公民身份号码"), _v(p.id_number)],
            [_l("文化程度"), _v(member.education), _l("婚姻状况"), _v(member.marital)],
            [_l("服务处所"), _v(""), _l("职业"), _v(member.occupation)],
            [_l("何时由何地迁来本址"), _v("", 3)],
        ]
        bottom = grid(canvas, (70, 110), [260, 250, 250, 340], rows, 64, 26)
        canvas.text((90, bottom + 50), "承办人签章：", 26)
        signature(canvas.image, (270, bottom + 64), rng.choice("王李张刘陈") + rng.choice("敏军涛"), 34, rng)
        canvas.text((700, bottom + 50), f"登记日期：{cn_date(member.registered)}", 26)
        seal(canvas.image, (1030, bottom + 40), 70, self.station, "户口专用章", rng)
        canvas.footer(page, total)
        return canvas.image

    def fields(self, pages: tuple[int, ...] | None = None) -> FieldsDict:
        shown = set(pages or range(1, self.page_count() + 1))
        names, ids = {}, {}
        if 1 in shown:
            names["head"] = self.head.name
        for n, m in enumerate(self.members, 1):
            if n + 1 in shown:
                names[f"member_{n}"] = m.person.name
                ids[f"member_{n}"] = m.person.id_number
        first = 1 in shown
        return make_fields(
            names=names,
            id_numbers=ids,
            dates={"issue": self.issued} if first else None,
            address=self.address if first else "",
            registration_number=self.household_number if first else "",
        )


@dataclass(frozen=True)
class MarriageCertificate(Document):
    """结婚证: 持证人 登记日期 结婚证字号 and both spouses; as a PDF with its cover page first."""

    material_type = "marriage_certificate"
    holder: Person
    husband: Person
    wife: Person
    registered: date
    number: str
    authority: str  # 婚姻登记机关
    with_cover: bool = False

    def page_count(self) -> int:
        return 2 if self.with_cover else 1

    def pages(self, rng: random.Random) -> list[Image.Image]:
        inner = self._inner(rng)
        return [self._cover(), inner] if self.with_cover else [inner]

    def _cover(self) -> Image.Image:
        canvas = Canvas(*BOOKLET, color=(178, 30, 36))
        canvas.draw.ellipse((520, 170, 720, 370), outline=(236, 196, 96), width=10)
        canvas.text(
            (BOOKLET[0] / 2, 520),
            "结婚证",
            120,
            fill=(236, 196, 96),
            bold=True,
            serif=True,
            anchor="mm",
            spacing=30,
        )
        canvas.footer(1, 2)
        return canvas.image

    def _inner(self, rng: random.Random) -> Image.Image:
        canvas = Canvas.on(security_background(*BOOKLET, tint=(250, 236, 232), strength=0.5))
        canvas.text(
            (BOOKLET[0] / 2, 60), "结婚证", 54, fill=RED, bold=True, serif=True, anchor="mm", spacing=20
        )
        y = 150
        for label, value in (
            ("持证人", self.holder.name),
            ("登记日期", cn_date(self.registered)),
            ("结婚证字号", self.number),
            ("备注", ""),
        ):
            canvas.text((70, y), label, 28, fill=LABEL)
            canvas.text((240, y - 4), value, 32)
            y += 70
        seal(canvas.image, (330, 520), 105, self.authority, "婚姻登记专用章", rng)
        photo = (640, 120, 1160, 400)
        canvas.draw.rectangle(photo, fill=(200, 40, 40))
        photo_box(canvas.image, (670, 150, 900, 400), background=(200, 40, 40))
        photo_box(canvas.image, (900, 150, 1130, 400), background=(200, 40, 40))
        y = 440
        for spouse in (self.husband, self.wife):
            canvas.text((630, y), f"姓名　{spouse.name}", 25)
            canvas.text((870, y), f"性别　{spouse.gender}", 25)
            canvas.text((630, y + 44), "国籍　中国", 25)
            canvas.text((870, y + 44), f"出生日期　{cn_date(spouse.birth)}", 25)
            canvas.text((630, y + 88), f"身份证件号　{spouse.id_number}", 25)
            y += 170
        if self.with_cover:
            canvas.footer(2, 2)
        return canvas.image

    def fields(self, pages: tuple[int, ...] | None = None) -> FieldsDict:
        return make_fields(
            names={"holder": self.holder.name, "husband": self.husband.name, "wife": self.wife.name},
            id_numbers={"husband": self.husband.id_number, "wife": self.wife.id_number},
            dates={"registered": self.registered},
            registration_number=self.number,
        )


@dataclass(frozen=True)
class BirthCertificate(Document):
    """出生医学证明: the newborn, birth time and place, both parents with ID numbers, 出生证编号."""

    material_type = "birth_certificate"
    child_name: str
    gender: str
    born: datetime
    place: str
    hospital: str
    mother: Person
    father: Person
    number: str
    issued: date
    weeks: int = 39
    weight_g: int = 3300
    length_cm: int = 50

    def pages(self, rng: random.Random) -> list[Image.Image]:
        canvas = Canvas.on(security_background(*BIRTH, tint=(240, 244, 236), strength=0.6))
        canvas.text((BIRTH[0] / 2, 80), "出生医学证明", 64, bold=True, serif=True, anchor="mm", spacing=14)
        canvas.text((BIRTH[0] / 2, 140), "Medical Certificate of Birth", 26, fill=LABEL, anchor="mm")
        canvas.text((BIRTH[0] - 80, 190), f"出生证编号：{self.number}", 28, fill=RED, anchor="ra")
        b = self.born
        born = f"{b.year}年{b.month:02d}月{b.day:02d}日{b.hour:02d}时{b.minute:02d}分"
        m, f = self.mother, self.father
        rows = [
            [
                _l("新生儿姓名"),
                _v(self.child_name),
                _l("性别"),
                _v(self.gender),
                _l("出生孕周"),
                _v(f"{self.weeks}周"),
            ],
            [_l("出生时间"), _v(born, 3), _l("出生体重"), _v(f"{self.weight_g}克")],
            [_l("出生地点"), _v(self.place, 3), _l("出生身长"), _v(f"{self.length_cm}厘米")],
            [_l("医疗机构名称"), _v(self.hospital, 5)],
            [
                _l("母亲姓名"),
                _v(m.name),
                _l("年龄"),
                _v(str(_age(m.birth, self.born.date()))),
                _l("民族"),
                _v(m.ethnicity),
            ],
            [_l("母亲身份证件号码"), _v(m.id_number, 5)],
            [
                _l("父亲姓名"),
                _v(f.name),
                _l("年龄"),
                _v(str(_age(f.birth, self.born.date()))),
                _l("民族"),
                _v(f.ethnicity),
            ],
            [_l("父亲身份证件号码"), _v(f.id_number, 5)],
        ]
        bottom = grid(canvas, (75, 235), [270, 240, 160, 210, 160, 210], rows, 72, 28)
        canvas.text((800, bottom + 70), f"签发日期：{cn_date(self.issued)}", 30)
        seal(canvas.image, (1110, bottom + 80), 95, self.hospital, "出生医学证明专用章", rng)
        return [canvas.image]

    def fields(self, pages: tuple[int, ...] | None = None) -> FieldsDict:
        return make_fields(
            names={"child": self.child_name, "mother": self.mother.name, "father": self.father.name},
            id_numbers={"mother": self.mother.id_number, "father": self.father.id_number},
            dates={"birth": self.born.date(), "issue": self.issued},
            address=self.place,
            registration_number=self.number,
        )


def _age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class BusinessLicense(Document):
    """营业执照 (副本): 统一社会信用代码 名称 类型 法定代表人 经营范围 注册资本 成立日期 住所 and a seal."""

    material_type = "business_license"
    company: Company
    issued: date
    copy: bool = True

    def pages(self, rng: random.Random) -> list[Image.Image]:
        c = self.company
        w, h = A4_LANDSCAPE
        canvas = Canvas.on(security_background(w, h, tint=(250, 246, 236), strength=0.4))
        canvas.box((30, 30, w - 30, h - 30), width=10, outline=(196, 150, 70))
        canvas.box((48, 48, w - 48, h - 48), width=3, outline=(196, 150, 70))
        canvas.text((90, 95), "统一社会信用代码", 24)
        canvas.text((90, 132), c.credit_code, 28, spacing=1)
        canvas.text((w / 2, 170), "营业执照", 96, fill=RED, bold=True, serif=True, anchor="mm", spacing=28)
        if self.copy:
            canvas.text((w / 2, 250), "（副　本）", 32, anchor="mm")
        qr_placeholder(canvas.image, (1160, 80, 1310, 230), rng)
        rep = "经营者" if c.individual else "法定代表人"
        left = [("名　　称", c.name), ("类　　型", c.kind), (rep, c.legal_rep.name), ("经营范围", c.scope)]
        right = [
            ("注册资本", c.capital) if c.capital else ("组成形式", "个人经营"),
            ("成立日期", cn_date(c.established)),
            ("营业期限", "长期"),
            ("住　　所" if not c.individual else "经营场所", c.address),
        ]
        for column, x, width in ((left, 100, 600), (right, 750, 540)):
            y: float = 320
            for label, value in column:
                canvas.text((x, y), label, 28, fill=INK, bold=True)
                y = canvas.wrapped((x + 150, y), value, 28, width - 150, gap=1.4) + 22
        canvas.text((860, 810), "登记机关", 30, bold=True)
        canvas.text((1060, 870), cn_date(self.issued), 28, anchor="ma")
        seal(canvas.image, (1120, 800), 105, c.region.regulator, "", rng)
        canvas.text(
            (w / 2, h - 70),
            "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn",
            20,
            fill=LABEL,
            anchor="mm",
        )
        return [canvas.image]

    def fields(self, pages: tuple[int, ...] | None = None) -> FieldsDict:
        c = self.company
        return make_fields(
            names={"company": c.name, "legal_rep": c.legal_rep.name},
            credit_code=c.credit_code,
            dates={"established": c.established, "issue": self.issued},
            address=c.address,
            other={"kind": c.kind},
        )


@dataclass(frozen=True)
class PropertyCertificate(Document):
    """不动产权证书: 权利人 共有情况 坐落 不动产单元号 权利类型 用途 面积; page 2 is the 附图页."""

    material_type = "property_certificate"
    owners: tuple[str, ...]
    location: str
    unit_number: str
    certificate_number: str  # 粤（2021）广州市不动产权第0123456号
    usage: str
    area_m2: float
    land_until: date
    issued: date
    authority: str  # 不动产登记机构
    two_pages: bool = False

    def page_count(self) -> int:
        return 2 if self.two_pages else 1

    def pages(self, rng: random.Random) -> list[Image.Image]:
        w, h = 1240, 1754
        canvas = Canvas.on(security_background(w, h, tint=(246, 244, 236), strength=0.4))
        canvas.text((w / 2, 110), "不动产权证书", 64, bold=True, serif=True, anchor="mm", spacing=16)
        canvas.text((w / 2, 210), self.certificate_number, 32, anchor="mm")
        sharing = "单独所有" if len(self.owners) == 1 else "共同共有"
        rows = [
            [_l("权利人"), _v("、".join(self.owners))],
            [_l("共有情况"), _v(sharing)],
            [_l("坐落"), _v(self.location)],
            [_l("不动产单元号"), _v(self.unit_number)],
            [_l("权利类型"), _v("国有建设用地使用权/房屋所有权")],
            [_l("权利性质"), _v("出让/市场化商品房")],
            [_l("用途"), _v(self.usage)],
            [_l("面积"), _v(f"共有宗地面积{self.area_m2 * 9.3:.2f}㎡/房屋建筑面积{self.area_m2:.2f}㎡")],
            [_l("使用期限"), _v(f"国有建设用地使用权 {cn_date(self.land_until)}止")],
            [
                _l("权利其他状况"),
                _v(f"专有建筑面积：{self.area_m2 * 0.82:.2f}㎡，分摊建筑面积：{self.area_m2 * 0.18:.2f}㎡"),
            ],
        ]
        bottom = grid(canvas, (110, 290), [260, 760], rows, 104, 30)
        canvas.text((720, bottom + 110), f"登记机构：{self.authority}", 30)
        canvas.text((720, bottom + 170), cn_date(self.issued), 30)
        seal(canvas.image, (880, bottom + 130), 110, self.authority, "", rng)
        pages = [canvas.image]
        if self.two_pages:
            canvas.footer(1, 2)
            pages.append(self._plan_page(rng))
        return pages

    def _plan_page(self, rng: random.Random) -> Image.Image:
        canvas = Canvas(1240, 1754, color=(252, 251, 246))
        canvas.text((620, 110), "附图页", 52, bold=True, anchor="mm", spacing=12)
        canvas.text((160, 200), f"坐落：{self.location}", 28)
        x0, y0 = 220, 320
        for _ in range(5):
            x, y = x0 + rng.randint(0, 500), y0 + rng.randint(0, 600)
            canvas.box((x, y, x + rng.randint(150, 320), y + rng.randint(150, 300)), width=4)
        canvas.box((x0 - 20, y0 - 20, x0 + 860, y0 + 960), width=6)
        canvas.text((620, 1400), f"房屋建筑面积：{self.area_m2:.2f}㎡", 30, anchor="mm")
        canvas.footer(2, 2)
        return canvas.image

    def fields(self, pages: tuple[int, ...] | None = None) -> FieldsDict:
        return make_fields(
            names={f"owner_{i}": n for i, n in enumerate(self.owners, 1)},
            dates={"issue": self.issued},
            address=self.location,
            registration_number=self.unit_number,
            other={"certificate_number": self.certificate_number},
        )
