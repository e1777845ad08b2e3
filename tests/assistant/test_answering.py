"""Tests for assistant.answering: extractive, cited answers over the bundled policies, and refusals.

The index is the real one (Chroma and BM25 on a temp dir) of knowledge/policies with the hash fake
embeddings, built once for the module.
"""

from __future__ import annotations

import logging
import re

import pytest

from assistant.answering import LOCAL_RULES_NOTE, ExtractiveAnswerer, compose, refusal_text
from assistant.citations import check_citations, cited_indexes, statements
from assistant.components.vectorstore import VectorStoreUnavailable
from assistant.index.knowledge_index import KnowledgeIndex
from assistant.textnorm import normalize


@pytest.fixture(scope="module")
def answerer(policy_index: KnowledgeIndex) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(policy_index.settings, policy_index)


def body_of(text: str) -> str:
    assert text.endswith(f"\n{LOCAL_RULES_NOTE}")
    return text[: -len(LOCAL_RULES_NOTE) - 1]


def assert_refusal_text(text: str) -> None:
    assert "12345" in text and "转人工" in text
    assert re.findall(r"\d+", normalize(text)) == ["12345"]  # no invented numbers
    assert not cited_indexes(text)


@pytest.mark.parametrize(
    ("question", "doc_prefix", "term"),
    [
        ("什么是跨省通办？", "gf-", "跨省通办"),
        ("“高效办成一件事”是什么？", "gf-2024-3", "高效办成一件事"),
        ("电子证照能在全国通用吗？", "gf-2022-5", "电子证照"),
        ("政务服务好差评怎么评？", "gf-2022-5", "好差评"),
        ("什么是告知承诺制", "gf-", "告知承诺"),
    ],
)
def test_answerable_questions_get_a_verbatim_cited_answer(
    answerer: ExtractiveAnswerer, question: str, doc_prefix: str, term: str
) -> None:
    answer = answerer.answer(question)
    assert answer.outcome == "answered", answer.text
    assert answer.generator == "extractive" and answer.reason == ""
    assert answer.evidence_strength >= answerer.settings.evidence_threshold
    assert answer.retrieved and len(answer.retrieved) <= answerer.settings.answer_context_k

    body = body_of(answer.text)
    assert check_citations(body, answer.citations, require_verbatim=True) == []
    # every statement is one cited sentence, found verbatim in its own snippet
    by_index = {c.index: c for c in answer.citations}
    parts = statements(body)
    assert 1 <= len(parts) <= answerer.settings.answer_max_sentences
    for statement, numbers in parts:
        assert len(numbers) == 1
        assert statement in by_index[numbers[0]].snippet
    # citations are numbered 1..n in order of first use and all used
    assert [c.index for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert cited_indexes(body) == [c.index for c in answer.citations]
    # they come from the retrieved chunks, and the answer is about the question
    retrieved_ids = {h.chunk.chunk_id for h in answer.retrieved}
    assert all(c.chunk_id in retrieved_ids and c.doc_id and c.title for c in answer.citations)
    assert answer.citations[0].doc_id.startswith(doc_prefix)
    assert term in normalize(body)


def test_answering_is_deterministic(answerer: ExtractiveAnswerer) -> None:
    first = answerer.answer("电子证照能在全国通用吗？")
    second = answerer.answer("电子证照能在全国通用吗？")
    assert first.text == second.text and first.citations == second.citations


def test_a_traditional_question_is_answered_like_the_simplified_one(answerer: ExtractiveAnswerer) -> None:
    simplified = answerer.answer("电子证照能在全国通用吗？")
    traditional = answerer.answer("電子證照能在全國通用嗎？")
    assert traditional.outcome == "answered"
    assert traditional.citations[0].chunk_id == simplified.citations[0].chunk_id


@pytest.mark.parametrize("question", ["量子色动力学的夸克禁闭", "阿巴阿巴咕噜咕噜", "xyzzy plugh", "？"])
def test_nonsense_is_refused_for_lack_of_evidence(answerer: ExtractiveAnswerer, question: str) -> None:
    answer = answerer.answer(question)
    assert (answer.outcome, answer.reason) == ("refused", "no_evidence")
    assert answer.citations == []
    assert answer.evidence_strength < answerer.settings.evidence_threshold
    assert answer.text == refusal_text("no_evidence")
    assert_refusal_text(answer.text)


@pytest.mark.parametrize(
    ("question", "missing", "words"),
    [
        ("不动产登记中心的电话号码是多少？", "phone", "联系电话"),
        ("办理跨省通办要交多少钱？", "fee", "收费金额"),
        ("便民服务中心的地址在哪里？", "address", "办理地址"),
        ("政务服务中心几点上班？", "hours", "办公时间"),
    ],
)
def test_a_specific_value_the_policies_lack_is_refused(
    answerer: ExtractiveAnswerer, question: str, missing: str, words: str
) -> None:
    answer = answerer.answer(question)
    assert answer.outcome == "refused"
    assert answer.reason.startswith("no_evidence_for") and missing in answer.reason
    assert answer.citations == []
    # there was evidence about the topic, just not the value asked for
    assert answer.evidence_strength >= answerer.settings.evidence_threshold
    assert words in answer.text and "不能替您猜测" in answer.text
    assert_refusal_text(answer.text)


def test_answer_with_given_hits_does_not_retrieve(answerer: ExtractiveAnswerer) -> None:
    hits = answerer.retrieve("什么是跨省通办？")
    assert answerer.answer("什么是跨省通办？", hits=hits).text == answerer.answer("什么是跨省通办？").text
    assert answerer.answer("什么是跨省通办？", hits=[]).reason == "no_evidence"


@pytest.mark.parametrize(
    "reason", ["no_evidence", "out_of_scope", "personal_data_request", "instruction_override"]
)
def test_every_refusal_text_points_to_help(reason: str) -> None:
    text = refusal_text(reason)
    assert_refusal_text(text)
    assert text.startswith("抱歉")


def test_unknown_refusal_reasons_fall_back_to_no_evidence() -> None:
    assert refusal_text("something_else") == refusal_text("no_evidence")
    assert "收费金额" in refusal_text("no_evidence_for_type", "收费金额")


def test_compose_numbers_one_citation_per_chunk(answerer: ExtractiveAnswerer) -> None:
    answer = answerer.answer("什么是跨省通办？")
    chunk_ids = [c.chunk_id for c in answer.citations]
    assert len(chunk_ids) == len(set(chunk_ids))
    # a snippet is the chunk's chosen sentences joined in document order
    for citation in answer.citations:
        chunk_text = answerer.index.chunks()[citation.chunk_id].text
        assert all(piece in chunk_text for piece in citation.snippet.split("……"))
    assert compose([], []) == ("", [])


def test_an_unreachable_vector_store_leaves_the_answer_to_bm25(
    answerer: ExtractiveAnswerer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unreachable(*args: object, **kwargs: object) -> None:
        raise VectorStoreUnavailable("connection refused")

    monkeypatch.setattr(answerer.index, "dense_search", unreachable)
    with caplog.at_level(logging.WARNING):
        answer = answerer.answer("电子证照能在全国通用吗？")
    assert answer.outcome == "answered", answer.text
    assert all(hit.dense_rank is None for hit in answer.retrieved)
    assert "answering from BM25 alone" in caplog.text
