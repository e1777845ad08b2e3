"""Grounded answering: retrieve, decide whether the evidence supports an answer, compose it with citations.

The offline default is extractive: the answer is made of the retrieved sentences that best answer the
question, each followed by its ``[n]``; nothing is said that the cited snippet does not contain. An
optional LLM (see ``assistant.llm_answering``) rewrites the same evidence and is held to the same check.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from assistant.citations import Citation, check_citations
from assistant.components.vectorstore import VectorStoreUnavailable
from assistant.evidence import (
    SPECIFIC_TYPES,
    QueryTerms,
    ScoredSentence,
    TermWeights,
    answer_types,
    has_value,
    query_terms,
    score_sentences,
    split_sentences,
)
from assistant.evidence_selection import select_sentences
from assistant.index.knowledge_index import KnowledgeIndex
from assistant.injection_guard import drop_planted
from assistant.retrieval import HybridRetriever, ScoredChunk
from assistant.settings import Settings
from assistant.textnorm import normalize

logger = logging.getLogger(__name__)

Outcome = Literal["answered", "clarify", "refused", "handoff"]

CAPABILITIES = (
    "我可以解答政务服务政策方面的问题（如一网通办、跨省通办、“高效办成一件事”、政务服务标准化等），"
    "并给出政策原文出处。"
)
HELP_CHANNELS = "如需进一步帮助，可拨打12345政务服务便民热线，或点击“转人工”由工作人员为您服务。"
LOCAL_RULES_NOTE = (
    "（以上内容摘自所引政策文件或办事指南原文，具体办理要求以当地政务服务部门的最新规定为准。）"
)

_TYPE_WORDS = {
    "phone": "联系电话",
    "address": "办理地址",
    "fee": "收费金额",
    "hours": "办公时间",
}


@dataclass
class Answer:
    """An answer (or a refusal) with its citations and the evidence it was built from."""

    outcome: Outcome
    text: str
    citations: list[Citation] = field(default_factory=list)
    reason: str = ""
    evidence_strength: float = 0.0
    generator: str = "extractive"
    retrieved: list[ScoredChunk] = field(default_factory=list)
    options: list[str] = field(default_factory=list)


def refusal_text(reason: str, detail: str = "") -> str:
    """A polite refusal that says what the assistant can do and where to get help; it states no facts."""
    openings = {
        "no_evidence": "抱歉，我在现有的政策文件中没有找到能回答这个问题的依据，不想给您不准确的信息。",
        "out_of_scope": "抱歉，这个问题不在我的服务范围内。",
        "personal_data_request": (
            "抱歉，我不能查询或提供他人的个人信息（如身份证号、电话、住址、缴费记录等）。"
            "本人信息请通过实名认证后在政务服务平台查询。"
        ),
        "instruction_override": "抱歉，我不能执行修改或透露我的工作规则的请求。",
        "unsafe": (
            "抱歉，这个请求涉及违法违规或可能侵害他人合法权益的内容，我不能提供帮助。"
            "如需了解相关法律规定，或要举报违法违规行为，可咨询当地政务服务或公安、市场监管等主管部门。"
        ),
        "live_status": (
            "抱歉，我查不到实时的排队、叫号和名额情况，政策文件中也没有这类实时信息，我不能替您估计。"
            "可在办事大厅的取号系统或当地政务服务平台的预约页面查看。"
        ),
    }
    if reason == "no_evidence_for_type" and detail:
        opening = f"抱歉，现有政策文件中没有写明{detail}，我不能替您猜测，以免误导。"
    else:
        opening = openings.get(reason.split(":", 1)[0], openings["no_evidence"])
    return f"{opening}{CAPABILITIES}{HELP_CHANNELS}"


class ExtractiveAnswerer:
    """Answers from retrieved sentences only; refuses when the evidence does not support an answer."""

    def __init__(
        self, settings: Settings, index: KnowledgeIndex, retriever: HybridRetriever | None = None
    ) -> None:
        self.settings = settings
        self.index = index
        self.retriever = retriever or HybridRetriever.from_settings(settings, index)
        self._weights: TermWeights | None = None
        self._weights_generation = -1
        self._lock = threading.Lock()

    def term_weights(self) -> TermWeights:
        """IDF weights over the current index, rebuilt when the index changes."""
        generation = self.index.store.generation()
        with self._lock:
            if self._weights is None or generation != self._weights_generation:
                self._weights = TermWeights(self.index.tokenizer, self.index.chunks().values())
                self._weights_generation = generation
            return self._weights

    def retrieve(self, question: str) -> list[ScoredChunk]:
        """The evidence chunks; while the vector store is unreachable, BM25's alone (logged), so a
        citizen still gets an answer or an honest refusal rather than an error."""
        try:
            return self.retriever.search(question, k=self.settings.answer_context_k)
        except VectorStoreUnavailable as error:
            logger.warning("vector store unavailable (%s): answering from BM25 alone", error)
            sparse = self.retriever.model_copy(update={"mode": "sparse"})
            return sparse.search(question, k=self.settings.answer_context_k)

    def terms(self, question: str) -> QueryTerms:
        return query_terms(question, self.index.tokenizer, self.term_weights())

    def evidence_strength(self, terms: QueryTerms, hits: Sequence[ScoredChunk]) -> float:
        """How well the best hit covers the question's terms (IDF-weighted, 0–1)."""
        return max(
            (terms.support(normalize(f"{h.chunk.section}\n{h.chunk.text}").lower()) for h in hits),
            default=0.0,
        )

    def strength(self, question: str) -> float:
        """How well the knowledge covers ``question`` (0–1), without composing an answer."""
        hits = self.retrieve(question)
        terms = self.terms(question)
        return self.evidence_strength(terms, hits) if hits and terms.groups else 0.0

    def answer(self, question: str, hits: Sequence[ScoredChunk] | None = None) -> Answer:
        """An extractive, cited answer to ``question`` — or a refusal when the evidence is not there."""
        hits = list(hits) if hits is not None else self.retrieve(question)
        terms = self.terms(question)
        strength = self.evidence_strength(terms, hits)

        def refuse(reason: str, text: str = refusal_text("no_evidence")) -> Answer:
            return Answer("refused", text, reason=reason, evidence_strength=strength, retrieved=hits)

        if not hits or not terms.groups or strength < self.settings.evidence_threshold:
            return refuse("no_evidence")

        wanted = answer_types(normalize(question))
        sentences = [s for rank, hit in enumerate(hits) for s in split_sentences(hit.chunk, rank)]
        sentences = drop_planted(sentences)  # retrieved text is data: planted instructions are never shown
        missing = [
            t
            for t in wanted
            if t in SPECIFIC_TYPES and not any(has_value(t, s.normalized) for s in sentences)
        ]
        if missing:
            detail = "、".join(_TYPE_WORDS[t] for t in missing)
            return refuse(
                f"no_evidence_for:{','.join(missing)}", refusal_text("no_evidence_for_type", detail)
            )
        chosen = select_sentences(
            score_sentences(sentences, terms, wanted), self.settings.answer_max_sentences
        )
        if not chosen:
            return refuse("no_evidence")
        body, citations = compose(chosen, hits)
        problems = check_citations(body, citations, require_verbatim=True)
        if problems:  # cannot happen for verbatim sentences; refuse rather than show an unchecked answer
            logger.error("extractive answer failed its citation check: %s", problems)
            return refuse("citation_check_failed")
        return Answer(
            "answered",
            f"{body}\n{LOCAL_RULES_NOTE}",
            citations,
            evidence_strength=strength,
            retrieved=hits,
        )


def compose(chosen: Sequence[ScoredSentence], hits: Sequence[ScoredChunk]) -> tuple[str, list[Citation]]:
    """The answer body (best sentence first, each with its ``[n]``) and its numbered citations.

    A citation is one chunk; its snippet is the chunk's chosen sentences in document order, so the
    snippet contains every statement that cites it.
    """
    number_of: dict[str, int] = {}
    for item in chosen:
        chunk_id = item.sentence.chunk.chunk_id
        if chunk_id not in number_of:
            number_of[chunk_id] = len(number_of) + 1
    lines = [f"{item.sentence.text} [{number_of[item.sentence.chunk.chunk_id]}]" for item in chosen]
    score_of = {h.chunk.chunk_id: h.score for h in hits}
    citations: list[Citation] = []
    for chunk_id, number in number_of.items():
        used = sorted(
            (c.sentence for c in chosen if c.sentence.chunk.chunk_id == chunk_id), key=lambda s: s.position
        )
        chunk = used[0].chunk
        citations.append(
            Citation(
                index=number,
                doc_id=chunk.doc_id,
                title=chunk.title,
                section=chunk.section,
                snippet="……".join(s.text for s in used),
                score=round(score_of.get(chunk_id, 0.0), 6),
                chunk_id=chunk_id,
            )
        )
    return "\n".join(lines), citations
