"""Made-up people, families and companies for synthetic pre-review materials (seeded, deterministic).

Names are random combinations of common characters; ID numbers (GB 11643) and 统一社会信用代码
(GB 32100) are valid by construction but random, so they belong to nobody. Addresses use real
prefectures (so region codes are real) with made-up streets and numbers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严戴孔汤"
)
MALE_CHARS = "伟强磊军洋勇杰涛明超华亮刚平辉鹏宇浩凯俊帆斌建国文博志诚嘉睿轩晨航铭峰毅"
FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲婷雪慧颖琳洁倩晶欣怡佳萱梦瑶思雨涵璐薇岚"
CHILD_CHARS = "子梓一可沐若宇欣语诗浩晨安悦泽言乐朵锦辰"
ETHNICITIES = ("汉",) * 18 + ("回", "满", "壮", "蒙古", "土家", "苗")
STREETS = (
    "安康路",
    "明德街",
    "翠柳巷",
    "兴华路",
    "和顺里",
    "松涛路",
    "文瑞街",
    "锦程大道",
    "青禾路",
    "望湖街",
    "嘉树路",
    "晴川巷",
    "永宁街",
    "福田里",
    "栖霞路",
    "春晖大道",
)
TRADE_WORDS = "禾丰嘉瑞恒升泰和鑫源博远锦华宏达瑞祥众信安康德润新禾华茂瀚海金诺云帆启明"

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Region:
    """A real prefecture-level division (code and names) with its ID issuer and registration authority."""

    code: str
    province: str
    city: str
    district: str
    police: str  # 签发机关 of ID cards
    regulator: str  # 市场监督管理局 (business-licence 登记机关)
    short: str  # 京 沪 粤 … (不动产权证书 numbers)

    @property
    def place(self) -> str:
        """``北京市东城区`` or ``广东省广州市天河区``."""
        prefix = self.city if self.province == self.city else self.province + self.city
        return prefix + self.district


REGIONS = (
    Region(
        "110101", "北京市", "北京市", "东城区", "北京市公安局东城分局", "北京市东城区市场监督管理局", "京"
    ),
    Region(
        "110105", "北京市", "北京市", "朝阳区", "北京市公安局朝阳分局", "北京市朝阳区市场监督管理局", "京"
    ),
    Region(
        "310104", "上海市", "上海市", "徐汇区", "上海市公安局徐汇分局", "上海市徐汇区市场监督管理局", "沪"
    ),
    Region(
        "310115", "上海市", "上海市", "浦东新区", "上海市公安局浦东分局", "上海市浦东新区市场监督管理局", "沪"
    ),
    Region(
        "440106", "广东省", "广州市", "天河区", "广州市公安局天河区分局", "广州市天河区市场监督管理局", "粤"
    ),
    Region(
        "440305", "广东省", "深圳市", "南山区", "深圳市公安局南山分局", "深圳市市场监督管理局南山监管局", "粤"
    ),
    Region(
        "330106", "浙江省", "杭州市", "西湖区", "杭州市公安局西湖区分局", "杭州市西湖区市场监督管理局", "浙"
    ),
    Region(
        "320102", "江苏省", "南京市", "玄武区", "南京市公安局玄武分局", "南京市玄武区市场监督管理局", "苏"
    ),
    Region(
        "510104", "四川省", "成都市", "锦江区", "成都市公安局锦江区分局", "成都市锦江区市场监督管理局", "川"
    ),
    Region(
        "420106", "湖北省", "武汉市", "武昌区", "武汉市公安局武昌区分局", "武汉市武昌区市场监督管理局", "鄂"
    ),
)


@dataclass(frozen=True)
class Person:
    """A made-up person. ``id_number`` is empty for a newborn not yet registered."""

    name: str
    gender: str  # 男 / 女
    ethnicity: str
    birth: date
    id_number: str
    region: Region
    address: str
    phone: str
    id_valid_from: date | None = None  # the ID card's 有效期限; None when no card was issued
    id_valid_until: date | None = None  # None with a valid_from: 长期

    @property
    def surname(self) -> str:
        return self.name[0]


@dataclass(frozen=True)
class Company:
    """A made-up enterprise or 个体工商户 with a valid 统一社会信用代码."""

    name: str
    credit_code: str
    kind: str  # 类型 as printed on the licence
    legal_rep: Person  # 法定代表人 (经营者 of a 个体工商户)
    capital: str  # 注册资本; empty for a 个体工商户
    established: date
    address: str
    scope: str
    region: Region

    @property
    def individual(self) -> bool:
        return self.kind == "个体工商户"


@dataclass(frozen=True)
class Family:
    """Parents and a child; ``child.birth`` is recent for a newborn."""

    father: Person
    mother: Person
    child: Person


# ---------------------------------------------------------------- check characters


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an ID number."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def valid_id_number(number: str) -> bool:
    """Whether ``number`` is 18 characters with a correct GB 11643 check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    return id_check_char(number[:17]) == number[17].upper()


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters of a 统一社会信用代码."""
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def valid_credit_code(code: str) -> bool:
    """Whether ``code`` is 18 characters of the GB 32100 charset with a correct check character."""
    if len(code) != 18 or any(c not in CREDIT_CHARSET for c in code):
        return False
    return credit_check_char(code[:17]) == code[17]


def org_check_char(first8: str) -> str:
    """The GB 11714 check character of an organisation code (digits 0–9, letters A=10 … Z=35)."""
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def make_id_number(region: Region, birth: date, gender: str, rng: random.Random) -> str:
    """A valid ID number: region, birth date, a sequence whose last digit is odd for men, check."""
    sequence = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if gender == "男" else (0, 2, 4, 6, 8))
    first17 = f"{region.code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def make_credit_code(region: Region, rng: random.Random, *, individual: bool = False) -> str:
    """A valid 统一社会信用代码: 91 (enterprise) or 92 (个体工商户), region, organisation code, check."""
    letters = [c for c in CREDIT_CHARSET if c not in "XY"]  # keep the body to plain org-code letters
    body = "MA" + "".join(rng.choice(letters) for _ in range(6))
    first17 = ("92" if individual else "91") + region.code + body + org_check_char(body)
    return first17 + credit_check_char(first17)


def spoil_id_number(number: str, rng: random.Random) -> str:
    """``number`` with one sequence digit or the check character changed, so the check fails."""
    position = rng.choice((14, 15, 17))
    options = [c for c in "0123456789" if c != number[position]]
    spoiled = number[:position] + rng.choice(options) + number[position + 1 :]
    return spoiled if not valid_id_number(spoiled) else spoil_id_number(number, rng)


def spoil_credit_code(code: str, rng: random.Random) -> str:
    """``code`` with a different (wrong) check character."""
    return code[:17] + rng.choice([c for c in CREDIT_CHARSET if c != code[17]])


# ---------------------------------------------------------------- dates


def add_years(day: date, years: int) -> date:
    """``day`` moved by whole years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def id_validity_years(age_at_issue: int) -> int | None:
    """Validity of a 居民身份证 by age at issue: 5, 10 or 20 years, 长期 (None) from 46."""
    if age_at_issue < 16:
        return 5
    if age_at_issue < 26:
        return 10
    if age_at_issue < 46:
        return 20
    return None


def id_validity(
    birth: date, today: date, rng: random.Random, *, expired: bool = False
) -> tuple[date, date | None] | None:
    """A (valid_from, valid_until) pair valid on ``today`` (or ended before it); None when impossible."""
    sixteen = add_years(birth, 16)
    for _ in range(60):
        back = rng.randint(15 * 365 // 10, 25 * 365) if expired else rng.randint(20, 19 * 365)
        issued = max(today - timedelta(days=back), sixteen + timedelta(days=rng.randint(5, 200)))
        if issued >= today:
            continue
        years = id_validity_years(age_on(birth, issued))
        until = None if years is None else add_years(issued, years)
        if expired and until is not None and until < today - timedelta(days=10):
            return issued, until
        if not expired and (until is None or until > today + timedelta(days=30)):
            return issued, until
    return None


# ---------------------------------------------------------------- factory


class PeopleFactory:
    """Makes people for one case; names within a factory never contain one another."""

    def __init__(self, rng: random.Random, today: date, region: Region | None = None) -> None:
        self.rng = rng
        self.today = today
        self.region = region or rng.choice(REGIONS)
        self._names: set[str] = set()

    def name(self, gender: str, surname: str | None = None, *, child: bool = False) -> str:
        pool = MALE_CHARS if gender == "男" else FEMALE_CHARS
        for _ in range(200):
            given = self.rng.choice(CHILD_CHARS if child else pool)
            if self.rng.random() < 0.6:
                given += self.rng.choice(pool)
            name = (surname or self.rng.choice(SURNAMES)) + given
            if len(set(name)) == len(name) and not any(name in n or n in name for n in self._names):
                self._names.add(name)
                return name
        raise RuntimeError("could not find a fresh name")

    def altered_name(self, name: str) -> str:
        """``name`` with one given-name character replaced (a plausible slip, a different person)."""
        position = self.rng.randrange(1, len(name))
        pool = [c for c in MALE_CHARS + FEMALE_CHARS if c not in name]
        return name[:position] + self.rng.choice(pool) + name[position + 1 :]

    def address(self, region: Region | None = None) -> str:
        r = region or self.region
        rng = self.rng
        return (
            f"{r.place}{rng.choice(STREETS)}{rng.randint(1, 299)}号"
            f"{rng.randint(1, 18)}栋{rng.randint(1, 4)}单元{rng.randint(1, 28)}{rng.randint(1, 4):02d}室"
        )

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randint(0, 9)}0000{self.rng.randint(0, 9999):04d}"

    def birth_for_age(self, low: int, high: int) -> date:
        """A birth date for someone aged ``low``–``high`` on ``today``."""
        latest = add_years(self.today, -low) - timedelta(days=1)
        earliest = add_years(self.today, -high - 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def person(
        self,
        gender: str | None = None,
        age: tuple[int, int] = (24, 55),
        *,
        surname: str | None = None,
        birth: date | None = None,
        address: str | None = None,
        child: bool = False,
    ) -> Person:
        """A person of ``age`` years with a valid ID card (adults) living in the factory's region."""
        rng = self.rng
        gender = gender or rng.choice("男女")
        birth = birth or self.birth_for_age(*age)
        adult = age_on(birth, self.today) >= 16
        validity = id_validity(birth, self.today, rng) if adult else None
        return Person(
            name=self.name(gender, surname, child=child),
            gender=gender,
            ethnicity=rng.choice(ETHNICITIES),
            birth=birth,
            id_number=make_id_number(self.region, birth, gender, rng),
            region=self.region,
            address=address or self.address(),
            phone=self.phone() if adult else "",
            id_valid_from=validity[0] if validity else None,
            id_valid_until=validity[1] if validity else None,
        )

    def family(self, *, newborn: bool = True, child_age: tuple[int, int] = (6, 7)) -> Family:
        """Married parents at one address and a child (born in the last 1–5 months when ``newborn``)."""
        father = self.person("男", (26, 40))
        mother = self.person("女", (24, 38), address=father.address)
        gender = self.rng.choice("男女")
        if newborn:
            born = self.today - timedelta(days=self.rng.randint(12, 150))
            child = Person(
                name=self.name(gender, father.surname, child=True),
                gender=gender,
                ethnicity=father.ethnicity,
                birth=born,
                id_number="",
                region=self.region,
                address=father.address,
                phone="",
            )
        else:
            child = self.person(gender, child_age, surname=father.surname, address=father.address, child=True)
        return Family(father, mother, child)

    def company(self, legal_rep: Person, *, industry: str = "科技", individual: bool = False) -> Company:
        """An enterprise (or 个体工商户) in the factory's region with ``legal_rep``."""
        rng = self.rng
        r = self.region
        trade = "".join(rng.sample(TRADE_WORDS, 2))
        if individual:
            name = f"{r.district}{trade}{ {'餐饮': '小吃店', '科技': '电脑店'}.get(industry, '商行') }"
            kind, capital = "个体工商户", ""
        else:
            kind = rng.choice(("有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）"))
            name = f"{r.city}{trade}{industry}{'管理' if industry == '餐饮' else ''}有限公司"
            capital = f"人民币{rng.choice((10, 30, 50, 100, 200, 500))}万元"
        scope = {
            "餐饮": "餐饮服务；食品销售；外卖递送服务。"
            "（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
            "科技": "技术服务、技术开发、技术咨询；软件开发；信息系统集成服务；计算机软硬件销售。",
            "商贸": "日用百货销售；五金产品零售；办公用品销售；货物进出口。",
        }.get(industry, "企业管理咨询；市场营销策划。")
        return Company(
            name=name,
            credit_code=make_credit_code(r, rng, individual=individual),
            kind=kind,
            legal_rep=legal_rep,
            capital=capital,
            established=self.today - timedelta(days=rng.randint(200, 12 * 365)),
            address=self.address(),
            scope=scope,
            region=r,
        )
