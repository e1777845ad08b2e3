"""Tests for assistant.privacy: PII detection (ID, credit code, phones, cards, e-mail, address) and masking.

Every ID number, card number and credit code here is made up and given a valid check character by the
helpers below, which re-derive the check algorithms independently of the module under test.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from assistant.privacy import PII_KINDS, PiiMatch, contains_pii, find_pii, mask_pii

# ----------------------------------------------------------------------------------------- helpers

_ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # ISO 7064 MOD 11-2 weights
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [3**i % 31 for i in range(17)]


def make_id(area: str, birth: str, seq: str) -> str:
    """18-digit ID number with a correct GB 11643 check character."""
    first17 = area + birth + seq
    assert len(first17) == 17
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def wrong_check(number: str) -> str:
    """The same number with a different (hence invalid) final check character."""
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def luhn_complete(prefix: str) -> str:
    """``prefix`` plus the Luhn check digit."""
    total = 0
    for position, char in enumerate(reversed(prefix)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return prefix + str((10 - total % 10) % 10)


def make_credit(first17: str) -> str:
    """Unified social credit code with a correct GB 32100 check character."""
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return first17 + _CREDIT_CHARS[(31 - total % 31) % 31]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def kinds(text: str) -> list[str]:
    return [m.kind for m in find_pii(text)]


def _first(area: str, birth: str, want: str) -> str:
    for n in range(1000):
        number = make_id(area, birth, f"{n:03d}")
        if number.endswith(want):
            return number
    raise AssertionError("no sequence number gives that check character")


ID_A = make_id("110101", "19900307", "123")
ID_X = _first("310104", "19851120", "X")  # check character X
ID_B = make_id("440305", "20011231", "456")
ID_LEGACY = "110101" + "900307" + "123"  # 15-digit pre-1999 number: area + YYMMDD + sequence
CARD_19 = luhn_complete("622202020000123456")
CARD_16 = luhn_complete("622848001234567")
CARD_VISA = luhn_complete("453201511283036")
CREDIT = make_credit("91110105MA01ABCD1")
CREDIT_DIGITS = make_credit("12100000400001234")


def test_helpers_produce_valid_looking_numbers() -> None:
    assert len(ID_A) == len(ID_X) == len(ID_B) == 18
    assert ID_X.endswith("X")
    assert len(CARD_19) == 19 and len(CARD_16) == 16
    assert len(CREDIT) == 18
    assert wrong_check(ID_A) != ID_A


# ------------------------------------------------------------------------------------------ id_card


def test_id_card_plain_glued_to_chinese() -> None:
    text = f"身份证号{ID_A}，请核对"
    [match] = find_pii(text)
    assert match == PiiMatch("id_card", 4, 22, ID_A)
    assert text[match.start : match.end] == match.text


@pytest.mark.parametrize("number", [ID_X, ID_X.lower(), ID_B, ID_LEGACY])
def test_id_card_variants(number: str) -> None:
    assert kinds(f"证件号码：{number}") == ["id_card"]


def test_id_card_full_width() -> None:
    text = "身份证" + full_width(ID_X)
    [match] = find_pii(text)
    assert match.kind == "id_card" and match.text == full_width(ID_X)
    assert mask_pii(text) == "身份证" + full_width(ID_X[:6]) + "*" * 8 + full_width(ID_X[-4:])


@pytest.mark.parametrize("sep", [" ", "-", "\u3000"])
def test_id_card_grouped(sep: str) -> None:
    grouped = sep.join([ID_A[:6], ID_A[6:14], ID_A[14:]])
    [match] = find_pii(f"号码{grouped}。")
    assert (match.kind, match.text) == ("id_card", grouped)


@pytest.mark.parametrize(
    "number",
    [
        wrong_check(ID_A),  # bad check digit
        wrong_check(ID_X),
        make_id("110101", "19901307", "123"),  # month 13
        make_id("110101", "19900230", "123"),  # 30 February
        make_id("110101", "28990101", "123"),  # born in the future
        make_id("110101", "18500101", "123"),  # implausibly old
        make_id("990101", "19900307", "123"),  # no such province code
        "110101" + "901307" + "123",  # legacy number with month 13
    ],
)
def test_id_card_invalid_is_not_id_card(number: str) -> None:
    assert "id_card" not in kinds(f"身份证号{number}")


@pytest.mark.parametrize(
    "digits", ["987654321098765432", "123456789012345678", "110101123456789012", "314159265358979323"]
)
def test_random_18_digits_are_not_id_cards(digits: str) -> None:
    assert "id_card" not in kinds(f"编号{digits}")


def test_id_card_not_read_inside_longer_digit_run() -> None:
    for text in (ID_A + "7", "9" + ID_A, ID_A + ID_B, ID_A[:-1] + "X1"):
        assert "id_card" not in kinds(text), text


def test_id_card_beats_bank_card_when_both_checks_pass() -> None:
    both = next(
        number
        for n in range(1000)
        if (number := make_id("310104", "19851120", f"{n:03d}")) == luhn_complete(number[:-1])
    )
    assert kinds(both) == ["id_card"]


# -------------------------------------------------------------------------------------- credit_code


@pytest.mark.parametrize("code", [CREDIT, CREDIT_DIGITS])
def test_credit_code(code: str) -> None:
    [match] = find_pii(f"统一社会信用代码：{code}。")
    assert (match.kind, match.text) == ("credit_code", code)
    assert mask_pii(code) == code[:2] + "*" * 12 + code[-4:]


def test_credit_code_full_width() -> None:
    assert kinds("代码" + full_width(CREDIT)) == ["credit_code"]


@pytest.mark.parametrize(
    "code",
    [
        wrong_check(CREDIT),
        CREDIT.lower(),
        CREDIT[:-1],  # 17 characters
        CREDIT + "A",  # 19 characters
        "91110105MA01IBCD1" + "0",  # I is not in the code alphabet
    ],
)
def test_credit_code_invalid(code: str) -> None:
    assert "credit_code" not in kinds(f"代码{code}")


# -------------------------------------------------------------------------------------------- mobile


@pytest.mark.parametrize(
    "phone",
    [
        "13800138000",
        "19912345678",
        "138 0013 8000",
        "138-0013-8000",
        "138 00138000",
        "+8613800138000",
        "+86 138 0013 8000",
        "0086-138-0013-8000",
        "8613800138000",
        full_width("13800138000"),
        full_width("138-0013-8000"),
        "138\u30000013\u30008000",
    ],
)
def test_mobile_detected_whole(phone: str) -> None:
    [match] = find_pii(f"电话{phone}谢谢")
    assert (match.kind, match.text) == ("mobile", phone)


@pytest.mark.parametrize(
    "text",
    [
        "12345678901",  # second digit 2
        "11012345678",
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "213800138000",  # mobile inside a longer run
        "1 3 8 0 0 1 3 8 0 0 0",  # single digits spaced out
        "v1.13800138000",  # decimal / version-like
        "10086",
        "12345",
    ],
)
def test_mobile_negatives(text: str) -> None:
    assert "mobile" not in kinds(text)


def test_mobile_masking_keeps_prefix_and_separators() -> None:
    assert mask_pii("电话13800138000谢谢") == "电话138****8000谢谢"
    assert mask_pii("+86 138 0013 8000") == "+86 138 **** 8000"
    assert mask_pii("138-0013-8000") == "138-****-8000"
    assert mask_pii(full_width("13800138000")) == full_width("138") + "****" + full_width("8000")


def test_two_space_separated_mobiles() -> None:
    assert [m.text for m in find_pii("13800138000 13900139000")] == ["13800138000", "13900139000"]


# ------------------------------------------------------------------------------------------ landline


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("010-65123456", "010-******56"),
        ("0755 8888 6666", "0755 **** **66"),
        ("(021)62345678", "(021)******78"),
        ("0571-8765432", "0571-*****32"),
        ("010-65123456转8001", "010-******56转****"),
        ("010-65123456-123", "010-******56-***"),
    ],
)
def test_landline(text: str, masked: str) -> None:
    assert kinds(f"咨询电话：{text}。") == ["landline"]
    assert mask_pii(f"咨询电话：{text}。") == f"咨询电话：{masked}。"


@pytest.mark.parametrize(
    "text",
    ["12345", "12366", "95588", "400-810-8888", "010-123", "2025-12-31", "01065123456", "1010-65123456"],
)
def test_landline_negatives(text: str) -> None:
    assert "landline" not in kinds(f"请拨打{text}咨询")


# ----------------------------------------------------------------------------------------- bank_card


@pytest.mark.parametrize(
    "card",
    [
        CARD_19,
        CARD_16,
        CARD_VISA,
        " ".join([CARD_19[i : i + 4] for i in range(0, 19, 4)]),
        "-".join([CARD_16[i : i + 4] for i in range(0, 16, 4)]),
        full_width(CARD_16),
    ],
)
def test_bank_card(card: str) -> None:
    [match] = find_pii(f"卡号{card}请核对")
    assert (match.kind, match.text) == ("bank_card", card)


def test_bank_card_masking_keeps_last_four() -> None:
    assert mask_pii(f"卡号{CARD_19}") == "卡号" + "*" * 15 + CARD_19[-4:]
    grouped = " ".join([CARD_16[i : i + 4] for i in range(0, 16, 4)])
    assert mask_pii(grouped) == "**** **** **** " + CARD_16[-4:]


@pytest.mark.parametrize(
    "number",
    [
        wrong_check(CARD_19),
        wrong_check(CARD_16),
        CARD_16[:-1],  # 15 digits
        luhn_complete("1234567890123456"),  # 17 digits, not a card prefix
        luhn_complete("2024010112345678"),  # order-number-like
        CARD_19 + "0",  # 20 digits
    ],
)
def test_bank_card_negatives(number: str) -> None:
    assert "bank_card" not in kinds(f"编号{number}")


# --------------------------------------------------------------------------------------------- email


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("zhangsan@example.com", "z***@example.com"),
        ("li.si+gov@mail.example.com.cn", "l***@mail.example.com.cn"),
        ("13800138000@139.com", "1***@139.com"),
        (full_width("wang@example.org"), full_width("w") + "***@" + full_width("example.org")),
    ],
)
def test_email(email: str, masked: str) -> None:
    text = f"邮箱{email}谢谢"
    [match] = find_pii(text)
    assert (match.kind, match.text) == ("email", email)
    assert mask_pii(text) == f"邮箱{masked}谢谢"


@pytest.mark.parametrize("text", ["user@localhost", "@example.com", "user@", "a@b", "邮箱：zhangsan＠"])
def test_email_negatives(text: str) -> None:
    assert "email" not in kinds(text)


# ------------------------------------------------------------------------------------------- address


@pytest.mark.parametrize(
    ("text", "address", "masked"),
    [
        (
            "家住北京市朝阳区建国路88号3单元502室，",
            "北京市朝阳区建国路88号3单元502室",
            "家住北京市朝阳区***，",
        ),
        ("我住在上海市浦东新区世纪大道100号", "上海市浦东新区世纪大道100号", "我住在上海市浦东新区***"),
        (
            "地址：广东省深圳市南山区科技南路18号2栋1001",
            "广东省深圳市南山区科技南路18号2栋1001",
            "地址：广东省深圳市南山区***",
        ),
        ("上海市黄浦区南京东路123弄4号", "上海市黄浦区南京东路123弄4号", "上海市黄浦区***"),
        ("收件地址江苏省丰县人民路5号", "江苏省丰县人民路5号", "收件地址江苏省丰县***"),
        ("办事大厅位于北京市朝阳区建国路88号", "北京市朝阳区建国路88号", "办事大厅位于北京市朝阳区***"),
        ("朝阳区建外街道建国路88号院3号楼2单元1001", "朝阳区建外街道建国路88号院3号楼2单元1001", "朝阳区***"),
        ("北京市朝阳区建国路８８号", "北京市朝阳区建国路８８号", "北京市朝阳区***"),
    ],
)
def test_address(text: str, address: str, masked: str) -> None:
    [match] = find_pii(text)
    assert (match.kind, match.text) == ("address", address)
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "北京市朝阳区",
        "请到北京市朝阳区政务服务中心办理",
        "朝阳区人民政府办公室",
        "北京市人民政府令第312号",
        "国发〔2024〕3号",
        "建国路88号",  # no administrative area: not enough to be a personal address
        "北京市朝阳区建国路",  # no house number
        "北京市民可通过线上渠道3号窗口办理",
        "市交通运输局关于中山路5号地块的批复",
    ],
)
def test_address_negatives(text: str) -> None:
    assert "address" not in kinds(text)


# --------------------------------------------------------------------------------- overlap and order


def test_matches_sorted_and_non_overlapping() -> None:
    text = f"张三，身份证{ID_A}，手机138-0013-8000，邮箱zs@example.com，住北京市朝阳区建国路88号3单元502室，卡号{CARD_19}。"
    matches = find_pii(text)
    assert [m.kind for m in matches] == ["id_card", "mobile", "email", "address", "bank_card"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(matches))
    assert all(text[m.start : m.end] == m.text for m in matches)
    assert mask_pii(text) == (
        f"张三，身份证110101********{ID_A[-4:]}，手机138-****-8000，邮箱z***@example.com，"
        f"住北京市朝阳区***，卡号{'*' * 15}{CARD_19[-4:]}。"
    )


def test_email_containing_mobile_is_one_email() -> None:
    assert kinds("联系13800138000@139.com") == ["email"]


def test_pii_match_is_frozen_and_kinds_listed() -> None:
    match = find_pii("13800138000")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.kind = "email"  # type: ignore[misc]
    assert match.kind in PII_KINDS
    assert set(PII_KINDS) == {"id_card", "credit_code", "mobile", "landline", "bank_card", "email", "address"}


def test_contains_pii() -> None:
    assert contains_pii("电话13800138000")
    assert not contains_pii("请拨打12345热线咨询")
    assert not contains_pii("")
    assert find_pii("") == [] and mask_pii("") == ""


# ---------------------------------------------------------------------------------------- idempotence


def test_mask_is_a_fixed_point_even_when_kept_digits_form_a_new_number() -> None:
    # The kept last four of the ID ("1380") plus the following groups read as a mobile once masked.
    number = next(
        n
        for month in range(1, 13)
        for day in range(1, 29)
        if (n := make_id("110101", f"1990{month:02d}{day:02d}", "138")).endswith("0")
    )
    text = f"{number} 0138 000"
    assert kinds(text) == ["id_card"]
    masked = mask_pii(text)
    assert not contains_pii(masked)
    assert mask_pii(masked) == masked
    assert masked.startswith("110101********")


# ------------------------------------------------------------------------------------ bank of strings

# (text, expected kinds in order). Negatives first: policy text that must pass through untouched.
BANK: list[tuple[str, list[str]]] = [
    ("请拨打12345政务服务便民热线", []),
    ("纳税服务热线12366", []),
    ("客服电话95588", []),
    ("全国统一客服400-810-8888", []),
    ("办理时限为2025年12月31日前", []),
    ("截止日期2025-12-31", []),
    ("生效日期20250101", []),
    ("补贴标准5000元/人", []),
    ("奖励金额1,000,000元", []),
    ("按照国发〔2024〕3号文件执行", []),
    ("根据京政办发〔2023〕12号", []),
    ("2024年共办理业务1380013件", []),
    ("第十二条 申请人应当提交材料", []),
    ("《居住证暂行条例》第12条", []),
    ("邮编100020", []),
    ("营业时间9:00-17:00", []),
    ("增长12.5%", []),
    ("圆周率3.14159265358979323846", []),
    ("订单号20240101123456789", []),
    ("时间戳1700000000000", []),
    ("ISBN 978-7-111-12345-6", []),
    ("QQ群123456789", []),
    ("请提供身份证号和手机号", []),
    ("统一社会信用代码为18位", []),
    ("北京市朝阳区", []),
    ("北京市朝阳区政务服务中心", []),
    ("北京市人民政府令第312号", []),
    ("随机数字987654321098765432", []),
    (f"校验位错误{wrong_check(ID_A)}", []),
    (f"日期不合法{make_id('110101', '19900230', '123')}", []),
    (f"卡号校验失败{wrong_check(CARD_19)}", []),
    (f"代码校验失败{wrong_check(CREDIT)}", []),
    ("手机号位数不对1380013800", []),
    ("号码12345678901", []),
    ("user@localhost", []),
    ("一共3号楼5单元", []),
    ("建国路88号", []),
    ("去超市买了5号电池", []),
    ("各区县要在12月31日前完成", []),
    ("编号A1380013800B", []),
    # positives
    (f"身份证号{ID_A}", ["id_card"]),
    (f"身份证号：{ID_X}。", ["id_card"]),
    (f"身份证号{ID_X.lower()}", ["id_card"]),
    (f"身份证号{full_width(ID_B)}谢谢", ["id_card"]),
    (f"老身份证{ID_LEGACY}", ["id_card"]),
    (f"{ID_A[:6]} {ID_A[6:14]} {ID_A[14:]}", ["id_card"]),
    (f"代码{CREDIT}", ["credit_code"]),
    (f"代码{CREDIT_DIGITS}", ["credit_code"]),
    ("电话13800138000谢谢", ["mobile"]),
    ("手机：138 0013 8000", ["mobile"]),
    ("手机：138-0013-8000", ["mobile"]),
    ("手机+86 13800138000", ["mobile"]),
    ("手机0086 138 0013 8000", ["mobile"]),
    ("手机１３８００１３８０００", ["mobile"]),
    ("座机010-65123456", ["landline"]),
    ("座机（０２１）６２３４５６７８", ["landline"]),
    ("电话0755 8888 6666转123", ["landline"]),
    (f"卡号{CARD_19}", ["bank_card"]),
    (f"卡号{CARD_19[:4]} {CARD_19[4:8]} {CARD_19[8:12]} {CARD_19[12:16]} {CARD_19[16:]}", ["bank_card"]),
    (f"Visa卡 {CARD_VISA}", ["bank_card"]),
    ("邮箱zhangsan@example.com", ["email"]),
    ("Email: Li.Si@gov.example.cn.", ["email"]),
    ("住址：北京市朝阳区建国路88号3单元502室", ["address"]),
    ("浙江省杭州市西湖区文三路90号", ["address"]),
    ("江西省赣州市于都县长征大道8号", ["address"]),
    ("沈阳市于洪区黄河北大街88号", ["address"]),
    (f"申请人身份证{ID_A}，电话13800138000", ["id_card", "mobile"]),
    ("电话13800138000 13900139000", ["mobile", "mobile"]),
    ("电话010-65123456或13800138000", ["landline", "mobile"]),
    (f"企业{CREDIT}法人手机13900139000", ["credit_code", "mobile"]),
    ("寄到广东省广州市天河区天河路385号，收件人手机13800138000", ["address", "mobile"]),
]


def test_bank_is_large_enough() -> None:
    assert len(BANK) >= 60
    assert sum(1 for _, expected in BANK if not expected) >= 30


@pytest.mark.parametrize(("text", "expected"), BANK)
def test_bank_detection(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected
    assert contains_pii(text) is bool(expected)


@pytest.mark.parametrize(("text", "expected"), BANK)
def test_bank_masking(text: str, expected: list[str]) -> None:
    masked = mask_pii(text)
    if expected:
        assert masked != text
    else:
        assert masked == text
    assert not contains_pii(masked)
    assert mask_pii(masked) == masked


# ------------------------------------------------------------------------------ quantities and typos


@pytest.mark.parametrize(
    "text",
    ["总投资13800138000元", "￥13800138000", "¥6222020200001234568", "达到13800138000万", "13800138000%"],
)
def test_numbers_that_are_quantities_are_not_pii(text: str) -> None:
    assert kinds(text) == []


def test_mistyped_id_number_is_not_read_as_a_bank_card() -> None:
    # ID-shaped (province 32, year 1952) with month 17: whatever Luhn says, this is no card.
    typo = luhn_complete("32010219521701234")
    assert kinds(f"证件号{typo}") == []
    assert kinds(f"卡号{luhn_complete('62220202000012345')}") == ["bank_card"]
