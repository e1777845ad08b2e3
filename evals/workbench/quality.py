"""Answer-quality metrics beyond keywords: citation precision and unsupported statements.

- **Citation precision**: over every (statement, cited number) pair of an answer, the share whose
  cited snippet supports the statement (its lead-in lines ending in a colon left out): the statement
  is contained in the snippet, or at least ``SUPPORT_COVERAGE`` of its character bigrams occur in it
  and every number of the statement does.
- **Unsupported statements**: the facts a citizen could act on — phone numbers, dates, addresses and
  other numbers (amounts, durations, counts) — found in the answer but in none of its cited sources.
  The extractive (offline) answerer copies its sentences, so this must be 0 offline.

Both are computed on the answer without its fixed closing note and without the ``[n]`` markers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.citations import CITATION_MARK, squash_spaces, statements, values_in
from assistant.textnorm import normalize

SUPPORT_COVERAGE = 0.6
PHONE = re.compile(r"(?<![\d-])(?:0\d{2,3}-?\d{7,8}|1[3-9]\d{9}|400-?\d{3}-?\d{4}|12\d{3})(?![\d-])")
DATE = re.compile(
    r"\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
)
ADDRESS = re.compile(
    r"[\u4e00-\u9fff]{2,12}?(?:路|街|大道|大街|巷|胡同|道)\s*\d+\s*号(?:[\u4e00-\u9fff\d]{0,8}?(?:楼|层|室|座))?"
)
_NOISE = re.compile(r"[\s\u3000，。；：、！？,.;:!?“”‘’\"'（）()《》〈〉【】\[\]—…·-]+")


@dataclass(frozen=True)
class Fact:
    kind: str  # "phone" | "date" | "address" | "number"
    value: str


def _squash(text: str) -> str:
    """Normalised, spaces dropped but one between two digits, as the product's citation check does."""
    return squash_spaces(normalize(text))


def facts_in(text: str) -> list[Fact]:
    """Phone numbers, dates, addresses and other numbers in ``text`` (markers removed), in order."""
    text = _squash(CITATION_MARK.sub("", text))
    found: list[Fact] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in (("phone", PHONE), ("date", DATE), ("address", ADDRESS)):
        for match in pattern.finditer(text):
            found.append(Fact(kind, match.group(0)))
            taken.append(match.span())
    rest = "".join("\0" if any(a <= i < b for a, b in taken) else ch for i, ch in enumerate(text))
    found += [Fact("number", value) for part in rest.split("\0") for value in values_in(part)]
    return found


def _contains(source: str, fact: Fact) -> bool:
    if fact.kind == "address":
        return fact.value in source
    return re.search(rf"(?<!\d)(?<!\d\.){re.escape(fact.value)}", source) is not None


def unsupported_facts(answer: str, snippets: Sequence[str]) -> tuple[list[Fact], list[Fact]]:
    """(every fact of the answer, those that occur in none of ``snippets``)."""
    sources = [_squash(s) for s in snippets]
    facts = facts_in(answer)
    return facts, [f for f in facts if not any(_contains(source, f) for source in sources)]


def _bigrams(text: str) -> set[str]:
    text = _NOISE.sub("", normalize(text).lower())
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def supports(snippet: str, statement: str) -> bool:
    """Whether ``snippet`` supports ``statement``: contained, or most bigrams and every number present."""
    body, source = _NOISE.sub("", normalize(statement).lower()), _NOISE.sub("", normalize(snippet).lower())
    if not body or body in source:
        return True
    grams = _bigrams(statement)
    coverage = len(grams & _bigrams(snippet)) / len(grams)
    numbers = [f for f in facts_in(statement)]
    return coverage >= SUPPORT_COVERAGE and all(_contains(_squash(snippet), f) for f in numbers)


def claim_of(segment: str) -> str:
    """The cited claim of the text before a marker: without its lead-in lines (those ending in a colon,
    such as “办事指南中的相关内容如下：”), which the answer's template adds and no source contains."""
    lines = [line.strip() for line in segment.splitlines() if line.strip()]
    kept = [line for line in lines if not line.endswith((":", "："))]
    return "\n".join(kept or lines)


def citation_precision(answer: str, citations: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """(supported pairs, all pairs) over the answer's (statement, cited number) pairs; a number that
    names no returned citation counts as unsupported."""
    by_index = {int(c["index"]): str(c.get("snippet", "")) for c in citations}
    supported = total = 0
    for segment, numbers in statements(answer):
        text = claim_of(segment)
        for number in dict.fromkeys(numbers):
            total += 1
            supported += number in by_index and supports(by_index[number], text)
    return supported, total


def answer_quality(answer: str, citations: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Citation precision and unsupported facts of one answer (cited sources: the ``[n]`` it uses,
    or every returned citation when it uses none)."""
    used = {int(n) for n in CITATION_MARK.findall(answer)}
    cited = [c for c in citations if int(c["index"]) in used] or list(citations)
    facts, unsupported = unsupported_facts(answer, [str(c.get("snippet", "")) for c in cited])
    supported, pairs = citation_precision(answer, citations)
    return {
        "cited_pairs": pairs,
        "supported_pairs": supported,
        "facts": len(facts),
        "unsupported": [f"{f.kind}:{f.value}" for f in unsupported],
    }
