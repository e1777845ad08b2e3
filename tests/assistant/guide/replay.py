"""Test helpers: a reference reading of citizen replies, dialogue replay and answer-path enumeration.

The reading is deliberately simple so that the dataset stays unambiguous for any sensible matcher:
a reply answers the question being asked with the option whose label or phrase is the longest
substring of the reply (a one-character phrase such as 是 only when it is the whole reply); an
opening may pre-answer any question, but only through specific phrases, never a bare yes/no word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.guide.checklist import pending_situations
from assistant.guide.models import ServiceGuide, Situation

GENERIC_WORDS = frozenset(
    {"是", "是的", "对", "对的", "好的", "要", "要的", "需要", "有", "已经有了", "其他", "属于"}
    | {"不是", "不要", "不需要", "不用", "没有", "还没有", "否", "不", "不属于"}
)
_PUNCTUATION = re.compile(r"[\s，。！？、,.!?~～…]+")


def _core(text: str) -> str:
    return _PUNCTUATION.sub("", text).lower()


def match_option(situation: Situation, text: str, *, opening: bool = False) -> str | None:
    """The option id that ``text`` chooses, or None when nothing or more than one option fits best."""
    core = _core(text)
    best: dict[str, int] = {}
    for option in situation.options:
        for candidate in [option.label, *option.phrases]:
            phrase = _core(candidate)
            if not phrase or (opening and (len(phrase) == 1 or candidate in GENERIC_WORDS)):
                continue
            hit = core == phrase if len(phrase) == 1 else phrase in core
            if hit:
                best[option.id] = max(best.get(option.id, 0), len(phrase))
    if not best:
        return None
    top = max(best.values())
    winners = [option_id for option_id, length in best.items() if length == top]
    return winners[0] if len(winners) == 1 else None


@dataclass
class Replay:
    answers: dict[str, str]
    asked: list[str] = field(default_factory=list)  # situation ids asked, in order
    problems: list[str] = field(default_factory=list)


def replay(guide: ServiceGuide, opening: str, replies: list[str]) -> Replay:
    """Answers gathered from the opening, then one reply per question asked, as a dialogue would."""
    answers: dict[str, str] = {}
    for situation in guide.situations:
        option_id = match_option(situation, opening, opening=True)
        if option_id is not None:
            answers[situation.id] = option_id
    result = Replay(answers)
    queue = list(replies)
    while pending := pending_situations(guide, answers):
        situation = pending[0]
        if not queue:
            result.problems.append(f"no reply left for '{situation.id}'")
            break
        reply = queue.pop(0)
        result.asked.append(situation.id)
        option_id = match_option(situation, reply)
        if option_id is None:
            result.problems.append(f"reply {reply!r} does not choose one option of '{situation.id}'")
            break
        answers[situation.id] = option_id
    if queue:
        result.problems.append(f"replies left over: {queue}")
    return result


def answer_paths(guide: ServiceGuide) -> Iterator[tuple[dict[str, str], list[str]]]:
    """Every complete path through the 情形 questions: (answers, questions asked in order)."""

    def walk(answers: dict[str, str], asked: list[str]) -> Iterator[tuple[dict[str, str], list[str]]]:
        pending = pending_situations(guide, answers)
        if not pending:
            yield answers, asked
            return
        situation = pending[0]
        for option in situation.options:
            yield from walk({**answers, situation.id: option.id}, [*asked, situation.id])

    yield from walk({}, [])
