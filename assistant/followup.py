"""Resolve a follow-up question ("那要多久？", "需要带什么？") against the previous turn's topic."""

from __future__ import annotations

import re

from assistant.textnorm import normalize

FOLLOW_UP_CUES = re.compile(
    r"^(那|那么|那个|这个|它|还有|另外|然后|再问一下|所以)"
    r"|(要多久|多长时间|多少钱|收费吗|要钱吗|需要带什么|要带什么|带什么|什么材料|在哪(里|儿)?办|怎么办理|怎么申请|"
    r"能网上办吗|能不能网上办|可以代办吗|有什么条件|什么条件|具体呢|呢)[？?。!！]*$"
)
MAX_FOLLOW_UP_CHARS = 16


_LEADS = re.compile(r"^(那么|那个|那|这个|它|还有|另外|然后|再问一下|所以)")
_PUNCTUATION = re.compile(r"[\s，,。.？?！!、]")
MAX_OWN_CHARS = 2
"""A cue-ending message with more than this many characters of its own names a new subject."""


def is_follow_up(message: str) -> bool:
    """Whether the message reads as a follow-up that leans on an earlier topic.

    It must be short and either open with 那/这个/还有 … or consist of little more than a cue
    (“要多久？”, “需要带什么？”): “居住证怎么申请？” names its own subject and is a new question.
    """
    text = normalize(message).strip()
    if not 0 < len(text) <= MAX_FOLLOW_UP_CHARS or not FOLLOW_UP_CUES.search(text):
        return False
    if _LEADS.search(text):
        return True
    own = _PUNCTUATION.sub("", FOLLOW_UP_CUES.sub("", text))
    return len(own) <= MAX_OWN_CHARS


def resolve_follow_up(message: str, previous_topic: str | None) -> str:
    """The question to retrieve with: the previous topic plus this message when it is a follow-up."""
    if not previous_topic or not is_follow_up(message):
        return message
    stripped = re.sub(r"^(那么|那个|那|这个|它|还有|另外|然后|所以)[，,\s]*", "", message.strip())
    return f"{previous_topic.strip()} {stripped}".strip()
