"""智能导办: the guided dialogue from a citizen's request to their personalised checklist.

``start`` matches the request to catalogue items (asking which one when several fit), pre-answers
情形 questions from the citizen's own words, then asks the pending questions one at a time and ends
with the checklist. ``reply`` reads each answer against the options (see ``dialogue_reading``) and
handles 上一步, 重新选择事项, 修改, 退出 and replies that are really a new question. Pure logic: the
caller persists ``GuideState`` between turns (``to_dict`` / ``from_dict``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.guide import dialogue_text as say
from assistant.guide.checklist import build_checklist, effective_answers, pending_situations
from assistant.guide.dialogue_reading import (
    GuideReader,
    core,
    is_back,
    is_confused,
    is_edit,
    is_exit,
    is_new_message,
    is_none_of_them,
    is_question,
    is_switch,
    number_choice,
    pick_item,
)
from assistant.guide.dialogue_state import GuideState, GuideTurn
from assistant.guide.loader import CatalogueLoad
from assistant.guide.matching import Matcher
from assistant.guide.models import ServiceGuide, Situation

__all__ = ["GuideDialogue", "GuideState", "GuideTurn", "Interpreter"]

Interpreter = Callable[[Situation, str], "str | None"]
"""Reads a free-text reply the rules could not place (e.g. with an LLM): an option id of the
question, or None. Whatever it returns is checked against the question's options."""

MAX_CANDIDATES = 5


class GuideDialogue:
    """The guided dialogue over ``catalogue``, finding items with ``matcher``."""

    def __init__(
        self, catalogue: CatalogueLoad, matcher: Matcher, interpreter: Interpreter | None = None
    ) -> None:
        self.catalogue = catalogue
        self.matcher = matcher
        self.interpreter = interpreter
        self._readers: dict[str, GuideReader] = {}

    def start(self, text: str) -> GuideTurn:
        """The first turn for a request: ``not_a_guide``, ``clarify_item``, ``ask`` or ``checklist``."""
        guides = self._decide(text)
        if not guides:
            return GuideTurn("not_a_guide", "")
        if len(guides) > 1:
            return self._clarify(GuideState(candidates=[g.id for g in guides], opening=text), guides)
        return self._begin(guides[0], GuideState(opening=text), [text])

    def reply(self, state: GuideState, text: str) -> GuideTurn:
        """The next turn after the citizen's ``text``; ``state`` itself is left unchanged."""
        state = GuideState.from_dict(state.to_dict())
        if state.stage == "choose":
            return self._reply_choose(state, text)
        guide = self.catalogue.get(state.guide_id) if state.guide_id else None
        if guide is None:  # the catalogue changed under the session: start again from this message
            turn = self.start(text)
            return GuideTurn("left", "") if turn.kind == "not_a_guide" else turn
        _clean(state, guide)
        said = core(text)
        if state.editing:
            state.editing = False
            chosen = self._edit_choice(state, guide, said)
            if chosen is not None:
                return chosen
        if is_back(said):
            return self._back(state, guide)
        if is_switch(said):
            return self._switch(state)
        asked = _asked(state, guide)
        if asked is not None or not is_question(text):  # after the checklist a question is a new one
            recorded = self._record(state, guide, said, asked, text)
            if recorded is not None:
                return recorded
        if is_exit(said):
            return GuideTurn("left", say.LEFT, guide=guide)
        if is_edit(said):
            return self._edit_menu(state, guide)
        confused = is_confused(said)
        if asked is None or (not confused and is_new_message(text, said)):
            return GuideTurn("left", "", guide=guide)
        state.reasks += 1
        text = say.reask(asked, reasks=state.reasks, confused=confused)
        return GuideTurn("reask", text, self._ask_options(state, asked), state, guide=guide)

    # -- choosing the item ---------------------------------------------------------------------

    def _decide(self, text: str) -> list[ServiceGuide]:
        guides: dict[str, ServiceGuide] = {}
        for match in self.matcher.decide(text):
            guide = self.catalogue.get(match.guide.id)
            if guide is not None:
                guides.setdefault(guide.id, guide)
        return list(guides.values())[:MAX_CANDIDATES]

    def _clarify(
        self, state: GuideState, guides: Sequence[ServiceGuide], *, again: bool = False
    ) -> GuideTurn:
        state.stage, state.guide_id, state.asking = "choose", None, None
        text = say.clarify_item(guides, again=again)
        if again and state.reasks >= 2:
            text += "\n" + say.HELP
        options = [g.name for g in guides] + [say.NONE_OF_THEM]
        return GuideTurn("reask" if again else "clarify_item", text, options, state)

    def _reply_choose(self, state: GuideState, text: str) -> GuideTurn:
        guides = [g for g in map(self.catalogue.get, state.candidates) if g is not None]
        said = core(text)
        new_message = is_new_message(text, said)  # a question goes to the matcher, not to word overlap
        index = pick_item(said, guides) if guides and not new_message else None
        if index is not None:
            return self._begin(guides[index], state, [state.opening, text])
        if is_exit(said):
            return GuideTurn("left", say.LEFT)
        if is_none_of_them(said):
            return GuideTurn("left", say.NONE_OF_THEM_LEFT)
        if guides and (is_back(said) or is_switch(said)):
            state.reasks = 0
            return self._clarify(state, guides)
        found = self._decide(text)
        state.opening = state.opening or text
        if len(found) == 1:  # the citizen named the item in other words; the opening still holds
            return self._begin(found[0], state, [state.opening, text])
        if found:
            return self._clarify(GuideState(candidates=[g.id for g in found], opening=state.opening), found)
        if not guides or new_message:
            return GuideTurn("left", "")
        state.reasks += 1
        return self._clarify(state, guides, again=True)

    def _begin(self, guide: ServiceGuide, state: GuideState, texts: Sequence[str]) -> GuideTurn:
        """Start the 情形 questions of ``guide``, answering what the citizen's words already say."""
        reader = self._reader(guide)
        answers: dict[str, str] = {}
        for text in texts:
            answers.update(reader.mentioned(core(text)))
        answers = _prune(guide, answers)
        order = [s.id for s in guide.situations if s.id in answers]
        fresh = GuideState("situations", state.candidates, guide.id, answers, order, opening=state.opening)
        lead = say.begin(guide) + say.understood([_label(guide, s, answers[s]) for s in order])
        return self._next(fresh, guide, lead)

    def _switch(self, state: GuideState) -> GuideTurn:
        ids = state.candidates
        if len(ids) < 2 and state.opening:
            ids = [match.guide.id for match in self.matcher.search(state.opening, MAX_CANDIDATES)]
        guides = [g for g in map(self.catalogue.get, dict.fromkeys(ids)) if g is not None]
        fresh = GuideState(candidates=[g.id for g in guides], opening=state.opening)
        if len(guides) >= 2:
            return self._clarify(fresh, guides)
        fresh.candidates, fresh.opening = [], ""
        return GuideTurn("clarify_item", say.ASK_ITEM, [], fresh)

    # -- the 情形 questions ---------------------------------------------------------------------

    def _next(
        self, state: GuideState, guide: ServiceGuide, lead: str = "", prefer: str | None = None
    ) -> GuideTurn:
        """Ask the next pending question (``prefer`` when it is pending), or give the checklist."""
        pending = pending_situations(guide, state.answers)
        if not pending:
            state.stage, state.asking, state.reasks = "done", None, 0
            checklist = build_checklist(guide, state.answers)
            text = "\n".join([(lead or "好的，") + say.CHECKLIST_LEAD, checklist.to_text()])
            options = ([say.EDIT] if checklist.answers else []) + [say.SWITCH]
            return GuideTurn("checklist", text, options, state, checklist, guide)
        situation = next((s for s in pending if s.id == prefer), pending[0])
        fresh = state.asking != situation.id or state.stage != "situations"
        if fresh:
            state.questions_asked += 1
            state.reasks = 0
        state.stage, state.asking = "situations", situation.id
        first = fresh and state.questions_asked == 1
        text = "\n".join(filter(None, [lead, say.question(situation, first=first)]))
        return GuideTurn("ask", text, self._ask_options(state, situation), state, guide=guide)

    def _ask_options(self, state: GuideState, situation: Situation) -> list[str]:
        options = [option.label for option in situation.options]
        if state.order or len(state.candidates) > 1:
            options.append(say.BACK)
        return [*options, say.SWITCH]

    def _record(
        self, state: GuideState, guide: ServiceGuide, said: str, asked: Situation | None, text: str
    ) -> GuideTurn | None:
        """Take the answers a reply gives (to the question asked, and others by specific phrases)."""
        reader = self._reader(guide)
        given = reader.mentioned(said, skip=asked.id if asked else None)
        given = {sid: oid for sid, oid in given.items() if state.answers.get(sid) != oid}
        own = reader.readers[asked.id].answer(said) if asked else None
        if asked is not None and own is None and not given and self._interpretable(text, said):
            own = self._interpret(asked, text)
        if asked is not None and own is not None:
            given[asked.id] = own
        answers = _prune(guide, {**state.answers, **given})
        if not given or answers == state.answers:
            return None
        changed = [sid for sid in given if sid in state.answers]
        labels = [
            _label(guide, s.id, given[s.id]) for s in guide.situations if s.id in given and s.id in answers
        ]
        lead = say.noted(labels, changed=bool(changed))
        state.answers = answers
        state.order = [s for s in state.order if s in answers and s not in given]
        state.order += [s.id for s in guide.situations if s.id in given and s.id in answers]
        state.reasks = 0
        return self._next(state, guide, lead)

    def _interpretable(self, text: str, said: str) -> bool:
        if self.interpreter is None or not said:
            return False
        return not (is_exit(said) or is_edit(said) or is_back(said) or is_switch(said) or is_question(text))

    def _interpret(self, asked: Situation, text: str) -> str | None:
        """The interpreter's reading of a free-text reply, kept only when it is one of the options."""
        assert self.interpreter is not None
        option_id = self.interpreter(asked, text)
        return option_id if option_id in {o.id for o in asked.options} else None

    def _back(self, state: GuideState, guide: ServiceGuide) -> GuideTurn:
        if not state.order:
            guides = [g for g in map(self.catalogue.get, state.candidates) if g is not None]
            if len(guides) > 1:
                return self._clarify(GuideState(candidates=state.candidates, opening=state.opening), guides)
            return self._next(
                state, guide, say.FIRST_QUESTION if pending_situations(guide, state.answers) else ""
            )
        last = state.order.pop()
        state.answers.pop(last, None)
        state.answers = _prune(guide, state.answers)
        state.order = [s for s in state.order if s in state.answers]
        return self._next(state, guide, prefer=last)

    def _answered(self, state: GuideState, guide: ServiceGuide) -> list[Situation]:
        effective = effective_answers(guide, state.answers)
        return [s for s in guide.situations if s.id in effective]

    def _edit_menu(self, state: GuideState, guide: ServiceGuide) -> GuideTurn:
        answered = self._answered(state, guide)
        if not answered:
            return self._next(state, guide)
        state.editing = True
        rows = [
            f"{say.short_question(s)}（现在是：{_label(guide, s.id, state.answers[s.id])}）" for s in answered
        ]
        text = say.EDIT_WHICH + "\n" + say.numbered(rows)
        return GuideTurn("ask", text, [say.short_question(s) for s in answered], state, guide=guide)

    def _edit_choice(self, state: GuideState, guide: ServiceGuide, said: str) -> GuideTurn | None:
        answered = self._answered(state, guide)
        index = number_choice(said, len(answered))
        if index is None:
            hits = [i for i, s in enumerate(answered) if len(said) >= 2 and said in core(s.question)]
            index = hits[0] if len(hits) == 1 else None
        if index is None:
            return None
        chosen = answered[index].id
        state.answers.pop(chosen, None)
        state.answers = _prune(guide, state.answers)
        state.order = [s for s in state.order if s in state.answers]
        return self._next(state, guide, "好的，请重新回答：", prefer=chosen)

    def _reader(self, guide: ServiceGuide) -> GuideReader:
        reader = self._readers.get(guide.id)
        if reader is None or reader.guide is not guide:
            reader = self._readers[guide.id] = GuideReader(guide)
        return reader


def _asked(state: GuideState, guide: ServiceGuide) -> Situation | None:
    """The question a reply answers: the one asked, or the first pending one."""
    if state.stage != "situations":
        return None
    pending = pending_situations(guide, state.answers)
    return next((s for s in pending if s.id == state.asking), pending[0] if pending else None)


def _clean(state: GuideState, guide: ServiceGuide) -> None:
    """Drop answers to questions or options the guide no longer has (it may have been edited)."""
    valid = {s.id: {o.id for o in s.options} for s in guide.situations}
    state.answers = {s: o for s, o in state.answers.items() if o in valid.get(s, ())}
    state.order = [s for s in state.order if s in state.answers]
    if state.asking not in valid:
        state.asking = None


def _prune(guide: ServiceGuide, answers: dict[str, str]) -> dict[str, str]:
    """``answers`` without those to questions that can no longer be asked.

    An answer is kept while its question's ``ask_when`` may still hold: every situation it refers
    to is either not (effectively) answered yet or answered with a wanted option. Answers given
    ahead of their question (in the opening) thus wait until it applies.
    """
    while True:
        effective = effective_answers(guide, answers)
        kept = {}
        for situation_id, option_id in answers.items():
            situation = guide.situation(situation_id)
            assert situation is not None  # checked by effective_answers
            conditions = situation.ask_when.items()
            if all(ref not in effective or effective[ref] in wanted for ref, wanted in conditions):
                kept[situation_id] = option_id
        if kept == answers:
            return kept
        answers = kept


def _label(guide: ServiceGuide, situation_id: str, option_id: str) -> str:
    situation = guide.situation(situation_id)
    option = next((o for o in situation.options if o.id == option_id), None) if situation else None
    return option.label if option else option_id
