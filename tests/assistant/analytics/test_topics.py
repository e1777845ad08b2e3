"""Grouping unanswered questions into topics: made-up questions, deterministic greedy clustering."""

from __future__ import annotations

from assistant.analytics.topics import OTHER_LABEL, Question, group_topics, question_terms, topic_rows
from assistant.tokenization import ChineseTokenizer

QUESTIONS = [
    Question("社保断缴了怎么补缴？", "no_evidence"),
    Question("住房公积金贷款最高能贷多少", "no_evidence"),
    Question("社会保险断缴以后如何补缴", "no_evidence"),
    Question("孩子出生后怎么上户口", "no_evidence"),
    Question("请问社保补缴去哪里办", "out_of_scope"),
    Question("公积金贷款额度是多少", "no_evidence"),
    Question("新生儿上户口需要什么材料", "no_evidence"),
    Question("社保断缴了怎么补缴？", "no_evidence"),
    Question("你好", ""),
    Question("   ", ""),
]


def test_similar_questions_share_a_topic(tokenizer: ChineseTokenizer) -> None:
    topics = group_topics(QUESTIONS, tokenizer)
    assert [t.count for t in topics] == [4, 2, 2, 1]
    social = topics[0]
    assert social.terms[0] == "社会保险" and social.label.startswith("社会保险")
    assert social.reasons == {"no_evidence": 3, "out_of_scope": 1}
    # the repeated question comes first among the examples, and examples are distinct
    assert social.examples == ("社保断缴了怎么补缴？", "社会保险断缴以后如何补缴", "请问社保补缴去哪里办")
    labels = {t.label for t in topics}
    assert "住房公积金贷款" in labels
    assert any("户口" in label for label in labels)
    assert topics[-1].label == OTHER_LABEL and topics[-1].examples == ("你好",)


def test_grouping_is_deterministic(tokenizer: ChineseTokenizer) -> None:
    assert group_topics(QUESTIONS, tokenizer) == group_topics(list(QUESTIONS), tokenizer)


def test_colloquial_terms_expand_to_official_ones(tokenizer: ChineseTokenizer) -> None:
    terms = question_terms(tokenizer, "社保断缴怎么办")
    assert {"社保", "社会保险"} <= terms
    assert not terms & {"怎么", "怎么办", "办理流程"}


def test_unrelated_questions_stay_apart(tokenizer: ChineseTokenizer) -> None:
    topics = group_topics([Question("护照过期了怎么换"), Question("营业执照年报在哪里填")], tokenizer)
    assert [t.count for t in topics] == [1, 1]


def test_no_questions_no_topics(tokenizer: ChineseTokenizer) -> None:
    assert group_topics([], tokenizer) == []


def test_topic_rows_flatten_for_csv(tokenizer: ChineseTokenizer) -> None:
    rows = topic_rows(group_topics(QUESTIONS[:3], tokenizer))
    assert rows[0]["count"] == 2 and " | " in str(rows[0]["examples"])
    assert rows[0]["reasons"] == "no_evidence:2"
