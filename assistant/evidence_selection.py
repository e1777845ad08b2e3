"""Which scored sentences make the extractive answer, and in what order.

The best sentence always leads the choice; others join only when they score at least a share of it
(an adaptive count: a clear answer stays short), add something the chosen ones do not say, and fit
under the cap of sentences and (but for list items and the direct answer) of characters. Policy
texts write lists as runs of clauses ending in “；” or “：”, so the opening of a run brings its next
items (in the document's next chunk too, when a chunk boundary cuts the run), and a list item whose
run opens with the date asked for (2025年底前，…；) brings that opening. The direct answer (the date,
fee, phone … asked for) is put first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.evidence import ScoredSentence, Sentence

CONTEXT_AFTER = 2
"""Items of a run after its chosen opening that join the answer."""

FILL_AFTER = 1
"""Sentences right after the best one that fill room left under the cap: a policy text often
elaborates a measure in the next sentence, which need not share a word with the question."""

ANSWER_CHARS = 300
"""Once the chosen sentences reach about this many characters, further candidates no longer join
(a list's items and the direct answer still do): the answer stays readable."""

MIN_NOVELTY = 0.4
"""Share of a candidate's character bigrams the chosen sentences must lack for it to join (the same
passage in another document, or in traditional script, adds nothing)."""

_CONTINUES = ("；", ";", "：", ":")


def continues(sentence: Sentence) -> bool:
    """Whether the sentence is an item of a run that goes on in the next sentence."""
    return sentence.text.rstrip().endswith(_CONTINUES)


class _Neighbours:
    """The scored sentences of each document in reading order, to find a sentence's neighbours.

    A document's consecutive chunks read on from one another (a list cut by a chunk boundary goes on
    in the next chunk); where a chunk between two retrieved ones is missing, reading stops.
    """

    def __init__(self, scored: Sequence[ScoredSentence]) -> None:
        self.by_doc: dict[str, list[ScoredSentence]] = {}
        for item in scored:
            self.by_doc.setdefault(item.sentence.chunk.doc_id, []).append(item)
        self.index: dict[int, int] = {}
        for items in self.by_doc.values():
            items.sort(key=lambda s: (s.sentence.chunk.ordinal, s.sentence.position))
            self.index.update((id(s), i) for i, s in enumerate(items))

    def after(self, item: ScoredSentence) -> list[ScoredSentence]:
        """The sentences that read on from ``item``, in reading order."""
        items = self.by_doc[item.sentence.chunk.doc_id]
        return _contiguous(item, items[self.index[id(item)] + 1 :])

    def before(self, item: ScoredSentence) -> list[ScoredSentence]:
        """The sentences ``item`` reads on from, nearest first."""
        items = self.by_doc[item.sentence.chunk.doc_id]
        return _contiguous(item, items[: self.index[id(item)]][::-1])

    def opens_run(self, item: ScoredSentence) -> bool:
        """Whether ``item`` continues into the next sentence and the one before it does not."""
        previous = self.before(item)[:1]
        return continues(item.sentence) and not (previous and continues(previous[0].sentence))

    def run_after(self, item: ScoredSentence) -> list[ScoredSentence]:
        """The sentences after ``item`` that its run goes on into, in document order."""
        run: list[ScoredSentence] = []
        previous = item.sentence
        for following in self.after(item):
            if not continues(previous):
                break
            run.append(following)
            previous = following.sentence
        return run

    def exact_head(self, item: ScoredSentence) -> ScoredSentence | None:
        """The nearest earlier item of ``item``'s run that holds the precise value asked for."""
        for earlier in self.before(item):
            if not continues(earlier.sentence):
                return None
            if earlier.exact:
                return earlier
        return None


def _contiguous(item: ScoredSentence, ordered: list[ScoredSentence]) -> list[ScoredSentence]:
    """The leading part of ``ordered`` (moving away from ``item``) without a missing chunk in between."""
    out: list[ScoredSentence] = []
    ordinal = item.sentence.chunk.ordinal
    for other in ordered:
        if abs(other.sentence.chunk.ordinal - ordinal) > 1:
            break
        out.append(other)
        ordinal = other.sentence.chunk.ordinal
    return out


def select_sentences(
    scored: Sequence[ScoredSentence],
    max_sentences: int = 3,
    min_coverage: float = 0.2,
    min_share: float = 0.5,
) -> list[ScoredSentence]:
    """The sentences of the answer, at most ``max_sentences``, the direct answer first.

    ``scored`` is best first (``score_sentences``). Beside the best sentence, a candidate needs a
    coverage of at least ``min_coverage`` and a score of at least ``min_share`` of the best one,
    unless it holds the precise value asked for.
    """
    if not scored:
        return []
    neighbours = _Neighbours(scored)
    chosen: list[ScoredSentence] = []

    def room() -> bool:
        return len(chosen) < max_sentences

    def short() -> bool:
        return sum(len(c.sentence.text) for c in chosen) < ANSWER_CHARS

    def add(item: ScoredSentence) -> None:
        chosen.append(item)
        if neighbours.opens_run(item):  # the opening of a list: its next items follow it
            for follower in neighbours.run_after(item)[:CONTEXT_AFTER]:
                if room() and not _among(follower, chosen) and _adds(follower, chosen):
                    chosen.append(follower)

    best = scored[0]
    add(best)
    floor = min_share * best.score
    _add_direct_answer(scored, chosen, add, neighbours, floor, max_sentences)
    for candidate in scored[1:]:
        if not room() or not short():
            break
        if _among(candidate, chosen):
            continue
        if not candidate.exact and (candidate.coverage < min_coverage or candidate.score < floor):
            continue
        if _adds(candidate, chosen):
            add(candidate)
    for follower in neighbours.after(best)[:FILL_AFTER]:
        if room() and short() and not _among(follower, chosen) and _adds(follower, chosen):
            chosen.append(follower)
    return sorted(chosen, key=lambda s: not s.exact)  # the direct answer (phone, fee …) leads


def _add_direct_answer(
    scored: Sequence[ScoredSentence],
    chosen: list[ScoredSentence],
    add: Callable[[ScoredSentence], None],
    neighbours: _Neighbours,
    floor: float,
    max_sentences: int,
) -> None:
    """Choose the best sentence holding the value asked for, or the best list item whose run opens
    with it (with that opening before it)."""
    for candidate in scored:
        head = None if candidate.exact else neighbours.exact_head(candidate)
        if not candidate.exact and head is None:
            continue
        if not _among(candidate, chosen) and candidate.score >= floor and _adds(candidate, chosen):
            add(candidate)
        if _among(candidate, chosen) and head is not None and not _among(head, chosen):
            chosen.insert(next(i for i, c in enumerate(chosen) if c is candidate), head)
            del chosen[max_sentences:]
        return


def _among(item: ScoredSentence, chosen: Sequence[ScoredSentence]) -> bool:
    return any(item is c for c in chosen)


def _adds(candidate: ScoredSentence, chosen: Sequence[ScoredSentence]) -> bool:
    """Whether the candidate says something the chosen sentences do not (it is no near-repeat)."""
    return all(_novelty(candidate.sentence.normalized, c.sentence.normalized) >= MIN_NOVELTY for c in chosen)


def _novelty(candidate: str, chosen: str) -> float:
    """Share of the candidate's character bigrams that the chosen sentence lacks (0: it adds nothing).

    English text is compared by words: any two English sentences share most character bigrams (th, he,
    on …), so “Level of Authority: Regulatory Documents” would pass for a repeat of any sentence that
    says “of the State Council”."""
    if _mostly_latin(candidate):
        words = _latin_words(candidate)
        return len(words - _latin_words(chosen)) / len(words)
    grams = {candidate[i : i + 2] for i in range(len(candidate) - 1)}
    if not grams:
        return 0.0 if candidate in chosen else 1.0
    return sum(1 for g in grams if g not in chosen) / len(grams)


_LATIN_WORD = re.compile(r"[A-Za-z0-9]+")


def _latin_words(text: str) -> set[str]:
    return {w.lower() for w in _LATIN_WORD.findall(text)}


def _mostly_latin(text: str) -> bool:
    """Whether most of the text's letters and digits are Latin (an English sentence)."""
    latin = sum(len(w) for w in _LATIN_WORD.findall(text))
    return latin > 0 and 2 * latin > sum(1 for ch in text if ch.isalnum())
