"""Numbered citations and the check that an answer's ``[n]`` markers are backed by their sources."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from assistant.textnorm import normalize

_MARK = r"\[(\d{1,3})\](?!\s*\d+\s*号)"
CITATION_MARK = re.compile(_MARK)
"""A citation marker ``[n]`` — not the year of a document number (京发改[2018]12号)."""
_MARKER_RUN = re.compile(rf"(?:\s*{_MARK})+[。；;，,.]?")
_VALUE = re.compile(
    r"\d+(?:[.:：]\d+)*\s*(?:年|月|日|号|元|天|个工作日|工作日|小时|项|个|万|%|％)?|[一二三四五六七八九十百千万]+(?:个)?(?:工作日|天|小时)"
)
"""Numbers, dates, amounts and durations: facts an answer must never state without a source."""


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer; ``snippet`` is the original-script text that supports it."""

    index: int
    doc_id: str
    title: str
    section: str
    snippet: str
    score: float
    chunk_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CitationProblem:
    kind: str  # "no_citation" | "unknown_index" | "unsupported_value" | "unsupported_text"
    detail: str


def cited_indexes(answer: str) -> list[int]:
    """The distinct citation numbers in the answer, in order of first use."""
    seen: list[int] = []
    for match in CITATION_MARK.finditer(answer):
        number = int(match.group(1))
        if number not in seen:
            seen.append(number)
    return seen


def statements(answer: str) -> list[tuple[str, list[int]]]:
    """Each statement of the answer (its text without markers) with the citation numbers it carries."""
    out: list[tuple[str, list[int]]] = []
    start = 0
    for run in _MARKER_RUN.finditer(answer):
        text = answer[start : run.start()].strip()
        numbers = [int(n) for n in CITATION_MARK.findall(run.group(0))]
        if text:
            out.append((text, numbers))
        start = run.end()
    tail = answer[start:].strip()
    if tail:
        out.append((tail, []))
    return out


def values_in(text: str) -> list[str]:
    """The numeric facts (numbers, dates, amounts, durations) in ``text``, normalised."""
    # "".join(split()): the pattern's \s* may take a line break after a number that has no unit
    return ["".join(m.group(0).split()) for m in _VALUE.finditer(normalize(text)) if m.group(0).strip()]


_SPACES = re.compile(r" +")


def squash_spaces(text: str) -> str:
    """``text`` without spaces, but for one between two digits: removing that one would run two numbers
    together (“13870934738 2” → “138709347382”, “2020-02-25 16:10” → “…2516:10”), and neither would be
    found as a whole number."""

    def between_digits(match: re.Match[str]) -> str:
        start, end = match.span()
        digits = start > 0 and end < len(text) and text[start - 1].isdigit() and text[end].isdigit()
        return " " if digits else ""

    return _SPACES.sub(between_digits, text)


def _contains_value(source: str, value: str) -> bool:
    """Whether ``value`` occurs in ``source`` as a whole number ("5个工作日" is not in "15个工作日")."""
    return re.search(rf"(?<!\d)(?<!\d\.){re.escape(value)}", source) is not None


def check_citations(
    answer: str, citations: Sequence[Citation], *, require_verbatim: bool = False
) -> list[CitationProblem]:
    """Problems with the answer's citations; an empty list means every claim is backed.

    Always checked: at least one citation; every ``[n]`` names a returned citation; every number,
    date, amount or duration in a cited statement appears in one of the snippets it cites.
    With ``require_verbatim`` (extractive answers) each cited statement must also be contained in
    one of its snippets.
    """
    problems: list[CitationProblem] = []
    by_index = {c.index: c for c in citations}
    used = cited_indexes(answer)
    if not used:
        return [CitationProblem("no_citation", "the answer cites no source")]
    for number in used:
        if number not in by_index:
            problems.append(CitationProblem("unknown_index", f"[{number}] is not a returned citation"))
    for text, numbers in statements(answer):
        sources = [squash_spaces(normalize(by_index[n].snippet)) for n in numbers if n in by_index]
        if not numbers:
            # An uncited statement may not carry facts of its own.
            if values_in(text):
                problems.append(
                    CitationProblem("unsupported_value", f"uncited statement with values: {text}")
                )
            continue
        for value in values_in(text):
            if not any(_contains_value(source, value) for source in sources):
                problems.append(CitationProblem("unsupported_value", f"{value!r} is in no cited snippet"))
        if require_verbatim:
            body = squash_spaces(normalize(text))
            if not any(body in source for source in sources):
                problems.append(CitationProblem("unsupported_text", f"not found in its snippet: {text}"))
    return problems
