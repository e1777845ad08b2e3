"""Step 27 of the safety work: the out-of-scope guard's overlapping patterns stated once, no decision
changed. ``_GOVERNMENT_MATTER`` is looked for first and holds 哪个部门, 合法 and 违法; ``_PUBLIC_ASK`` holds
the English \\breport (of which step 17's "report a/an/the" was a case)."""

from __future__ import annotations

import pytest

from assistant.router import _GOVERNMENT_MATTER, _PUBLIC_ASK, out_of_scope


@pytest.mark.parametrize(
    "message",
    [
        "how can i report a restaurant that keeps its fire exits locked",
        "who do i report the hotpot restaurant to, the kitchen is filthy",
        "电竞酒店半夜还让未成年人进，应该向哪个部门报告",
        "在景点门口摆摊卖小吃合法吗",
        "火锅店把地沟油卖给别人算违法吗",
    ],
)
def test_a_public_ask_beside_a_topic_word_is_in_scope(message: str) -> None:
    assert not out_of_scope(message)


@pytest.mark.parametrize("message", ["推荐个好吃的火锅店", "write me a poem about the weather"])
def test_chit_chat_stays_out_of_scope(message: str) -> None:
    assert out_of_scope(message)


def test_each_idea_is_in_one_pattern() -> None:
    for word in ("哪个部门", "合法", "违法"):
        assert _GOVERNMENT_MATTER.search(word) and not _PUBLIC_ASK.search(word)
    assert _PUBLIC_ASK.search("report a") and not _GOVERNMENT_MATTER.search("report a")
