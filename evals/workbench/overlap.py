"""Character-level overlap between an answer and a gold answer (Chinese text has no word boundaries).

Both texts are normalised (NFKC, 繁→简, lower case) and reduced to letters, digits and CJK characters;
citation markers ``[n]`` and the local-rules note are removed from the answer first.
ROUGE-L uses the longest common subsequence (bit-parallel, so a 14,000-character gold answer is cheap);
``char_f1`` is the bag-of-characters F1 of reading-comprehension benchmarks.
"""

from __future__ import annotations

import re
from collections import Counter

from assistant.answering import LOCAL_RULES_NOTE
from assistant.textnorm import normalize

_MARKER = re.compile(r"\[\d+\]")
_KEEP = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")


def clean(text: str) -> str:
    """The comparable characters of ``text``: letters, digits and CJK, normalised."""
    text = _MARKER.sub("", text.replace(LOCAL_RULES_NOTE, ""))
    return "".join(_KEEP.findall(normalize(text).lower()))


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence of ``a`` and ``b`` (Allison–Dix bit-parallel)."""
    if not a or not b:
        return 0
    if len(a) < len(b):
        a, b = b, a  # bits over the longer string, one pass over the shorter
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(a)) - 1
    row = 0
    for ch in b:
        match = masks.get(ch, 0)
        x = match | row
        shifted = (row << 1) | 1
        row = x & ((x - shifted) ^ x) & full
    return row.bit_count()


def rouge_l(answer: str, gold: str) -> dict[str, float]:
    """Character ROUGE-L precision, recall and F1 of cleaned ``answer`` against cleaned ``gold``."""
    a, g = clean(answer), clean(gold)
    common = lcs_length(a, g)
    precision = common / len(a) if a else 0.0
    recall = common / len(g) if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def char_f1(answer: str, gold: str) -> float:
    """Bag-of-characters F1 of cleaned ``answer`` against cleaned ``gold``."""
    a, g = Counter(clean(answer)), Counter(clean(gold))
    common = sum((a & g).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def contains_span(text: str, span: str) -> bool:
    """Whether cleaned ``span`` occurs in cleaned ``text`` (an empty span never does)."""
    needle = clean(span)
    return bool(needle) and needle in clean(text)
