"""PII detection in Chinese text: ID numbers, credit codes, phones, bank cards, e-mail, addresses.

Digit kinds (ID card, mobile, bank card) are read from *runs*: maximal digit groups joined by single
spaces or dashes, never touching another ASCII letter or digit. A candidate is a whole run or a contiguous
slice of its groups, so a 19-digit string is never read as an ID number plus one digit, while
"138 0013 8000" and "6222 0202 0000 1234 568" are read as one number each. Every candidate is checked
by :mod:`assistant.privacy.validators`; overlaps are resolved longest (then most specific) first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from assistant.privacy import patterns
from assistant.privacy.masking import (
    DIGITS,
    MASK,
    keep_ends,
    mask_bank_card,
    mask_chars,
    mask_credit_code,
    mask_id_card,
    mask_mobile,
)
from assistant.privacy.validators import (
    BANK_FIRST_DIGITS,
    id_shaped,
    luhn_valid,
    valid_credit_code,
    valid_id15,
    valid_id18,
)

__all__ = ["PII_KINDS", "Detection", "PiiMatch", "contains_pii", "detect", "find_pii"]

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
#: A number right after a currency sign or right before one of these units is a quantity, not PII.
_CURRENCY_BEFORE: Final = "¥$\uffe5"
_UNIT_AFTER: Final = "元万亿%"


@dataclass(frozen=True)
class PiiMatch:
    """One detected item; ``text == source[start:end]`` of the string it was found in."""

    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Detection:
    """A match and the masked form that replaces it."""

    match: PiiMatch
    masked: str


def _make(text: str, kind: str, start: int, end: int, masked: str) -> Detection:
    return Detection(PiiMatch(kind, start, end, text[start:end]), masked)


def _classify(digits: str, group_sizes: list[int]) -> str | None:
    """Kind of a run slice (digits without separators), or None."""
    if digits[-1] in "Xx":
        return "id_card" if len(digits) == 18 and valid_id18(digits) else None
    if (len(digits) == 18 and valid_id18(digits)) or (len(digits) == 15 and valid_id15(digits)):
        return "id_card"
    if (
        16 <= len(digits) <= 19
        and digits[0] in BANK_FIRST_DIGITS
        and luhn_valid(digits)
        and not id_shaped(digits)
    ):
        return "bank_card"
    if patterns.MOBILE_DIGITS.fullmatch(digits):
        # Phone numbers are written 11 / 3-4-4 / 3-8 …: every group has ≥ 3 digits, bar an "86" prefix.
        body_sizes = group_sizes[1:] if digits.startswith("86") and group_sizes[0] == 2 else group_sizes
        if min(body_sizes) >= 3:
            return "mobile"
    return None


def _is_quantity(folded: str, start: int, end: int) -> bool:
    before = folded[start - 1] if start > 0 else ""
    after = folded[end] if end < len(folded) else ""
    return (before != "" and before in _CURRENCY_BEFORE) or (after != "" and after in _UNIT_AFTER)


def _run_candidates(text: str, folded: str) -> list[Detection]:
    found: list[Detection] = []
    for run in patterns.RUN.finditer(folded):
        groups = [
            (g.start() + run.start(), g.end() + run.start()) for g in patterns.GROUP.finditer(run.group())
        ]
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
                if _is_quantity(folded, start, end):
                    continue
                if hit == "mobile" and start > 0 and folded[start - 1] == "+" and digits.startswith("86"):
                    start -= 1
                original, segment = text[start:end], folded[start:end]
                if hit == "id_card":
                    masked = mask_id_card(original, segment, len(digits))
                elif hit == "bank_card":
                    masked = mask_bank_card(original, segment, len(digits))
                else:
                    masked = mask_mobile(original, segment, len(digits))
                found.append(_make(text, hit, start, end, masked))
    return found


def _regex_candidates(text: str, folded: str) -> list[Detection]:
    found: list[Detection] = []
    for m in patterns.CREDIT_CODE.finditer(folded):
        if valid_credit_code(m.group()):
            found.append(
                _make(text, "credit_code", m.start(), m.end(), mask_credit_code(text[m.start() : m.end()]))
            )
    for m in patterns.LANDLINE.finditer(folded):
        local_start, local_end = m.span("local")
        local_digits = sum(char in DIGITS for char in folded[local_start:local_end])
        keep = keep_ends(local_digits, 0, 2)
        masked = (
            text[m.start() : local_start]
            + mask_chars(text[local_start:local_end], folded[local_start:local_end], keep, DIGITS)
            + mask_chars(text[local_end : m.end()], folded[local_end : m.end()], frozenset(), DIGITS)
        )
        found.append(_make(text, "landline", m.start(), m.end(), masked))
    for m in patterns.EMAIL.finditer(folded) if "@" in folded else ():
        masked = text[m.start()] + MASK * 3 + "@" + text[m.start("domain") : m.end()]
        found.append(_make(text, "email", m.start(), m.end(), masked))
    for m in patterns.ADDRESS.finditer(folded) if "号" in folded else ():
        masked = text[m.start() : m.end("admin")] + MASK * 3
        found.append(_make(text, "address", m.start(), m.end(), masked))
    return found


def detect(text: str) -> list[Detection]:
    """Non-overlapping detections sorted by start; on overlap the longest (then most specific) wins."""
    folded = patterns.fold(text)
    candidates = _run_candidates(text, folded) + _regex_candidates(text, folded)
    candidates.sort(key=lambda f: (f.match.start - f.match.end, _PRIORITY[f.match.kind], f.match.start))
    kept: list[Detection] = []
    for cand in candidates:
        if all(cand.match.end <= k.match.start or k.match.end <= cand.match.start for k in kept):
            kept.append(cand)
    kept.sort(key=lambda f: f.match.start)
    return kept


def find_pii(text: str) -> list[PiiMatch]:
    """All PII in ``text`` as non-overlapping matches sorted by start offset."""
    return [found.match for found in detect(text)]


def contains_pii(text: str) -> bool:
    """Whether ``text`` contains any PII that :func:`find_pii` detects."""
    return bool(detect(text))
