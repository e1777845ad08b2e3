"""Tests for assistant.llm_answering: scripted chat models, the citation check and the extractive fallback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from assistant.answering import LOCAL_RULES_NOTE, Answer, ExtractiveAnswerer
from assistant.citations import Citation, values_in
from assistant.index.knowledge_index import KnowledgeIndex
from assistant.llm_answering import LlmAnswerer, LlmDelta, build_messages, numbered_sources

QUESTION = "“高效办成一件事”是什么？"
NONSENSE = "量子色动力学的夸克禁闭"


@pytest.fixture(scope="module")
def extractive(policy_index: KnowledgeIndex) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(policy_index.settings, policy_index)


@pytest.fixture(scope="module")
def sources(extractive: ExtractiveAnswerer) -> list[Citation]:
    """The numbered sources the model is shown for QUESTION."""
    baseline = extractive.answer(QUESTION)
    assert baseline.outcome == "answered"
    numbered = numbered_sources(baseline.retrieved)
    assert len(numbered) >= 3
    return numbered


class RecordingModel(BaseChatModel):
    """Answers with a fixed text and records every call."""

    reply: str = "不应被调用 [1]"
    calls: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "recording"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        self.calls.append(messages)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(self.reply))])


class BrokenModel(BaseChatModel):
    """An endpoint that is down: every call raises ConnectionError."""

    @property
    def _llm_type(self) -> str:
        return "broken"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        raise ConnectionError("endpoint down")

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        raise ConnectionError("endpoint down")


class DiesMidStreamModel(BrokenModel):
    """Streams a first piece, then the connection drops."""

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content="高效办成一件事"))
        raise ConnectionError("connection reset")


def scripted(text: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([text]))


def a_quotable_value(sources: list[Citation]) -> tuple[Citation, str]:
    """A source with a number (date, amount, duration) in it, and that number."""
    for citation in sources:
        values = [v for v in values_in(citation.snippet) if any(ch.isdigit() for ch in v)]
        if values:
            return citation, values[0]
    raise AssertionError("no source has a number to quote")


# ------------------------------------------------------------------------------------- accepted


def test_a_good_cited_answer_is_used(extractive: ExtractiveAnswerer, sources: list[Citation]) -> None:
    with_value, value = a_quotable_value(sources)
    other = next(c for c in reversed(sources) if c.index != with_value.index)
    text = (
        f"“高效办成一件事”是优化政务服务、提升行政效能的重要抓手 [{other.index}]。"
        f"相关目标以{value}为节点 [{with_value.index}]。"
    )
    answer = LlmAnswerer(scripted(text), extractive).answer(QUESTION)
    assert answer.outcome == "answered" and answer.generator == "llm"
    assert answer.text == f"{text}\n{LOCAL_RULES_NOTE}"
    # only the cited sources are returned, with their numbers as shown to the model
    cited = sorted({with_value.index, other.index})
    assert len(cited) < len(sources)
    assert [c.index for c in answer.citations] == cited
    assert [c.chunk_id for c in answer.citations] == [sources[i - 1].chunk_id for i in cited]
    assert answer.retrieved and answer.evidence_strength > 0


def test_streaming_yields_deltas_then_the_answer(extractive: ExtractiveAnswerer) -> None:
    text = "“高效办成一件事”是优化政务服务的重要抓手 [1]。"
    events = list(LlmAnswerer(FakeListChatModel(responses=[text]), extractive).stream(QUESTION))
    *deltas, final = events
    assert len(deltas) > 1 and all(isinstance(d, LlmDelta) for d in deltas)
    assert "".join(d.text for d in deltas) == text
    assert isinstance(final, Answer) and final.generator == "llm"
    assert final.text.startswith(text)


# ------------------------------------------------------------------------------------- fallback


@pytest.mark.parametrize(
    "text",
    [
        "“高效办成一件事”是优化政务服务的重要抓手。",  # no citation
        "“高效办成一件事”是优化政务服务的重要抓手 [1]。到2027年全面实现 [9]。",  # [9] was never given
        "“高效办成一件事”要求所有事项在3个工作日内办结，工本费20元 [1]。",  # numbers from nowhere
        "“高效办成一件事”是重要抓手 [1]。咨询电话010-88886666。",  # an uncited statement with a value
    ],
)
def test_an_unchecked_answer_falls_back_to_the_extractive_one(
    extractive: ExtractiveAnswerer, sources: list[Citation], text: str, caplog: pytest.LogCaptureFixture
) -> None:
    for made_up in ("3个工作日", "20元", "88886666"):
        assert all(made_up not in s.snippet for s in sources)
    expected = extractive.answer(QUESTION)
    with caplog.at_level(logging.WARNING, logger="assistant.llm_answering"):
        answer = LlmAnswerer(scripted(text), extractive).answer(QUESTION)
    assert answer.generator == "extractive (llm_citation_check_failed)"
    assert answer.outcome == "answered"
    assert answer.text == expected.text and answer.citations == expected.citations
    assert "citation check" in caplog.text


def test_an_empty_reply_falls_back(extractive: ExtractiveAnswerer) -> None:
    answer = LlmAnswerer(FakeListChatModel(responses=[""]), extractive).answer(QUESTION)
    assert answer.outcome == "answered" and answer.generator.startswith("extractive (")
    assert answer.text == extractive.answer(QUESTION).text


@pytest.mark.parametrize("model_class", [BrokenModel, DiesMidStreamModel])
def test_a_failing_model_falls_back_and_logs_a_warning(
    extractive: ExtractiveAnswerer, model_class: type[BaseChatModel], caplog: pytest.LogCaptureFixture
) -> None:
    expected = extractive.answer(QUESTION)
    with caplog.at_level(logging.WARNING, logger="assistant.llm_answering"):
        events = list(LlmAnswerer(model_class(), extractive).stream(QUESTION))
    final = events[-1]
    assert isinstance(final, Answer)
    assert final.generator == "extractive (llm_error)" and final.outcome == "answered"
    assert final.text == expected.text
    # the piece streamed before the failure was shown provisionally; the final answer replaces it
    assert events[:-1] == ([LlmDelta("高效办成一件事")] if model_class is DiesMidStreamModel else [])
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and r.name == "assistant.llm_answering"
    ]
    assert len(warnings) == 1 and "ConnectionError" in warnings[0].getMessage()


@pytest.mark.parametrize("question", [NONSENSE, "不动产登记中心的电话号码是多少？"])
def test_refused_questions_never_call_the_model(extractive: ExtractiveAnswerer, question: str) -> None:
    model = RecordingModel()
    events = list(LlmAnswerer(model, extractive).stream(question))
    assert model.calls == []
    assert len(events) == 1
    (answer,) = events
    assert isinstance(answer, Answer)
    assert answer.outcome == "refused" and answer.generator == "extractive"
    assert answer.reason.startswith("no_evidence")


def test_the_model_sees_the_numbered_sources(extractive: ExtractiveAnswerer, sources: list[Citation]) -> None:
    model = RecordingModel(reply="“高效办成一件事”是重要抓手 [2]。")
    answer = LlmAnswerer(model, extractive).answer(QUESTION)
    assert answer.generator == "llm" and [c.index for c in answer.citations] == [2]
    (messages,) = model.calls
    system, user = messages
    assert isinstance(system, SystemMessage) and isinstance(user, HumanMessage)
    assert "[编号]" in str(system.content)
    content = str(user.content)
    assert QUESTION in content
    for source in sources:
        assert f"[{source.index}] 《{source.title}》" in content and source.snippet in content


def test_build_messages_and_numbered_sources(extractive: ExtractiveAnswerer) -> None:
    hits = extractive.retrieve(QUESTION)
    numbered = numbered_sources(hits)
    assert [c.index for c in numbered] == list(range(1, len(hits) + 1))
    assert all(len(c.snippet) <= 700 and hits[0].chunk.text.startswith(numbered[0].snippet) for c in numbered)
    messages = build_messages("问题", numbered[:1])
    assert len(messages) == 2 and "问题：问题" in str(messages[1].content)


def test_personal_data_in_the_question_is_masked_before_the_model_sees_it(
    extractive: ExtractiveAnswerer,
) -> None:
    model = RecordingModel(reply="“高效办成一件事”是重要抓手 [1]。")
    phone, card = "13912345678", "6225 8840 2685 9952"  # made up; the card passes Luhn
    LlmAnswerer(model, extractive).answer(f"我手机{phone}，卡号{card}，{QUESTION}")
    (messages,) = model.calls
    content = str(messages[-1].content)
    assert "139****5678" in content and "**** **** **** 9952" in content
    assert phone not in content and card not in content
