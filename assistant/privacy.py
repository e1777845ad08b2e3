"""PII detection and masking for Chinese text: ID numbers, credit codes, phones, cards, e-mail, addresses.

Detection runs on a length-preserving fold of the input (full-width ASCII → half-width, dash variants →
``-``, ideographic/no-break space → `` ``), so every offset refers to the caller's original text and
masking keeps the surrounding characters untouched. Pure standard library; import only compiles regexes.

Digit kinds (ID card, mobile, bank card) are read from *runs*: maximal digit groups joined by single
spaces or dashes, never touching another ASCII letter or digit. A candidate is a whole run or a contiguous
slice of its groups, so a 19-digit string is never read as an ID number plus one digit, while
"138 0013 8000" and "6222 0202 0000 1234 568" are read as one number each.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "PII_KINDS",
    "PiiMatch",
    "contains_pii",
    "credit_code_check_char",
    "find_pii",
    "id_check_digit",
    "luhn_valid",
    "mask_pii",
]

#: Every ``PiiMatch.kind``, most specific first (this order breaks ties between equally long matches).
PII_KINDS: Final[tuple[str, ...]] = (
    "id_card",
    "credit_code",
    "bank_card",
    "mobile",
    "landline",
    "email",
    "address",
)
_PRIORITY: Final[dict[str, int]] = {kind: rank for rank, kind in enumerate(PII_KINDS)}

_MASK: Final = "*"
_MAX_MASK_PASSES: Final = 4


@dataclass(frozen=True)
class PiiMatch:
    """One detected item; ``text == source[start:end]`` of the string it was found in."""

    kind: str
    start: int
    end: int
    text: str


# --------------------------------------------------------------------------------------------- folding

_FOLD: Final[dict[int, int]] = {
    **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)},  # full-width ASCII → ASCII
    0x3000: 0x20,  # ideographic space
    0x00A0: 0x20,  # no-break space
    **{code: 0x2D for code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63)},
}


def _fold(text: str) -> str:
    """One-to-one character fold (so offsets are preserved) used for matching only."""
    return text.translate(_FOLD)


# ---------------------------------------------------------------------------------------- validators

_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK: Final = "10X98765432"
_ID_PROVINCES: Final = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_CREDIT_CHARS: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
_CREDIT_AUTHORITIES: Final = frozenset("123456789ANY")
_CREDIT_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_BANK_FIRST_DIGITS: Final = frozenset("34569")  # Amex/JCB, Visa, Mastercard, UnionPay 6x, domestic 9x


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 (ISO 7064 MOD 11-2) check character for the first 17 digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def credit_code_check_char(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a unified social credit code."""
    total = sum(
        _CREDIT_CHARS.index(char) * weight for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return _CREDIT_CHARS[(31 - total % 31) % 31]


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


def _valid_id18(value: str) -> bool:
    if not (value[:17].isascii() and value[:17].isdigit()) or int(value[:2]) not in _ID_PROVINCES:
        return False
    if not _plausible_birth_date(int(value[6:10]), int(value[10:12]), int(value[12:14])):
        return False
    return id_check_digit(value[:17]) == value[17].upper()


def _valid_id15(value: str) -> bool:
    if int(value[:2]) not in _ID_PROVINCES:
        return False
    return _plausible_birth_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))


def _valid_credit_code(value: str) -> bool:
    # Registration authority 1-9/A/N/Y, category, then a division code (a province, or 10 = central).
    if value[0] not in _CREDIT_AUTHORITIES or int(value[2:4]) not in _ID_PROVINCES | {10}:
        return False
    return credit_code_check_char(value[:17]) == value[17]


# ------------------------------------------------------------------------------------------- regexes

# A run of digit groups joined by single spaces/dashes; an ID number's trailing X may close it.
_RUN: Final = re.compile(r"(?<![0-9A-Za-z])(?<![0-9]\.)[0-9]+(?:[ -][0-9]+)*[Xx]?(?![0-9A-Za-z])(?!\.[0-9])")
_GROUP: Final = re.compile(r"[0-9]+[Xx]?")
_MOBILE_DIGITS: Final = re.compile(r"(?:0086|86)?1[3-9][0-9]{9}")

_CREDIT_CHAR_CLASS: Final = "[0-9A-HJ-NPQRTUWXY]"
_CREDIT_CODE: Final = re.compile(
    rf"(?<![0-9A-Za-z]){_CREDIT_CHAR_CLASS}{{2}}[0-9]{{6}}{_CREDIT_CHAR_CLASS}{{10}}(?![0-9A-Za-z])"
)

_AREA_CODE: Final = r"0(?:10|2[0-9]|[3-9][0-9]{2})"
_LANDLINE: Final = re.compile(
    rf"(?<![0-9A-Za-z])(?:\({_AREA_CODE}\) ?|{_AREA_CODE}[ -])"
    r"(?P<local>[1-9][0-9]{2,3}[ -]?[0-9]{4})"
    r"(?:(?:[-#转]|分机|ext\.?) ?(?P<ext>[0-9]{1,6}))?"
    r"(?![0-9A-Za-z])"
)

_EMAIL: Final = re.compile(
    r"(?<![A-Za-z0-9._%+-])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![A-Za-z0-9-])"
)

# Street addresses: administrative chain (…省/市/区/县) + road (…路/街/道/巷/弄/村) + house number (…号),
# then optional building / unit / floor / room. Stop characters keep the match from swallowing the
# surrounding sentence ("我住在…", "…位于…", "…关于…").
_ADMIN_STOP: Final = "我你他她您它们住在的是址为到去请把被给寄送收位或往至及与已要需"
_ROAD_STOP: Final = "我你他她您它们住在的是址为到去请把被给寄送收位或往及与可已要需将应局厅委号"
_NOT_PLACE: Final = "关于|对于|由于|属于|处于|至于|等于"
_ADMIN_CHAR: Final = rf"(?:(?!{_NOT_PLACE}|[{_ADMIN_STOP}省市区县])[\u4e00-\u9fff])"
_ROAD_CHAR: Final = rf"(?:(?!{_NOT_PLACE}|[{_ROAD_STOP}])[\u4e00-\u9fff])"
_ADDRESS: Final = re.compile(
    r"(?!(?<=[位关对由属处等至])于)"  # "位于北京市…" starts at 北, but 于洪区 / 于都县 are places
    rf"(?P<admin>(?:{_ADMIN_CHAR}{{2,7}}?(?:省|自治区|自治州|市|州|盟|地区|区|旗)|{_ADMIN_CHAR}{{1,7}}?县){{1,4}})"
    rf"(?:{_ADMIN_CHAR}{{1,6}}?(?:镇|乡|街道))?"
    rf"{_ROAD_CHAR}{{1,12}}?(?:路|街|道|巷|弄|村|胡同)"
    r"(?:[东西南北中]段|[0-9一二三四五六七八九十]{1,3}段)?"
    r"(?:[0-9]{1,5}(?:支弄|弄|巷))?"
    r"[甲乙丙丁]?[0-9]{1,5}(?:[-之][0-9]{1,4})?号(?:楼|院)?"
    r"(?:[0-9A-Za-z]{1,4}(?:号楼|号院|栋|幢|座)|[0-9]{1,3}单元|[0-9]{1,3}[层楼]"
    r"|[0-9]{1,3}(?:-[0-9]{1,4}){1,2}(?![0-9])|[0-9A-Za-z]{1,6}[室房户])*"
    r"(?:(?<=[栋幢座元层楼])[0-9]{2,5}(?![0-9]))?"
)


# ------------------------------------------------------------------------------------------ detection


@dataclass(frozen=True)
class _Found:
    match: PiiMatch
    masked: str


def _mask_chars(original: str, folded: str, keep: frozenset[int], countable: str) -> str:
    """Replace the countable characters of ``original`` (by index among them) not in ``keep`` with ``*``."""
    out: list[str] = []
    index = 0
    for orig_char, fold_char in zip(original, folded, strict=True):
        if fold_char in countable:
            out.append(orig_char if index in keep else _MASK)
            index += 1
        else:
            out.append(orig_char)
    return "".join(out)


_DIGITS: Final = "0123456789"
_ID_CHARS: Final = "0123456789Xx"


def _keep_ends(total: int, head: int, tail: int) -> frozenset[int]:
    return frozenset(range(head)) | frozenset(range(max(head, total - tail), total))


def _make(text: str, kind: str, start: int, end: int, masked: str) -> _Found:
    return _Found(PiiMatch(kind, start, end, text[start:end]), masked)


def _run_candidates(text: str, folded: str) -> list[_Found]:
    found: list[_Found] = []
    for run in _RUN.finditer(folded):
        groups = [(g.start() + run.start(), g.end() + run.start()) for g in _GROUP.finditer(run.group())]
        for first in range(len(groups)):
            digits = ""
            sizes: list[int] = []
            for last in range(first, len(groups)):
                group_start, group_end = groups[last]
                digits += folded[group_start:group_end]
                sizes.append(group_end - group_start)
                # Longest reading is a 19-digit card; a lone digit is never part of a grouped number.
                if len(digits) > 19 or sizes[-1] < 2:
                    break
                hit = _classify(digits, sizes)
                if hit is None:
                    continue
                start, end = groups[first][0], groups[last][1]
                if hit == "mobile" and start > 0 and folded[start - 1] == "+" and digits.startswith("86"):
                    start -= 1
                original, segment = text[start:end], folded[start:end]
                if hit == "id_card":
                    keep = _keep_ends(len(digits), 6, 4)
                    masked = _mask_chars(original, segment, keep, _ID_CHARS)
                elif hit == "bank_card":
                    masked = _mask_chars(original, segment, _keep_ends(len(digits), 0, 4), _DIGITS)
                else:  # mobile, possibly behind +86 / 0086: hide digits 4–7 of the last eleven
                    offset = len(digits) - 11
                    keep = frozenset(range(len(digits))) - frozenset(range(offset + 3, offset + 7))
                    masked = _mask_chars(original, segment, keep, _DIGITS)
                found.append(_make(text, hit, start, end, masked))
    return found


def _classify(digits: str, group_sizes: list[int]) -> str | None:
    """Kind of a run slice (digits without separators), or None."""
    if digits[-1] in "Xx":
        return "id_card" if len(digits) == 18 and _valid_id18(digits) else None
    if (len(digits) == 18 and _valid_id18(digits)) or (len(digits) == 15 and _valid_id15(digits)):
        return "id_card"
    if 16 <= len(digits) <= 19 and digits[0] in _BANK_FIRST_DIGITS and luhn_valid(digits):
        return "bank_card"
    if _MOBILE_DIGITS.fullmatch(digits):
        # Phone numbers are written 11 / 3-4-4 / 3-8 …: every group has ≥ 3 digits, bar an "86" prefix.
        body_sizes = group_sizes[1:] if digits.startswith("86") and group_sizes[0] == 2 else group_sizes
        if min(body_sizes) >= 3:
            return "mobile"
    return None


def _regex_candidates(text: str, folded: str) -> list[_Found]:
    found: list[_Found] = []
    for m in _CREDIT_CODE.finditer(folded):
        if _valid_credit_code(m.group()):
            original = text[m.start() : m.end()]
            masked = original[:2] + _MASK * (len(original) - 6) + original[-4:]
            found.append(_make(text, "credit_code", m.start(), m.end(), masked))
    for m in _LANDLINE.finditer(folded):
        local_start, local_end = m.span("local")
        local_digits = sum(char in _DIGITS for char in folded[local_start:local_end])
        keep = _keep_ends(local_digits, 0, 2)
        masked = (
            text[m.start() : local_start]
            + _mask_chars(text[local_start:local_end], folded[local_start:local_end], keep, _DIGITS)
            + _mask_chars(text[local_end : m.end()], folded[local_end : m.end()], frozenset(), _DIGITS)
        )
        found.append(_make(text, "landline", m.start(), m.end(), masked))
    for m in _EMAIL.finditer(folded) if "@" in folded else ():
        masked = text[m.start()] + "***@" + text[m.start("domain") : m.end()]
        found.append(_make(text, "email", m.start(), m.end(), masked))
    for m in _ADDRESS.finditer(folded) if "号" in folded else ():
        masked = text[m.start() : m.end("admin")] + "***"
        found.append(_make(text, "address", m.start(), m.end(), masked))
    return found


def _detect(text: str) -> list[_Found]:
    """Non-overlapping detections sorted by start; on overlap the longest (then most specific) wins."""
    folded = _fold(text)
    candidates = _run_candidates(text, folded) + _regex_candidates(text, folded)
    candidates.sort(key=lambda f: (f.match.start - f.match.end, _PRIORITY[f.match.kind], f.match.start))
    kept: list[_Found] = []
    for cand in candidates:
        if all(cand.match.end <= k.match.start or k.match.end <= cand.match.start for k in kept):
            kept.append(cand)
    kept.sort(key=lambda f: f.match.start)
    return kept


# --------------------------------------------------------------------------------------------- API


def find_pii(text: str) -> list[PiiMatch]:
    """All PII in ``text`` as non-overlapping matches sorted by start offset."""
    return [found.match for found in _detect(text)]


def contains_pii(text: str) -> bool:
    """Whether ``text`` contains any PII that :func:`find_pii` detects."""
    return bool(_detect(text))


def mask_pii(text: str) -> str:
    """``text`` with every PII match masked in place; the result contains no detectable PII.

    Styles: id_card ``110101********1234``, mobile ``138****8000``, bank_card all but the last 4 digits,
    email ``z***@example.com``, landline area code + last 2 digits, credit_code first 2 + last 4,
    address kept up to the district then ``***``. Separators and full-width characters that are kept
    stay as written. Idempotent: ``mask_pii(mask_pii(x)) == mask_pii(x)``.
    """
    for _ in range(_MAX_MASK_PASSES):  # a second pass only in contrived cases (kept digits forming a number)
        found = _detect(text)
        if not found:
            break
        parts: list[str] = []
        cursor = 0
        for item in found:
            parts += [text[cursor : item.match.start], item.masked]
            cursor = item.match.end
        parts.append(text[cursor:])
        text = "".join(parts)
    return text
