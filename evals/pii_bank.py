"""Generate the PII test bank (``evals/datasets/pii/generated.jsonl``) deterministically from a seed.

Every person, number and address is made up: ID numbers get a correct GB 11643 check character, credit
codes a correct GB 32100 one and cards a correct Luhn digit, computed here independently of
:mod:`assistant.privacy`. Each positive item is written in one of several forms (plain, full-width,
grouped with spaces, dashes or ideographic spaces) inside a Chinese sentence; negatives are the numbers
a policy text is full of (dates, amounts, 文号, article numbers, hotlines, postal codes, order numbers)
and near misses (a wrong check character, an impossible birth date). Hand-written tricky cases live
beside it in ``handwritten.jsonl``.

Run ``python -m evals.pii_bank`` to rewrite the file; a test checks the committed file matches.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.settings import PROJECT_ROOT

BANK_DIR = PROJECT_ROOT / "evals" / "datasets" / "pii"
GENERATED = BANK_DIR / "generated.jsonl"
HANDWRITTEN = BANK_DIR / "handwritten.jsonl"
SEED = 20261122
PER_KIND = 160
NEGATIVES = 420

_ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [3**i % 31 for i in range(17)]
_AREAS = ["110101", "110105", "310104", "310115", "440305", "440106", "320102", "330106", "510104"]
_AREAS += ["420102", "370202", "610113", "130102", "210102", "350203", "500103", "530102", "650102"]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国志红玉兰晓东海燕子涵雨欣浩然"
_PINYIN = ["zhangwei", "li.na", "wangfang", "liu_yang", "chenjie", "yang.min", "zhao123", "sunhao"]
_PINYIN += ["wu.xiaoyu", "zhou-lei", "xu2020", "guojing", "hexin", "gaofei88", "lin.tao", "luo_qian"]
_DOMAINS = ["example.com", "example.cn", "mail.example.org", "qq.com", "163.com", "126.com", "gov.example.cn"]
_PROVINCES = [
    ("北京市", ["朝阳区", "海淀区", "东城区", "丰台区"]),
    ("上海市", ["浦东新区", "黄浦区", "徐汇区", "闵行区"]),
    ("广东省广州市", ["天河区", "越秀区", "海珠区"]),
    ("广东省深圳市", ["南山区", "福田区", "宝安区"]),
    ("浙江省杭州市", ["西湖区", "拱墅区", "余杭区"]),
    ("江苏省南京市", ["鼓楼区", "玄武区", "江宁区"]),
    ("四川省成都市", ["武侯区", "锦江区", "青羊区"]),
    ("湖北省武汉市", ["江汉区", "武昌区", "洪山区"]),
    ("山东省青岛市", ["市南区", "崂山区"]),
    ("河北省保定市", ["莲池区", "竞秀区"]),
    ("天津市", ["和平区", "河西区", "南开区"]),
]
_ROADS = ["建国路", "人民路", "解放大街", "中山北路", "科技南路", "文三路", "幸福巷", "长江道", "滨河路"]
_ROADS += ["光明街", "东风路", "学府路", "和平里胡同", "世纪大道", "青年路", "新华街"]
_MOBILE_PREFIXES = ["130", "131", "133", "135", "136", "138", "139", "147", "150", "151", "152", "155"]
_MOBILE_PREFIXES += ["158", "159", "166", "173", "176", "177", "180", "181", "185", "186", "187", "189"]
_MOBILE_PREFIXES += ["191", "195", "198", "199"]
_CARD_BINS = ["622202", "622848", "621700", "623668", "622588", "621483", "625807", "436742", "552599"]
_AREA_CODES = ["010", "021", "022", "023", "020", "0755", "0571", "025", "028", "027", "0532", "0312"]


@dataclass(frozen=True)
class BankItem:
    """One string of the bank and the PII in it (``pii``: kind and exact text, in order)."""

    text: str
    pii: list[dict[str, str]] = field(default_factory=list)
    source: str = "generated"
    note: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {"text": self.text, "pii": self.pii, "source": self.source, "note": self.note}, ensure_ascii=False
        )


# ------------------------------------------------------------------------------------- numbers


def id_number(rng: random.Random, *, ending: str | None = None) -> str:
    """A made-up 18-digit ID number with a correct check character (``ending``: force it, e.g. X)."""
    while True:
        birth = f"{rng.randint(1940, 2015)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        first17 = rng.choice(_AREAS) + birth + f"{rng.randint(0, 999):03d}"
        total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
        number = first17 + "10X98765432"[total % 11]
        if ending is None or number.endswith(ending):
            return number


def legacy_id(rng: random.Random) -> str:
    """A made-up 15-digit pre-1999 ID number."""
    birth = f"{rng.randint(40, 98):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return rng.choice(_AREAS) + birth + f"{rng.randint(0, 999):03d}"


def credit_code(rng: random.Random) -> str:
    """A made-up unified social credit code with a correct check character."""
    head = rng.choice(["91", "92", "93", "12", "11", "51", "52", "Y1"])
    first17 = head + rng.choice(_AREAS) + "".join(rng.choice(_CREDIT_CHARS) for _ in range(9))
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return first17 + _CREDIT_CHARS[(31 - total % 31) % 31]


def luhn_complete(prefix: str) -> str:
    """``prefix`` plus its Luhn check digit."""
    total = 0
    for position, char in enumerate(reversed(prefix)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return prefix + str((10 - total % 10) % 10)


def bank_card(rng: random.Random) -> str:
    """A made-up 16- or 19-digit card number that passes the Luhn check."""
    length = rng.choice([16, 19, 19])
    prefix = rng.choice(_CARD_BINS)
    return luhn_complete(prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - 1 - len(prefix))))


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + "".join(str(rng.randint(0, 9)) for _ in range(8))


def person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice([1, 2])))


def address(rng: random.Random) -> str:
    """A made-up home address: province/city, district, road, house number, then building and room."""
    city, districts = rng.choice(_PROVINCES)
    text = city + rng.choice(districts) + rng.choice(_ROADS) + f"{rng.randint(1, 999)}号"
    extra = rng.random()
    if extra < 0.35:
        text += f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 30)}{rng.randint(1, 4):02d}室"
    elif extra < 0.6:
        text += f"{rng.randint(1, 20)}号楼{rng.randint(1, 3)}单元{rng.randint(101, 2204)}"
    elif extra < 0.75:
        text += f"{rng.randint(1, 12)}-{rng.randint(1, 6)}-{rng.randint(101, 1802)}"
    return text


# ------------------------------------------------------------------------------------- writing


def full_width(text: str) -> str:
    """ASCII printable characters as their full-width forms."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def grouped(number: str, sizes: list[int], sep: str) -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(number[start : start + size])
        start += size
    if start < len(number):
        parts.append(number[start:])
    return sep.join(parts)


_GROUPINGS: dict[str, list[list[int]]] = {
    "id_card": [[6, 8, 4], [6, 4, 4, 4]],
    "bank_card": [[4, 4, 4, 4]],
    "mobile": [[3, 4, 4], [3, 8]],
}


def written(rng: random.Random, kind: str, value: str) -> tuple[str, str]:
    """``value`` as a person might type it, and the name of that form."""
    form = rng.choice(["plain", "plain", "full-width", "spaces", "dashes", "ideographic"])
    if form == "full-width":
        return full_width(value), form
    if form == "plain" or kind not in _GROUPINGS:
        return value, "plain"
    sep = {"spaces": " ", "dashes": "-", "ideographic": "\u3000"}[form]
    return grouped(value, rng.choice(_GROUPINGS[kind]), sep), form


_TEMPLATES: dict[str, list[str]] = {
    "id_card": [
        "身份证号{v}",
        "我的身份证是{v}，帮我查一下社保",
        "{p}，身份证号码：{v}。",
        "证件号码{v}请核对",
        "申请人{p}（身份证{v}）申请补办",
        "{v}是我的身份证号",
        "我叫{p}，身份证 {v} ，想办居住证",
        "身份证号码为{v}的申请人",
        "公民身份号码：{v}",
        "帮我看看{v}这个身份证的医保",
    ],
    "credit_code": [
        "统一社会信用代码{v}",
        "企业信用代码：{v}，法人{p}",
        "我们公司的代码是{v}",
        "信用代码（{v}）",
        "纳税人识别号{v}需要变更",
        "{v}这家企业的年报",
    ],
    "mobile": [
        "手机{v}",
        "我的电话是{v}，请回电",
        "联系人{p}，联系电话：{v}",
        "请打{v}找{p}",
        "{v}是我手机号",
        "电话:{v}谢谢",
        "回拨号码{v}",
        "手机号码 {v} ，微信同号",
        "联系方式（{v}）",
    ],
    "landline": [
        "家里座机{v}",
        "联系电话：{v}",
        "单位电话{v}，找{p}",
        "请拨打{v}联系我",
        "座机（{v}）白天有人",
    ],
    "bank_card": [
        "银行卡号{v}",
        "补贴请打到{v}这张卡",
        "社保卡金融账号：{v}",
        "开户人{p}，卡号{v}。",
        "我的工资卡是{v}",
        "退款账户{v}，户名{p}",
    ],
    "email": [
        "邮箱{v}",
        "请把回执发到{v}，谢谢",
        "电子邮件：{v}",
        "{p}的邮箱是{v}",
        "联系邮箱 {v} 。",
    ],
    "address": [
        "家住{v}",
        "我住在{v}，想咨询物业纠纷",
        "收件地址：{v}，收件人{p}",
        "户籍地址{v}",
        "现居住地{v}",
        "请寄到{v}",
        "{p}，住址：{v}。",
    ],
}


def _positive(rng: random.Random, kind: str, value: str, note: str = "") -> BankItem:
    text_value, form = written(rng, kind, value)
    text = rng.choice(_TEMPLATES[kind]).format(v=text_value, p=person(rng))
    return BankItem(text, [{"kind": kind, "text": text_value}], note=note or form)


def _landline(rng: random.Random) -> str:
    code = rng.choice(_AREA_CODES)
    local = str(rng.randint(2, 8)) + _digits(rng, 7 if len(code) == 3 else 6)
    shape = rng.random()
    if shape < 0.5:
        value = f"{code}-{local}"
    elif shape < 0.7:
        value = f"({code}){local}"
    elif shape < 0.85:
        value = f"{code} {local[:-4]} {local[-4:]}"
    else:
        value = f"{code}-{local}转{rng.randint(100, 9999)}"
    return value


def _email(rng: random.Random) -> str:
    number = str(rng.randint(1, 99)) if rng.random() < 0.4 else ""
    return rng.choice(_PINYIN) + number + "@" + rng.choice(_DOMAINS)


def positives(rng: random.Random) -> Iterator[BankItem]:
    """``PER_KIND`` strings of each kind, a few with two kinds at once."""
    makers: dict[str, Callable[[random.Random], str]] = {
        "id_card": id_number,
        "credit_code": credit_code,
        "mobile": mobile,
        "landline": _landline,
        "bank_card": bank_card,
        "email": _email,
        "address": address,
    }
    for kind, make in makers.items():
        for n in range(PER_KIND):
            if kind == "id_card" and n % 10 == 0:
                yield _positive(rng, kind, id_number(rng, ending="X"), "check character X")
            elif kind == "id_card" and n % 10 == 1:
                legacy = legacy_id(rng)
                yield BankItem(f"老身份证{legacy}", [{"kind": kind, "text": legacy}], note="15-digit")
            else:
                value = make(rng)
                if kind in ("landline", "email", "address"):
                    text = rng.choice(_TEMPLATES[kind]).format(v=value, p=person(rng))
                    yield BankItem(text, [{"kind": kind, "text": value}], note="plain")
                else:
                    yield _positive(rng, kind, value)
    for _ in range(PER_KIND // 2):
        card, phone, ident = bank_card(rng), mobile(rng), id_number(rng)
        text = f"我是{person(rng)}，身份证{ident}，手机{phone}，补贴打到卡号{card}。"
        pii = [{"kind": "id_card", "text": ident}, {"kind": "mobile", "text": phone}]
        yield BankItem(text, [*pii, {"kind": "bank_card", "text": card}], note="three kinds")


# ------------------------------------------------------------------------------------- negatives


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


_DOC_PREFIXES = ["国办发", "国发", "京政发", "沪府办", "粤府", "人社部发", "财社", "民发"]
_HOTLINES = ["12345", "12366", "12333", "12315", "12319", "110", "120", "95588", "95598"]


def _ymd(r: random.Random, sep: str = "") -> str:
    return f"{r.randint(2020, 2030)}{sep}{r.randint(1, 12):02d}{sep}{r.randint(1, 28):02d}"


def _negative_makers() -> list[tuple[str, Callable[[random.Random], str]]]:
    cn = "一二三四五六七八九十"
    return [
        ("date", lambda r: f"请于{r.randint(2020, 2030)}年{r.randint(1, 12)}月{r.randint(1, 28)}日前提交"),
        ("date", lambda r: f"截止日期{_ymd(r, '-')}"),
        ("date", lambda r: f"有效期{_ymd(r)}至长期"),
        ("date", lambda r: f"{_ymd(r, '.')}起施行"),
        ("amount", lambda r: f"补贴标准{r.randint(100, 99999)}元/人"),
        ("amount", lambda r: f"资金{r.randint(1, 999)},{r.randint(0, 999):03d},{r.randint(0, 999):03d}元"),
        ("amount", lambda r: f"共计￥{r.randint(1, 99999)}.{r.randint(0, 99):02d}"),
        ("amount", lambda r: f"增长{r.randint(1, 99)}.{r.randint(0, 9)}%"),
        ("文号", lambda r: f"根据{r.choice(_DOC_PREFIXES)}〔{r.randint(2010, 2026)}〕{r.randint(1, 99)}号"),
        ("文号", lambda r: f"（{r.choice(_DOC_PREFIXES)}[{r.randint(2010, 2026)}]{r.randint(1, 120)}号）"),
        ("文号", lambda r: f"市人民政府令第{r.randint(1, 400)}号"),
        ("article", lambda r: f"依据第{r.choice(cn)}十{r.choice(cn)}条第{r.choice(cn[:5])}款"),
        ("article", lambda r: f"《条例》第{r.randint(1, 120)}条规定"),
        ("hotline", lambda r: f"请拨打{r.choice(_HOTLINES)}咨询"),
        ("hotline", lambda r: f"服务热线400-{_digits(r, 3)}-{_digits(r, 4)}"),
        ("hotline", lambda r: f"免费电话800-{_digits(r, 3)}-{_digits(r, 4)}"),
        ("postal", lambda r: f"邮政编码{r.choice(['100', '200', '510', '310', '610'])}{_digits(r, 3)}"),
        ("order", lambda r: f"订单号{_ymd(r)}{_digits(r, r.randint(6, 10))}"),
        ("order", lambda r: f"受理编号：SL{r.randint(2020, 2026)}{_digits(r, 10)}"),
        ("order", lambda r: f"快递单号YT{_digits(r, 13)}"),
        ("case", lambda r: f"（{r.randint(2018, 2026)}）京0105民初{r.randint(100, 99999)}号"),
        ("plate", lambda r: f"车牌{r.choice('京沪粤浙苏')}{r.choice('ABCDE')}{_digits(r, 5)}"),
        ("statistic", lambda r: f"全年办件{r.randint(10000, 9999999)}件，满意率{r.randint(90, 99)}%"),
        ("time", lambda r: f"工作时间{r.randint(8, 9)}:00-{r.randint(17, 18)}:{r.choice(['00', '30'])}"),
        ("version", lambda r: f"版本v{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 99)}"),
        ("short-mobile", lambda r: f"号码{r.choice(_MOBILE_PREFIXES)}{_digits(r, 7)}"),
        ("long-mobile", lambda r: f"编号{r.choice(_MOBILE_PREFIXES)}{_digits(r, 9)}"),
        ("bad-id", _bad_id),
        ("bad-id-date", _bad_id_date),
        ("bad-card", _bad_card),
        ("bad-credit", _bad_credit),
        ("place", lambda r: f"请到{r.choice(_PROVINCES)[0]}政务服务中心{r.randint(1, 40)}号窗口办理"),
        ("place", lambda r: f"{r.choice(_PROVINCES)[0]}{r.choice(_ROADS)}改造工程第{r.randint(1, 9)}标段"),
    ]


def _bad_id(rng: random.Random) -> str:
    number = id_number(rng)
    wrong = rng.choice([c for c in "0123456789X" if c != number[-1]])
    return f"身份证号{number[:-1]}{wrong}"


def _bad_id_date(rng: random.Random) -> str:
    birth = f"{rng.randint(1950, 2010)}{rng.randint(13, 19)}{rng.randint(1, 28):02d}"  # month 13-19
    first17 = rng.choice(_AREAS) + birth + _digits(rng, 3)
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return f"证件号{first17}{'10X98765432'[total % 11]}"


def _bad_card(rng: random.Random) -> str:
    card = bank_card(rng)
    return f"卡号{card[:-1]}{(int(card[-1]) + rng.randint(1, 9)) % 10}"


def _bad_credit(rng: random.Random) -> str:
    code = credit_code(rng)
    return f"信用代码{code[:-1]}{rng.choice([c for c in _CREDIT_CHARS if c != code[-1]])}"


def negatives(rng: random.Random) -> Iterator[BankItem]:
    """``NEGATIVES`` strings without personal data, cycling through the kinds of look-alike numbers."""
    makers = _negative_makers()
    for n in range(NEGATIVES):
        note, make = makers[n % len(makers)]
        yield BankItem(make(rng), [], note=note)


def generate(seed: int = SEED) -> list[BankItem]:
    """The whole generated bank, the same for the same seed."""
    rng = random.Random(seed)
    return [*positives(rng), *negatives(rng)]


def load_bank(paths: tuple[Path, ...] = (GENERATED, HANDWRITTEN)) -> list[BankItem]:
    """Items of the committed bank files."""
    items: list[BankItem] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                source = raw.get("source", path.stem)
                items.append(BankItem(raw["text"], raw.get("pii", []), source, raw.get("note", "")))
    return items


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=GENERATED)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    items = generate(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(item.to_json() + "\n" for item in items), encoding="utf-8")
    print(f"wrote {len(items)} strings to {args.out}")


if __name__ == "__main__":
    main()
