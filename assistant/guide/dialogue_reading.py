"""Reading citizen replies in the guided dialogue: options, numbers, items and navigation words.

Text is compared in a matching form: NFKC, 繁→简, lower case, punctuation and spaces removed. A reply
chooses the option whose label or phrase is the longest part of it; a one-character phrase (是, 有)
counts only as the whole reply (trailing particles aside: 是的, 有啊), and a tie chooses nothing.
Text that is not an answer to the question being asked (an opening, or a reply that also mentions
other things) answers a question only through specific phrases: never a one-character phrase or a
bare yes/no word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.guide.models import ServiceGuide, Situation
from assistant.textnorm import normalize

_NON_WORD = re.compile(r"[\W_]+")
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = re.compile(
    r"^(?:我选|我要|就选|就|选择|选|要)?第?([0-9]{1,2}|[一二两三四五六七八九十]{1,2})"
    r"(?:个|项|种|号|条|个选项)?(?:吧|呀|啊|呢|了|哈|嘛)*$"
)
_LAST = frozenset({"最后一个", "最后一项", "最后那个"})


def core(text: str) -> str:
    """The matching form of ``text``."""
    return _NON_WORD.sub("", normalize(text).lower())


def _cores(words: str) -> frozenset[str]:
    """The matching forms of space-separated words."""
    return frozenset(core(word) for word in words.split())


#: Yes/no words that never answer a question unless it is the one being asked.
GENERIC_WORDS = _cores(
    "是 是的 对 对的 好的 要 要的 需要 有 已经有了 其他 属于 不是 不要 不需要 不用 没有 还没有 否 不 不属于"
)
_BACK = _cores("上一步 返回 back 上一个 上一题 上一个问题 后退 退回 回到上一步 返回上一步")
_SWITCH = _cores("重新选择事项 换一个事项 换个事项 重新选事项 不是这个事项 换一件事 选错事项了 事项选错了")
_EDIT = _cores("修改 修改回答 修改答案 改一下 我要修改 改答案 重新回答 修改一下 改一改 改回答")
_EXIT = _cores(
    "退出 不办了 算了 结束 取消 不想办了 先不办了 退出导办 不用了 没事了 exit quit 不弄了 以后再说 不问了"
)
_CONFUSED = _cores("什么意思 啥意思 不懂 不明白 看不懂 听不懂 不知道 不清楚 不太清楚 没听懂")
_NONE_OF_THEM = _cores("都不是 都不对 都不符合 以上都不是 没有我要办的")
_QUESTION_MARKERS = ("？", "?", "吗", "怎么", "什么", "如何", "哪里", "多少")
_HANDOFF_MARKERS = ("人工", "12345", "投诉", "客服")
_PARTICLES = "的吧啊呀呢哦嘛了哈"
NEW_MESSAGE_LENGTH = 12  # a longer reply that answers nothing is taken as a new message


def is_back(text: str) -> bool:
    """上一步 / 返回 / back."""
    return text in _BACK or any(w in text for w in ("上一步", "上一题", "上一个问题"))


def is_switch(text: str) -> bool:
    """重新选择事项 / 换一个事项."""
    return text in _SWITCH or any(w in text for w in ("重新选择事项", "换一个事项", "换个事项"))


def is_edit(text: str) -> bool:
    """修改 / 改一下 without saying what to change."""
    return text in _EDIT


def is_exit(text: str) -> bool:
    """退出 / 不办了 / 算了."""
    return text in _EXIT


def is_confused(text: str) -> bool:
    """不懂 / 什么意思: the citizen needs the question put more simply."""
    return text in _CONFUSED


def is_none_of_them(text: str) -> bool:
    """都不是: none of the offered items."""
    return text in _NONE_OF_THEM


def is_question(original: str) -> bool:
    """Whether a message asks something (？, 吗, 怎么 …) or asks for a person (人工, 12345)."""
    shown = normalize(original)
    return any(marker in shown for marker in _QUESTION_MARKERS + _HANDOFF_MARKERS)


def is_new_message(original: str, text: str) -> bool:
    """Whether a reply that answers nothing looks like a new question or request."""
    return is_question(original) or len(text) > NEW_MESSAGE_LENGTH


def number_choice(text: str, count: int) -> int | None:
    """The 0-based index chosen by "1" / "第二个" / "选2" / "最后一个", when within ``count``."""
    if text in _LAST:
        return count - 1 if count else None
    found = _NUMBER.match(text)
    if not found:
        return None
    value = _number(found.group(1))
    return value - 1 if 1 <= value <= count else None


def _number(digits: str) -> int:
    if digits.isdigit():
        return int(digits)
    if digits == "十":
        return 10
    if digits.startswith("十"):
        return 10 + _CHINESE_DIGITS.get(digits[1], 0)
    if digits.endswith("十"):
        return 10 * _CHINESE_DIGITS.get(digits[0], 0)
    return _CHINESE_DIGITS.get(digits, 0) if len(digits) == 1 else 0


@dataclass(frozen=True)
class _Phrase:
    option_id: str
    text: str  # matching form
    specific: bool  # may answer a question that is not being asked


class SituationReader:
    """Reads replies against one 情形 question's options."""

    def __init__(self, situation: Situation) -> None:
        self.situation = situation
        self.option_ids = [option.id for option in situation.options]
        phrases: list[_Phrase] = []
        for option in situation.options:
            for candidate in dict.fromkeys([option.label, *option.phrases]):
                text = core(candidate)
                if text:
                    specific = len(text) > 1 and text not in GENERIC_WORDS
                    phrases.append(_Phrase(option.id, text, specific))
        self._phrases = phrases

    def choose(self, text: str, *, specific_only: bool = False) -> str | None:
        """The option id ``text`` (matching form) chooses by label or phrase, or None."""
        best: dict[str, int] = {}
        bare = text.rstrip(_PARTICLES) or text  # 是的 → 是, 有啊 → 有
        for phrase in self._phrases:
            if specific_only and not phrase.specific:
                continue
            hit = bare == phrase.text if len(phrase.text) == 1 else phrase.text in text
            if hit:
                best[phrase.option_id] = max(best.get(phrase.option_id, 0), len(phrase.text))
        if not best:
            return None
        top = max(best.values())
        winners = [option_id for option_id, length in best.items() if length == top]
        return winners[0] if len(winners) == 1 else None

    def answer(self, text: str) -> str | None:
        """The option id chosen by a reply to this question: a label, a phrase or an option number."""
        chosen = self.choose(text)
        if chosen is None:
            index = number_choice(text, len(self.option_ids))
            chosen = self.option_ids[index] if index is not None else None
        return chosen


class GuideReader:
    """The readers of one guide's questions, built once per guide."""

    def __init__(self, guide: ServiceGuide) -> None:
        self.guide = guide
        self.readers = {situation.id: SituationReader(situation) for situation in guide.situations}

    def mentioned(self, text: str, *, skip: str | None = None) -> dict[str, str]:
        """Answers ``text`` (matching form) gives through specific phrases, question by question."""
        found: dict[str, str] = {}
        for situation_id, reader in self.readers.items():
            if situation_id == skip:
                continue
            option_id = reader.choose(text, specific_only=True)
            if option_id is not None:
                found[situation_id] = option_id
        return found


def pick_item(text: str, guides: Sequence[ServiceGuide]) -> int | None:
    """The index of the guide a reply to "which item?" chooses: a number, its name, or words of it."""
    index = number_choice(text, len(guides))
    if index is not None or not text:
        return index
    scores = [_item_score(text, guide) for guide in guides]
    top = max(scores, default=0)
    if top <= 0 or scores.count(top) > 1:
        return None
    return scores.index(top)


def _item_score(text: str, guide: ServiceGuide) -> int:
    """A name or alias said whole, or the reply being part of one, counts most: by the share of the
    reply it explains, then the share of the name said. Otherwise: character pairs shared with a name."""
    score = 0
    pairs = _bigrams(text)
    for name in (guide.name, *guide.aliases):
        name_core = core(name)
        if not name_core:
            continue
        if name_core in text or (len(text) >= 2 and text in name_core):
            overlap = min(len(text), len(name_core))
            score = max(score, 1000 + 1000 * overlap // len(text) + 100 * overlap // len(name_core))
        score = max(score, len(pairs & _bigrams(name_core)))
    return score


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}
