"""Agent assist: for a ticket's citizen questions, or text an agent types, what the agent could answer.

Each suggestion holds a cited answer from the same answering pipeline the chat uses (or its refusal),
the matching service guide (智能导办 catalogue) if one clearly fits, the routing model's department
and category when that model is available, and similar past tickets that were closed, by a bounded
lexical comparison of their questions (``assistant.handoff.similar``). Suggestions are kept so the
agent's verdict can be recorded.

A question is screened as a chat message is before it is answered: one the router refuses (a harmful
request, an attempt to override the assistant's rules, a request for another person's data) gets the
chat's refusal. This matters because a ticket's later messages reach here unscreened: while a person
has the conversation, the chat passes messages on without routing them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant.answering import Answer, refusal_text
from assistant.guide.service import GuideService
from assistant.handoff.assist_store import SuggestionAction, SuggestionFeedback, SuggestionStore
from assistant.handoff.errors import InvalidValueError, TextTooLongError
from assistant.handoff.lifecycle import MessageKind
from assistant.handoff.similar import ClosedTickets
from assistant.handoff.tickets import TicketService
from assistant.handoff.triage import RoutingHook
from assistant.privacy import mask_pii
from assistant.router import route

MAX_PAST_TICKETS = 2000
"""How many of the most recently closed tickets are compared with a question."""
MAX_SIMILAR = 3
MAX_QUESTIONS_PER_TICKET = 5
MAX_ASSIST_CHARS = 2000


class AnswersQuestions(Protocol):
    """The chat's answerer (``assistant.chat.Answerer``): only its non-streaming side is needed."""

    def answer(self, question: str) -> Answer: ...


@dataclass(frozen=True)
class Suggestion:
    """A suggested answer for one question, with what else may help the agent."""

    id: str
    ticket_id: str | None
    question: str
    outcome: str
    answer: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    guide: dict[str, Any] | None = None
    routing: dict[str, Any] | None = None
    similar: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "suggestion_id": self.id,
            "ticket_id": self.ticket_id,
            "question": self.question,
            "outcome": self.outcome,
            "answer": self.answer,
            "citations": self.citations,
            "reason": self.reason,
            "guide": self.guide,
            "routing": self.routing,
            "similar_tickets": self.similar,
        }


class AgentAssist:
    """Builds suggestions from the shared answerer, guides, routing model and past tickets."""

    def __init__(
        self,
        answerer: AnswersQuestions,
        tickets: TicketService,
        store: SuggestionStore,
        tokenize: Callable[[str], Sequence[str]],
        *,
        guides: GuideService | None = None,
        routing: RoutingHook | None = None,
        max_past: int = MAX_PAST_TICKETS,
        safety_classifier: bool = True,
    ) -> None:
        """``safety_classifier``: screen with the learned classifier too, as the chat does (Settings)."""
        self.answerer = answerer
        self.safety_classifier = safety_classifier
        self.tickets = tickets
        self.store = store
        self.tokenize = tokenize
        self.guides = guides
        self.routing = routing
        self.max_past = max_past
        self._closed = ClosedTickets(tickets.engine, tokenize, max_past)

    def for_text(self, text: str, *, ticket_id: str | None = None) -> Suggestion:
        """A suggestion for free text (a caller's question the agent typed)."""
        question = text.strip()
        if not question:
            raise InvalidValueError("type a question to get a suggestion")
        if len(question) > MAX_ASSIST_CHARS:
            raise TextTooLongError("text", len(question), MAX_ASSIST_CHARS)
        answer = self._answer(question)
        citations = [c.to_dict() for c in answer.citations]
        suggestion = Suggestion(
            id=_suggestion_id(ticket_id, question, answer.text),
            ticket_id=ticket_id,
            question=mask_pii(question),
            outcome=answer.outcome,
            answer=answer.text,
            citations=citations,
            reason=answer.reason,
            guide=self._guide(question),
            routing=self._routing(question),
            similar=self.similar(question, exclude=ticket_id),
        )
        self.store.save(suggestion.id, ticket_id, question, answer.outcome, answer.text, citations)
        return suggestion

    def _answer(self, question: str) -> Answer:
        """The answerer's answer, or the chat's refusal when the router refuses the question."""
        decision = route(question, use_classifier=self.safety_classifier)
        if decision.refused:
            return Answer("refused", refusal_text(decision.reason), reason=decision.reason)
        return self.answerer.answer(question)

    def for_ticket(self, ticket_id: str) -> list[Suggestion]:
        """One suggestion per citizen question of the ticket (its question, then later messages)."""
        ticket = self.tickets.get(ticket_id)
        questions = [ticket.question] if ticket.question.strip() else []
        questions += [
            m.body
            for m in self.tickets.messages(ticket_id)
            if m.kind is MessageKind.CITIZEN and m.body.strip()
        ]
        unique = list(dict.fromkeys(q[:MAX_ASSIST_CHARS] for q in questions))[-MAX_QUESTIONS_PER_TICKET:]
        return [self.for_text(q, ticket_id=ticket_id) for q in unique]

    def record_feedback(
        self,
        ticket_id: str,
        suggestion_id: str,
        agent: str,
        action: SuggestionAction | str,
        final_text: str = "",
    ) -> SuggestionFeedback:
        """Record that the agent used, edited or discarded a suggestion (404 for an unknown one)."""
        self.tickets.get(ticket_id)
        return self.store.record(ticket_id, suggestion_id, agent, action, final_text)

    # ------------------------------------------------------------------------------- the parts

    def _guide(self, question: str) -> dict[str, Any] | None:
        """The service item the catalogue clearly matches, with the facts asked about if any."""
        if self.guides is None:
            return None
        facts = self.guides.facts(question)
        extra: dict[str, Any]
        if facts is not None:
            guide = facts.guide
            extra = {"facts": facts.text, "citations": facts.citations}
        else:
            matches = self.guides.dialogue.matcher.decide(question)
            if len(matches) != 1:
                return None
            guide, extra = matches[0].guide, {"score": round(matches[0].score, 4)}
        return {"id": guide.id, "name": guide.name, "department": guide.department, **extra}

    def _routing(self, question: str) -> dict[str, Any] | None:
        hint = self.routing(question) if self.routing is not None else None
        return hint.to_dict() if hint is not None else None

    def similar(
        self, question: str, *, exclude: str | None = None, k: int = MAX_SIMILAR
    ) -> list[dict[str, Any]]:
        """Closed tickets whose questions share the most terms with ``question`` (cosine over term sets)."""
        return self._closed.similar(question, exclude=exclude, k=k)


def _suggestion_id(ticket_id: str | None, question: str, answer: str) -> str:
    digest = hashlib.sha256(f"{ticket_id or ''}\x00{question}\x00{answer}".encode()).hexdigest()
    return f"sg_{digest[:32]}"
