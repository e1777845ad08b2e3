"""Check-character and plausibility rules of the numbers the detectors look for.

GB 11643-1999 (citizen ID: ISO 7064 MOD 11-2), GB 32100-2015 (unified social credit code: MOD 31)
and the Luhn check of bank cards (ISO/IEC 7812). Pure functions over already-folded ASCII strings.
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

__all__ = [
    "BANK_FIRST_DIGITS",
    "credit_code_check_char",
    "id_check_digit",
    "id_shaped",
    "luhn_valid",
    "valid_credit_code",
    "valid_id15",
    "valid_id18",
]

_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK: Final = "10X98765432"
#: First two digits of an ID number: the province-level division (GB/T 2260), 71/81/82/83 included.
PROVINCES: Final = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
CREDIT_CHARS: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
_CREDIT_AUTHORITIES: Final = frozenset("123456789ANY")
_CREDIT_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
#: Amex/JCB 3x, Visa 4x, Mastercard 5x, UnionPay 6x, domestic 9x.
BANK_FIRST_DIGITS: Final = frozenset("34569")


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 (ISO 7064 MOD 11-2) check character for the first 17 digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def credit_code_check_char(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a unified social credit code."""
    total = sum(
        CREDIT_CHARS.index(char) * weight for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CHARS[(31 - total % 31) % 31]


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn (mod 10) check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _plausible_birth_date(year: int, month: int, day: int) -> bool:
    try:
        born = _dt.date(year, month, day)
    except ValueError:
        return False
    return _dt.date(1900, 1, 1) <= born <= _dt.date.today()


def valid_id18(value: str) -> bool:
    """An 18-character ID number: province, a real birth date since 1900, and the right check character."""
    if not (value[:17].isascii() and value[:17].isdigit()) or int(value[:2]) not in PROVINCES:
        return False
    if not _plausible_birth_date(int(value[6:10]), int(value[10:12]), int(value[12:14])):
        return False
    return id_check_digit(value[:17]) == value[17].upper()


def id_shaped(value: str) -> bool:
    """18 digits laid out as an ID number (province, then a birth year 1900–now), whatever else follows.

    Such a string with a wrong check character or an impossible month is a mistyped ID number, not a
    bank card that happens to pass Luhn (one in ten do); 18-digit cards are rare, and few of them have a
    province code followed by a plausible year.
    """
    return (
        len(value) == 18 and int(value[:2]) in PROVINCES and 1900 <= int(value[6:10]) <= _dt.date.today().year
    )


def valid_id15(value: str) -> bool:
    """A 15-digit pre-1999 ID number (no check digit): province and a real 19YY birth date."""
    if int(value[:2]) not in PROVINCES:
        return False
    return _plausible_birth_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))


def valid_credit_code(value: str) -> bool:
    """An 18-character unified social credit code: authority, division and check character."""
    # Registration authority 1-9/A/N/Y, category, then a division code (a province, or 10 = central).
    if value[0] not in _CREDIT_AUTHORITIES or int(value[2:4]) not in PROVINCES | {10}:
        return False
    return credit_code_check_char(value[:17]) == value[17]
