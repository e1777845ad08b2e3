"""Apply the detectors: :func:`mask_pii` replaces every detection in a text with its masked form."""

from __future__ import annotations

from typing import Final

from assistant.privacy.detectors import detect

__all__ = ["mask_pii"]

_MAX_MASK_PASSES: Final = 4


def mask_pii(text: str) -> str:
    """``text`` with every PII match masked in place; the result contains no detectable PII.

    Styles are those of :mod:`assistant.privacy.masking`. Idempotent: ``mask_pii(mask_pii(x)) ==
    mask_pii(x)``.
    """
    for _ in range(_MAX_MASK_PASSES):  # a second pass only in contrived cases (kept digits forming a number)
        found = detect(text)
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
