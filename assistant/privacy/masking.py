"""How each kind of PII is masked (the masked form is built by the detector that finds it).

Styles: id_card ``110101********1234``, mobile ``138****8000``, bank_card all but the last 4 digits,
email ``z***@example.com``, landline area code + last 2 digits, credit_code first 2 + last 4, address
kept up to the district then ``***``. Separators and the full-width characters that are kept stay as
written, so a masked text reads like the original.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DIGITS",
    "MASK",
    "keep_ends",
    "mask_bank_card",
    "mask_chars",
    "mask_credit_code",
    "mask_id_card",
    "mask_mobile",
]

MASK: Final = "*"
DIGITS: Final = "0123456789"
_ID_CHARS: Final = "0123456789Xx"


def mask_chars(original: str, folded: str, keep: frozenset[int], countable: str) -> str:
    """Replace the countable characters of ``original`` (by index among them) not in ``keep`` with ``*``."""
    out: list[str] = []
    index = 0
    for orig_char, fold_char in zip(original, folded, strict=True):
        if fold_char in countable:
            out.append(orig_char if index in keep else MASK)
            index += 1
        else:
            out.append(orig_char)
    return "".join(out)


def keep_ends(total: int, head: int, tail: int) -> frozenset[int]:
    """Indexes of the first ``head`` and last ``tail`` of ``total`` characters."""
    return frozenset(range(head)) | frozenset(range(max(head, total - tail), total))


def mask_id_card(original: str, folded: str, digit_count: int) -> str:
    """Keep the 6-digit area code and the last 4 characters."""
    return mask_chars(original, folded, keep_ends(digit_count, 6, 4), _ID_CHARS)


def mask_bank_card(original: str, folded: str, digit_count: int) -> str:
    """Keep the last 4 digits."""
    return mask_chars(original, folded, keep_ends(digit_count, 0, 4), DIGITS)


def mask_mobile(original: str, folded: str, digit_count: int) -> str:
    """Hide digits 4–7 of the last eleven (so a +86 / 0086 prefix stays readable)."""
    offset = digit_count - 11
    keep = frozenset(range(digit_count)) - frozenset(range(offset + 3, offset + 7))
    return mask_chars(original, folded, keep, DIGITS)


def mask_credit_code(original: str) -> str:
    """Keep the first 2 and the last 4 characters."""
    return original[:2] + MASK * (len(original) - 6) + original[-4:]
