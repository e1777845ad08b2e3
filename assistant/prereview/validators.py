"""Field validators: GB 11643 ID numbers, GB 32100 统一社会信用代码, dates and validity ranges.

Pure functions over strings; ``today`` is always passed in (never read from the clock) where a result
depends on it, except as a documented default.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final

ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS: Final = "10X98765432"
CREDIT_CHARS: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
CREDIT_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LONG_TERM: Final = "长期"
_EARLIEST_BIRTH: Final = date(1900, 1, 1)

# ------------------------------------------------------------------------------------------ ID numbers


@dataclass(frozen=True)
class IdCheck:
    """Result of checking an ID number; ``reason`` is "" when valid, else a code saying what failed."""

    number: str  # normalised: half-width, no spaces, upper-case X
    reason: str = ""  # length | format | region | birth_date | check_digit
    birth_date: date | None = None
    gender: str = ""  # 男 / 女 (from the 17th digit)

    @property
    def valid(self) -> bool:
        return not self.reason


def normalize_id_number(value: str) -> str:
    """Half-width, no whitespace, upper-case check character."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


def id_check_char(first17: str) -> str:
    """GB 11643 (ISO 7064 MOD 11-2) check character of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def check_id_number(value: str, today: date | None = None) -> IdCheck:
    """Check an 18-character ID number: format, region (first digit 1–8), birth date, check character."""
    number = normalize_id_number(value)
    if len(number) != 18:
        return IdCheck(number, "length")
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        return IdCheck(number, "format")
    gender = "男" if int(number[16]) % 2 else "女"
    if number[0] not in "12345678":
        return IdCheck(number, "region", gender=gender)
    born = _safe_date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    if born is None or not _EARLIEST_BIRTH <= born <= (today or date.today()):
        return IdCheck(number, "birth_date", gender=gender)
    if id_check_char(number[:17]) != number[17]:
        return IdCheck(number, "check_digit", born, gender)
    return IdCheck(number, "", born, gender)


def is_valid_id_number(value: str, today: date | None = None) -> bool:
    return check_id_number(value, today).valid


def make_id_number(
    region: str = "110101", birth: date = date(1990, 3, 7), sequence: int = 123, *, female: bool = False
) -> str:
    """A made-up but valid ID number (for tests and samples): the sequence's last digit is set by gender."""
    if len(region) != 6 or not region.isdigit():
        raise ValueError("region must be six digits")
    seq = sequence % 1000
    if (seq % 2 == 1) == female:  # odd = male, even = female
        seq = seq + 1 if seq < 999 else seq - 1
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


# ---------------------------------------------------------------------------------------- credit codes


def credit_code_check_char(first17: str) -> str:
    """GB 32100 check character of the first 17 characters of a 统一社会信用代码."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def check_credit_code(value: str) -> str:
    """ "" when valid, else the reason: length | format | check_char."""
    code = normalize_id_number(value)
    if len(code) != 18:
        return "length"
    if any(char not in CREDIT_CHARS for char in code):
        return "format"
    return "" if credit_code_check_char(code[:17]) == code[17] else "check_char"


def is_valid_credit_code(value: str) -> bool:
    return not check_credit_code(value)


def make_credit_code(body: str = "91110105MA01ABCD2") -> str:
    """A made-up but valid 统一社会信用代码: the 17-character ``body`` plus its check character."""
    body = body.upper()
    if len(body) != 17 or any(char not in CREDIT_CHARS for char in body):
        raise ValueError("body must be 17 characters from the GB 32100 alphabet")
    return body + credit_code_check_char(body)


# ---------------------------------------------------------------------------------------------- dates

_CN_DIGITS: Final = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "O": "0"}
_SEP: Final = r"\s*[年./\-]\s*"
_FULL: Final = re.compile(
    rf"(?<!\d)(\d{{4}}){_SEP}(\d{{1,2}}){_SEP.replace('年', '月')}(\d{{1,2}})(?!\d)\s*日?"
)
_COMPACT: Final = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_MONTH: Final = re.compile(r"(?<!\d)(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*月?(?![\d.\-/])")
_CN_NUM: Final = "[一二三四五六七八九十]{1,3}"
_CN_DATE: Final = re.compile(rf"([〇零一二三四五六七八九]{{4}})年({_CN_NUM})月(?:({_CN_NUM})日)?")
_RANGE_SEP: Final = r"\s*(?:-|~|至|到|—|–)+\s*"


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _fold_digits(text: str) -> str:
    """NFKC, and O/o → 0, l/I/| → 1 where they touch a digit (OCR confusions inside numbers)."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=\d)[Oo]|[Oo](?=\d)", "0", text)
    return re.sub(r"(?<=\d)[lI|]|[lI|](?=\d)", "1", text)


def _cn_number(text: str) -> int:
    if "十" not in text:
        return int("".join(_CN_DIGITS.get(c, c) for c in text))
    tens, _, ones = text.partition("十")
    return (int(_CN_DIGITS[tens]) if tens else 1) * 10 + (int(_CN_DIGITS[ones]) if ones else 0)


def _dates_with_spans(text: str) -> list[tuple[int, int, date]]:
    """Every date in ``text`` (already folded) with its span, in order; day defaults to 1 for "2020年01月"."""
    found: list[tuple[int, int, date]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or e <= start for s, e, _ in found)

    for m in _FULL.finditer(text):
        if (d := _safe_date(int(m[1]), int(m[2]), int(m[3]))) is not None:
            found.append((m.start(), m.end(), d))
    for m in _COMPACT.finditer(text):
        d = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        if free(m.start(), m.end()) and d is not None and 1900 <= d.year <= 2100:
            found.append((m.start(), m.end(), d))
    for m in _MONTH.finditer(text):
        if free(m.start(), m.end()) and (d := _safe_date(int(m[1]), int(m[2]), 1)) is not None:
            found.append((m.start(), m.end(), d))
    for m in _CN_DATE.finditer(text):
        day = _cn_number(m[3]) if m[3] else 1
        if free(m.start(), m.end()) and (d := _safe_date(_cn_number(m[1]), _cn_number(m[2]), day)):
            found.append((m.start(), m.end(), d))
    return sorted(found)


def find_dates(text: str) -> list[date]:
    """All dates written in ``text``, in order of appearance."""
    return [d for _, _, d in _dates_with_spans(_fold_digits(text))]


def parse_date(text: str) -> date | None:
    """The first date in ``text``.

    Accepts 2020年1月1日, 2020.01.01, 2020-01-01, 20200101, 2020年01月 (the 1st) and 二〇二〇年一月一日.
    """
    found = find_dates(text)
    return found[0] if found else None


@dataclass(frozen=True)
class Validity:
    """A validity period; ``end`` is None when long-term (长期)."""

    start: date | None
    end: date | None
    long_term: bool = False

    @property
    def until(self) -> str:
        """ISO end date, or "长期"."""
        return LONG_TERM if self.long_term else (self.end.isoformat() if self.end else "")


def parse_validity(text: str) -> Validity | None:
    """A range such as "2015.03.01-2035.03.01", "2015年03月01日至长期", or "长期" alone."""
    folded = _fold_digits(text)
    spans = _dates_with_spans(folded)
    long_term = LONG_TERM in folded or "長期" in folded
    if len(spans) >= 2:
        between = folded[spans[0][1] : spans[1][0]]
        if re.fullmatch(_RANGE_SEP, between) or not between.strip():
            return Validity(spans[0][2], spans[1][2])
    if spans and long_term:
        return Validity(spans[0][2], None, True)
    if long_term:
        return Validity(None, None, True)
    if len(spans) >= 2:
        return Validity(spans[0][2], spans[1][2])
    if spans and re.search(rf"{_RANGE_SEP}$", folded[: spans[0][0]]):  # "2O2O.O2.25-2030.02.25", start unread
        return Validity(None, spans[0][2])
    return None


def is_expired(valid_until: date | str | None, today: date) -> bool:
    """Whether a validity end (a date, an ISO string or "长期") lies before ``today``."""
    if valid_until is None or valid_until == "" or valid_until == LONG_TERM:
        return False
    end = valid_until if isinstance(valid_until, date) else _iso(valid_until)
    return end is not None and end < today


def _iso(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return parse_date(value)
