"""Tests for evals.answer_eval: per-reply scoring and the summary (keywords, refusals, answer length)."""

from __future__ import annotations

from assistant.answering import LOCAL_RULES_NOTE
from assistant.chat import ChatReply
from evals.answer_eval import score_reply, summarize_answers
from evals.datasets import EvalItem

SNIPPET = "推进政务服务事项跨省通办，办理时限压缩至5个工作日。"


def reply(outcome: str, body: str, snippet: str = SNIPPET) -> ChatReply:
    citations = [
        {
            "index": 1,
            "doc_id": "doc",
            "title": "标题",
            "section": "一、总体要求",
            "snippet": snippet,
            "score": 0.5,
        }
    ]
    text = f"{body}\n{LOCAL_RULES_NOTE}" if outcome == "answered" else body
    return ChatReply("s", "m", outcome, text, citations if outcome == "answered" else [])


def test_an_answer_is_scored_for_keywords_citations_and_length() -> None:
    item = EvalItem("q1", "跨省通办要多久", expected_keywords=[["5个工作日"], ["跨省通办", "异地办"]])
    body = "推进政务服务事项跨省通办 [1]\n办理时限压缩至5个工作日 [1]"
    result = score_reply(item, reply("answered", body), 12.0)
    assert result["outcome_ok"] and result["keywords_ok"] and result["citation_problems"] == []
    assert result["answer_chars"] == len(body)  # the closing note is not counted
    assert result["statements"] == 2


def test_a_missing_keyword_group_or_an_unsupported_value_is_caught() -> None:
    item = EvalItem("q2", "跨省通办要多久", expected_keywords=[["5个工作日"], ["一网通办"]])
    result = score_reply(item, reply("answered", "办理时限压缩至3个工作日 [1]"), 1.0)
    assert result["keywords_ok"] is False
    assert result["citation_problems"]  # 3个工作日 is in no cited snippet


def test_the_summary_reports_rates_and_answer_length() -> None:
    items = [
        EvalItem("a", "跨省通办要多久", expected_keywords=[["5个工作日"]]),
        EvalItem("b", "今天天气怎么样", expected_outcome="refused"),
        EvalItem("c", "什么是跨省通办", expected_keywords=[["跨省通办"]]),
    ]
    results = [
        score_reply(items[0], reply("answered", "办理时限压缩至5个工作日 [1]"), 10.0),
        score_reply(items[1], reply("refused", "抱歉，这个问题不在我的服务范围内。"), 5.0),
        score_reply(items[2], reply("refused", "抱歉。"), 5.0),
    ]
    summary = summarize_answers(items, results)
    assert summary["outcome_accuracy"] == 2 / 3
    assert summary["keyword_accuracy"] == 0.5  # the wrongly refused in-scope item misses its keywords
    assert summary["refuse_or_handoff_correct"] == 1.0 and summary["in_scope_wrongly_refused"] == 0.5
    assert summary["answer_chars.mean"] == len("办理时限压缩至5个工作日 [1]")  # answered replies only
    assert summary["answer_statements.mean"] == 1.0 and summary["answer_statements.max"] == 1
