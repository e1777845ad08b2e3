"""GB 11643 ID numbers, GB 32100 credit codes, Chinese dates, validity ranges and expiry (made-up numbers)."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.prereview.validators import (
    check_credit_code,
    check_id_number,
    credit_code_check_char,
    find_dates,
    id_check_char,
    is_expired,
    is_valid_credit_code,
    is_valid_id_number,
    make_credit_code,
    make_id_number,
    parse_date,
    parse_validity,
)

TODAY = date(2024, 6, 1)


def _wrong_last(value: str, alphabet: str) -> str:
    return value[:-1] + next(c for c in alphabet if c != value[-1])


def test_check_char_matches_the_standard_weights() -> None:
    # 11010519491231002 → weighted sum 167 → 167 % 11 = 2 → "X" (the standard's worked example)
    assert id_check_char("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002X")


def test_made_up_ids_are_valid_and_carry_gender() -> None:
    male = make_id_number("440305", date(1985, 12, 31), 17)
    female = make_id_number("440305", date(1985, 12, 31), 17, female=True)
    assert check_id_number(male).valid and check_id_number(male).gender == "男"
    assert check_id_number(female).valid and check_id_number(female).gender == "女"
    assert check_id_number(male).birth_date == date(1985, 12, 31)


def test_wrong_check_digit_is_reported_as_such() -> None:
    number = make_id_number()
    assert check_id_number(_wrong_last(number, "0123456789X")).reason == "check_digit"


def test_lowercase_x_spaces_and_full_width_digits_are_tolerated() -> None:
    number = next(
        n for seq in range(1, 400) if (n := make_id_number("320102", date(1992, 2, 29), seq)).endswith("X")
    )
    assert is_valid_id_number(number.lower())
    spaced = " ".join([number[:6], number[6:14], number[14:]])
    assert check_id_number(spaced).valid
    full = number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "ｘ"
    assert check_id_number(full).valid


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("11010119900307123", "length"),
        ("1101011990030712333", "length"),
        ("11010119900307l23X", "format"),
        ("910101199003071234", "region"),
        ("010101199003071234", "region"),
        ("110101199013071234", "birth_date"),
        ("110101189912311234", "birth_date"),
    ],
)
def test_structural_errors(value: str, reason: str) -> None:
    assert check_id_number(value, TODAY).reason == reason


def test_birth_date_after_today_is_implausible() -> None:
    number = make_id_number(birth=date(2024, 7, 1))
    assert check_id_number(number, TODAY).reason == "birth_date"
    assert check_id_number(number, date(2024, 7, 1)).valid


def test_credit_codes() -> None:
    code = make_credit_code("91350100M000100Y4")
    assert is_valid_credit_code(code)
    assert credit_code_check_char(code[:17]) == code[17]
    assert check_credit_code(_wrong_last(code, "0123456789ABCDEFGHJKLMNPQRTUWXY")) == "check_char"
    assert check_credit_code(code[:-1]) == "length"
    assert check_credit_code(code[:5] + "O" + code[6:]) == "format"  # O is not in the alphabet
    assert is_valid_credit_code(code.lower())


def test_credit_code_check_of_31_becomes_0() -> None:
    body = next(b for n in range(10_000) if credit_code_check_char(b := f"9111010{n:04d}ABCDEF") == "0")
    assert is_valid_credit_code(body + "0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020年1月1日", date(2020, 1, 1)),
        ("2020.01.01", date(2020, 1, 1)),
        ("2020-01-01", date(2020, 1, 1)),
        ("20200101", date(2020, 1, 1)),
        ("2020年01月", date(2020, 1, 1)),
        ("2020/3/15", date(2020, 3, 15)),
        ("出生 1990 年 3 月 7 日", date(1990, 3, 7)),
        ("２０２０年１２月３１日", date(2020, 12, 31)),
        ("2O2O.O1.O5", date(2020, 1, 5)),
        ("二〇二〇年一月十五日", date(2020, 1, 15)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_parse_date_rejects_nonsense() -> None:
    assert parse_date("2020年13月40日") is None
    assert parse_date("没有日期") is None
    assert parse_date(make_id_number()) is None  # the birth date inside an ID number is not a date field


def test_find_dates_in_order() -> None:
    assert find_dates("成立日期2020年01月15日，营业期限至2040.01.14") == [
        date(2020, 1, 15),
        date(2040, 1, 14),
    ]


@pytest.mark.parametrize(
    ("text", "start", "until"),
    [
        ("2015.03.01-2035.03.01", date(2015, 3, 1), "2035-03-01"),
        ("2015.03.01 — 2035.03.01", date(2015, 3, 1), "2035-03-01"),
        ("2015年03月01日至2035年03月01日", date(2015, 3, 1), "2035-03-01"),
        ("2015.03.01-长期", date(2015, 3, 1), "长期"),
        ("2015.03.01-長期", date(2015, 3, 1), "长期"),
        ("长期", None, "长期"),
    ],
)
def test_parse_validity(text: str, start: date | None, until: str) -> None:
    validity = parse_validity(text)
    assert validity is not None
    assert validity.start == start and validity.until == until


def test_parse_validity_without_a_range() -> None:
    assert parse_validity("签发机关北京市公安局") is None


def test_expiry_against_a_given_today() -> None:
    assert is_expired("2024-05-31", TODAY)
    assert not is_expired("2024-06-01", TODAY)  # valid through its last day
    assert not is_expired("长期", TODAY)
    assert not is_expired("", TODAY)
    assert is_expired(date(2020, 1, 1), TODAY)
    assert is_expired("2020.01.01", TODAY)


def test_validity_whose_start_date_is_unreadable() -> None:
    validity = parse_validity("22020.02.25-2030.02.25")  # OCR doubled a digit of the start
    assert validity is not None and validity.start is None and validity.until == "2030-02-25"
