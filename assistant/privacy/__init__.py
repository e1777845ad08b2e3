"""PII detection and masking for Chinese text: ID numbers, credit codes, phones, cards, e-mail, addresses.

Full-width and half-width digits, numbers glued to Chinese text, and numbers grouped with spaces or
dashes are all read. Modules: :mod:`~assistant.privacy.patterns` (folding, regexes),
:mod:`~assistant.privacy.validators` (GB 11643, GB 32100, Luhn), :mod:`~assistant.privacy.detectors`
(candidates and overlap resolution), :mod:`~assistant.privacy.masking` (mask styles) and
:mod:`~assistant.privacy.redaction` (:func:`mask_pii`). Pure standard library.
"""

from __future__ import annotations

from assistant.privacy.detectors import PII_KINDS, PiiMatch, contains_pii, find_pii
from assistant.privacy.redaction import mask_pii
from assistant.privacy.validators import credit_code_check_char, id_check_digit, luhn_valid

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
