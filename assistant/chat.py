"""The chat service: one citizen turn from message to stored, cited reply (or refusal, or handoff)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from assistant.answering import CAPABILITIES, HELP_CHANNELS, Answer, ExtractiveAnswerer, refusal_text
from assistant.chat_guide_view import GuideView, guide_view
from assistant.chat_handoff import HANDOFF_TEXTS, WAITING_TEXT, ChatHandoff
from assistant.chat_prereview import (
    NO_ITEM_TEXT,
    UPLOAD_OPTION,
    PrereviewContext,
    asks_for_prereview,
    invitation,
    prereview_context,
)
from assistant.followup import is_follow_up, resolve_follow_up
from assistant.guide.aspects import asks_for_materials
from assistant.guide.dialogue import GuideState, GuideTurn
from assistant.guide.guide_facts import GuideFacts
from assistant.guide.models import ServiceGuide
from assistant.llm_answering import LlmDelta
from assistant.router import Intent, Route, route
from assistant.sessions import SessionStore
from assistant.sessions.store import StoredMessage
from assistant.settings import Settings

STARTER_QUESTIONS = [
    "“高效办成一件事”是什么？",
    "电子证照能在全国通用吗？",
    "什么是跨省通办？",
    "政务服务“好差评”怎么评？",
]
GREETING_TEXT = f"您好！我是政务服务智能助手。{CAPABILITIES}您可以直接提问，例如下面这些问题。"


class Answerer(Protocol):
    def answer(self, question: str) -> Answer: ...

    def stream(self, question: str) -> Iterator[LlmDelta | Answer]: ...


class GuideFlow(Protocol):
    """What the chat needs of 智能导办 (``assistant.guide.service.GuideService``)."""

    def start(self, text: str) -> GuideTurn: ...

    def reply(self, state: GuideState, text: str) -> GuideTurn: ...

    def facts(self, text: str, current: str | None = None) -> GuideFacts | None: ...

    def get(self, guide_id: str) -> ServiceGuide: ...


class ExtractiveStreamer:
    """Gives the extractive answerer the streaming interface (one delta per line of the answer)."""

    def __init__(self, extractive: ExtractiveAnswerer) -> None:
        self.extractive = extractive

    def answer(self, question: str) -> Answer:
        return self.extractive.answer(question)

    def stream(self, question: str) -> Iterator[LlmDelta | Answer]:
        result = self.extractive.answer(question)
        for line in result.text.splitlines(keepends=True):
            yield LlmDelta(line)
        yield result


@dataclass
class ChatReply:
    """What the citizen gets back for one message (the HTTP contract of DESIGN.md section 4)."""

    session_id: str
    message_id: str
    outcome: str
    answer: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    handoff: dict[str, str] | None = None
    reason: str = ""
    generator: str = ""
    guide: dict[str, Any] | None = None  # 智能导办: {"id", "name", "stage"} while a guided flow runs
    checklist: dict[str, Any] | None = None  # the personalised checklist when the flow ends

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "message_id": self.message_id,
            "outcome": self.outcome,
            "answer": self.answer,
            "citations": self.citations,
            "options": self.options,
            "handoff": self.handoff,
            "reason": self.reason,
            "guide": self.guide,
            "checklist": self.checklist,
        }


class MessageError(ValueError):
    """A message the service cannot take (empty, too long); the text says what is wrong."""

    def __init__(self, text: str, *, too_long: bool = False) -> None:
        super().__init__(text)
        self.too_long = too_long


class ChatService:
    """Routes a message, answers or refuses or hands off, and stores the turn (PII masked)."""

    def __init__(
        self,
        settings: Settings,
        store: SessionStore,
        answerer: Answerer,
        guide: GuideFlow | None = None,
        evidence: Callable[[str], float] | None = None,
        handoff: ChatHandoff | None = None,
    ) -> None:
        """``evidence`` rates how well the knowledge answers a question (0–1); a question that starts
        a guided flow but is well answered by the policies (≥ ``settings.qa_over_guide_strength``) is
        answered instead (企业办事能享受哪些金融服务 is a policy question, not the item 金融服务).
        ``handoff`` opens tickets; by default one on the session store's database (no routing model)."""
        self.settings = settings
        self.store = store
        self.answerer = answerer
        self.guide = guide
        self.evidence = evidence
        self.handoff = handoff or ChatHandoff.on_store(store, settings)
        slots = settings.chat_turn_slots
        self._turn_gate = threading.BoundedSemaphore(slots) if slots > 0 else None

    def validate(self, message: str) -> str:
        text = message.strip()
        if not text:
            raise MessageError("消息不能为空 (message must not be empty)")
        if len(text) > self.settings.max_message_chars:
            raise MessageError(
                f"消息过长：{len(text)} 字，上限 {self.settings.max_message_chars} 字 "
                f"(message too long: {len(text)} > {self.settings.max_message_chars} characters)",
                too_long=True,
            )
        return text

    def reply(
        self,
        message: str,
        session_id: str | None = None,
        previous_topic: str | None = None,
        *,
        client_id: str | None = None,
    ) -> ChatReply:
        """Answer one message; the reply is stored with the session."""
        final: ChatReply | None = None
        for event in self.stream(message, session_id, previous_topic, client_id=client_id):
            if isinstance(event, ChatReply):
                final = event
        assert final is not None
        return final

    def stream(
        self,
        message: str,
        session_id: str | None = None,
        previous_topic: str | None = None,
        *,
        client_id: str | None = None,
    ) -> Iterator[LlmDelta | ChatReply]:
        """Deltas of the answer as it is produced, then the stored ``ChatReply``.

        ``previous_topic`` resolves follow-ups for clients that keep the history themselves (the
        OpenAI-compatible endpoint); the session's own last topic takes precedence. ``client_id``
        makes a retried request a no-op: the message is stored once and the reply it got is returned.

        With a turn limit (``settings.chat_turn_slots``; extractive answers, all CPU) the turn is
        worked out whole in one of the process's slots, waiting its turn for one, and its events are
        given out after the slot is freed, so a slow reader never holds one.
        """
        text = self.validate(message)
        if self._turn_gate is None:
            yield from self._turn(text, session_id, previous_topic, client_id)
            return
        with self._turn_gate:
            events = list(self._turn(text, session_id, previous_topic, client_id))
        yield from events

    def _turn(
        self, text: str, session_id: str | None, previous_topic: str | None, client_id: str | None
    ) -> Iterator[LlmDelta | ChatReply]:
        """One validated message's turn: routed, answered (or refused, guided, handed off) and stored."""
        session = self.store.start_turn(session_id, text, client_id)
        if session.replay is not None:
            yield self._replayed(session.id, session.replay, session.handoff_id)
            return

        ticket = self.handoff.active_ticket(session.id) if not session.created else None
        if ticket is not None:  # a person has the conversation: stay quiet, pass the message on
            self.handoff.add_citizen_message(ticket, text, session.message_id)
            yield self._finish(
                session.id,
                "handoff",
                WAITING_TEXT.format(ticket=ticket.id, status=ticket.status.value),
                reason="awaiting_agent",
                handoff={"ticket_id": ticket.id, "reason": ticket.reason},
            )
            return

        if self.guide is not None and asks_for_prereview(text):
            invited = self._prereview_invitation(session.id, session.guide_state)
            if invited is not None:
                yield invited
                return

        current_guide: str | None = None  # the item of a guided flow this message just left
        if session.guide_state is not None and self.guide is not None:
            turn = self.guide.reply(GuideState.from_dict(session.guide_state), text)
            if turn.kind != "left" or turn.text:
                yield self._guide_reply(session.id, turn)
                return
            self.store.set_guide_state(session.id, None)  # left the flow: a new message, routed as usual
            current_guide = turn.guide.id if turn.guide is not None else None

        decision = route(text, use_classifier=self.settings.safety_classifier)
        if decision.intent is Intent.HANDOFF:
            yield self._handoff(session.id, decision.reason, text)
            return
        if decision.intent is Intent.GREETING:
            self.store.record_outcome(session.id, "clarify", None)
            yield self._finish(
                session.id, "clarify", GREETING_TEXT, reason="greeting", options=STARTER_QUESTIONS
            )
            return
        if decision.refused:
            yield self._refuse(session.id, decision, text)
            return

        if self.guide is not None:
            facts = self._guide_facts(decision.question, session.last_topic or previous_topic, current_guide)
            if facts is not None:
                yield self._facts_reply(session.id, facts, text)
                return
            turn = self.guide.start(decision.question)
            if turn.kind != "not_a_guide" and (
                asks_for_materials(decision.question) or not self._policy_question(decision.question)
            ):
                yield self._guide_reply(session.id, turn)
                return

        question = resolve_follow_up(decision.question, session.last_topic or previous_topic)
        answer: Answer | None = None
        for event in self.answerer.stream(question):
            if isinstance(event, Answer):
                answer = event
            else:
                yield event
        assert answer is not None
        if answer.outcome == "refused":
            yield self._refuse(session.id, Route(Intent.QA, answer.reason, question), text, answer.text)
            return
        yield self._finish(
            session.id,
            "answered",
            answer.text,
            citations=[c.to_dict() for c in answer.citations],
            generator=answer.generator,
            topic=question,
        )

    @staticmethod
    def _replayed(session_id: str, stored: StoredMessage, ticket_id: str | None) -> ChatReply:
        """The reply already given to a retried message, as it was stored."""
        handoff = (
            {"ticket_id": ticket_id, "reason": stored.reason}
            if stored.outcome == "handoff" and ticket_id
            else None
        )
        return ChatReply(
            session_id,
            stored.id,
            stored.outcome,
            stored.content,
            stored.citations,
            [],
            handoff,
            stored.reason,
        )

    def request_handoff(self, session_id: str | None, reason: str = "button") -> ChatReply:
        """The 转人工 button: hand the session to a person whatever was said."""
        session = self.store.open_session(session_id)
        return self._handoff(session.id, reason, "", button=True)

    def prereview_context(self, session_id: str) -> PrereviewContext:
        """The item and 情形 answers a pre-review uploaded in this session checks against.

        Raises ``UnknownSession`` or ``NoItemInSession`` (the session has chosen no item).
        """
        return prereview_context(self.store, session_id)

    def guide_view(self, session_id: str) -> GuideView:
        """The session's guided flow as the page shows it: the last question's options, the checklist."""
        return guide_view(self.store, self.guide, session_id)

    def record_prereview(self, session_id: str, file_count: int, report_text: str) -> str:
        """Add a pre-review done in this session to its conversation; returns the reply's message id."""
        self.store.add_message(session_id, "user", f"（上传了{file_count}个文件，申请材料预审）")
        stored = self.store.add_message(
            session_id, "assistant", report_text, outcome="answered", reason="prereview"
        )
        return stored.id

    def _prereview_invitation(self, session_id: str, guide_state: dict[str, Any] | None) -> ChatReply | None:
        """How to upload for the session's item (or a request to name the item first)."""
        assert self.guide is not None
        state = GuideState.from_dict(guide_state) if guide_state else None
        if state is None or not state.guide_id:
            return self._finish(session_id, "clarify", NO_ITEM_TEXT, reason="prereview_no_item")
        try:
            guide = self.guide.get(state.guide_id)
        except LookupError:
            return None
        reply = self._finish(
            session_id, "clarify", invitation(guide.name, self.settings), reason="prereview_invite"
        )
        return replace(reply, guide={"id": guide.id, "name": guide.name, "stage": "prereview"})

    def _guide_facts(self, question: str, topic: str | None, current_guide: str | None) -> GuideFacts | None:
        """A plain question about one field of one item (its own words, or a follow-up on the last
        topic). The guide's own field beats a policy passage here: the policies say what should be
        done, the guide says where, how long and how much for this item."""
        assert self.guide is not None
        follow_up = bool(topic) and is_follow_up(question)
        facts = self.guide.facts(question, current_guide or (topic if follow_up else None))
        return facts

    def _facts_reply(self, session_id: str, facts: GuideFacts, text: str) -> ChatReply:
        """Guide facts as an answer citing the guide's fields; none stated is a no-evidence refusal."""
        if not facts.stated:
            answer = f"{facts.text}\n{HELP_CHANNELS}"
            return self._refuse(session_id, Route(Intent.QA, "guide_fact_missing", text), text, answer)
        reply = self._finish(
            session_id,
            "answered",
            facts.text,
            reason="guide_facts",
            citations=facts.citations,
            options=[f"{facts.guide.name}需要什么材料"],
            generator="guide",
            topic=facts.guide.name,
        )
        return replace(reply, guide={"id": facts.guide.id, "name": facts.guide.name, "stage": "facts"})

    def _policy_question(self, question: str) -> bool:
        if self.evidence is None:
            return False
        return self.evidence(question) >= self.settings.qa_over_guide_strength

    def _guide_reply(self, session_id: str, turn: GuideTurn) -> ChatReply:
        """A guided turn as a chat reply: questions are ``clarify`` with options, the checklist is
        ``answered`` and cites the guide; the flow's state is stored with the reply."""
        state = turn.state.to_dict() if turn.state is not None else None  # kept after the checklist too
        guide = turn.guide
        info = (
            {"id": guide.id, "name": guide.name, "stage": turn.state.stage if turn.state else "left"}
            if guide is not None
            else None
        )
        if turn.kind == "checklist" and guide is not None and turn.checklist is not None:
            text = f"{turn.text}\n（依据：{guide.name} 办事指南 [1]）"
            citations = [guide_citation(guide, turn.checklist.to_text())]
            stored = self.store.add_message(
                session_id,
                "assistant",
                text,
                outcome="answered",
                reason="guide_checklist",
                citations=citations,
                topic=guide.name,
                guide_state=state,
            )
            return ChatReply(
                session_id,
                stored.id,
                "answered",
                text,
                citations,
                [*turn.options, UPLOAD_OPTION],
                reason="guide_checklist",
                generator="guide",
                guide=info,
                checklist=turn.checklist.to_dict(),
            )
        left = turn.kind == "left"
        outcome, reason = ("answered", "guide_left") if left else ("clarify", f"guide_{turn.kind}")
        stored = self.store.add_message(
            session_id, "assistant", turn.text, outcome=outcome, reason=reason, guide_state=state
        )
        return ChatReply(
            session_id,
            stored.id,
            outcome,
            turn.text,
            [],
            turn.options,
            reason=reason,
            generator="guide",
            guide=info,
        )

    def _refuse(
        self, session_id: str, decision: Route, text: str, answer_text: str | None = None
    ) -> ChatReply:
        reason = decision.reason or decision.intent.value
        refusals = self.store.record_outcome(session_id, "refused", None)
        if refusals >= self.settings.refusals_before_handoff:
            return self._handoff(session_id, "repeated_refusals", text)
        return self._finish(session_id, "refused", answer_text or refusal_text(reason), reason=reason)

    def _handoff(self, session_id: str, reason: str, question: str, *, button: bool = False) -> ChatReply:
        ticket = self.handoff.open_ticket(session_id, reason, question, button=button)
        self.store.record_outcome(session_id, "handoff", None)
        return self._finish(
            session_id,
            "handoff",
            HANDOFF_TEXTS.get(reason, HANDOFF_TEXTS["button"]),
            reason=reason,
            handoff={"ticket_id": ticket.id, "reason": ticket.reason},
        )

    def _finish(
        self,
        session_id: str,
        outcome: str,
        answer: str,
        *,
        reason: str = "",
        citations: list[dict[str, Any]] | None = None,
        options: list[str] | None = None,
        handoff: dict[str, str] | None = None,
        generator: str = "",
        topic: str | None = None,
    ) -> ChatReply:
        stored = self.store.add_message(
            session_id,
            "assistant",
            answer,
            outcome=outcome,
            reason=reason,
            citations=citations or [],
            topic=topic,
        )
        return ChatReply(
            session_id, stored.id, outcome, answer, citations or [], options or [], handoff, reason, generator
        )


def guide_citation(guide: ServiceGuide, passage: str) -> dict[str, Any]:
    """The citation of a guide's checklist: the guide itself, its ``passage`` (the checklist as
    rendered from the guide, so every figure in the answer is in the cited snippet)."""
    return {
        "index": 1,
        "doc_id": guide.id,
        "title": guide.name,
        "section": "办事指南",
        "snippet": passage,
        "score": 1.0,
    }


__all__ = [
    "HANDOFF_TEXTS",
    "HELP_CHANNELS",
    "WAITING_TEXT",
    "ChatReply",
    "ChatService",
    "ExtractiveStreamer",
    "MessageError",
]
