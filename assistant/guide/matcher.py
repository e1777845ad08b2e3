"""Match a citizen's free text to catalogue items: names, aliases, synonyms, character n-grams.

Each guide has *title entries* (its name, its name without the variant in parentheses, its aliases and,
for a 一件事 bundle, its sub-items) and four per-guide fields: *meta* (category, department),
*materials*, *conditions* (受理条件, 服务对象) and *situations* (情形 questions, options and the phrases
citizens use for them). The query is normalised (NFKC, 繁→简), stripped of filler, and expanded with the
lexicon's colloquial → official synonyms and the everyday wording of :mod:`assistant.guide.match_vocab`;
the official terms of one phrase are alternatives, so only the best-matching one counts.

A title entry is scored on words + bigrams and, apart, on single characters (colloquial text shares
characters more often than words): the IDF share of the query it explains and the IDF share of itself
the query mentions; a two-character word no title holds may abbreviate one (二建 → 二级注册建造师). A
guide's score blends its best entry and its own full name (≫) with what its fields explain (≪), then
applies small priors: an item for a later stage (变更, 注销 …) or a look-up the request does not ask
for loses a little; a bundle gains a little when the request is generic life-event talk. Every part is
0–1, so the score is too, and :meth:`CatalogueMatcher.decide` uses absolute thresholds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.guide.match_index import EntryTexts, UnitIndex, group_max
from assistant.guide.match_text import (
    LOOKUP,
    asks_lookup,
    asks_offers,
    base_name,
    bigram_units,
    clean_query,
    is_cjk_pair,
    is_generic,
    is_informational,
    is_request,
    item_stages,
    stages,
    system_words,
    units_of,
)
from assistant.guide.match_vocab import EVERYDAY
from assistant.guide.matching import GuideMatch
from assistant.guide.models import ServiceGuide
from assistant.router import Intent, route
from assistant.textnorm import normalize
from assistant.tokenization import ChineseTokenizer

_MAX_QUERY_CHARS = 500  # a pasted document is cut: its first lines say what it is about
_CANDIDATES = 8
#: What the router recognises as something other than a question or request: never a guided service.
_NOT_A_REQUEST = frozenset({Intent.INJECTION, Intent.PRIVACY, Intent.HANDOFF, Intent.GREETING})


_DECIDED_CACHE_SIZE = 256


@dataclass(frozen=True)
class MatchWeights:
    """Tunable weights of the score (all parts are 0–1; the blend is normalised by the sum)."""

    title_query: float = 1.0  # share of the query (words/bigrams) the best title explains
    title_entry: float = 0.6  # share of that title the query mentions
    chars_query: float = 0.4  # the same two on single characters
    chars_entry: float = 0.3
    meta: float = 0.15  # share of the query that category + department explain
    materials: float = 0.1  # share of the query that material names explain
    conditions: float = 0.05  # share of the query that 受理条件 and 服务对象 explain
    situations: float = 0.15  # share of the query that the 情形 questions, options and their phrases explain
    synonym: float = 0.9  # weight of an official term that a colloquial phrase brought in
    abbreviation: float = 0.7  # weight of a two-character word no title holds, read as an abbreviation
    unseen: float = 0.5  # weight, in the query's mass, of a word no entry holds
    field_unseen: float = 0.5  # the same for the meta, materials, conditions and situations fields
    sub_item: float = 0.85  # a bundle's sub-item name counts this much as one of its titles
    own_name: float = 0.3  # share of the title score that comes from the item's own full name
    bigram: float = 0.6  # weight of a query bigram that is not a word (it may span two words)
    bundle_bonus: float = 0.08  # added to a bundle matched on its name or an alias when the request is
    # generic life-event talk (one matched on a sub-item is wanted for that item, not as a whole)
    later_stage: float = 0.1  # taken from an item for a later stage (变更, 注销 …) the request does not name
    lookup: float = 0.06  # taken from a look-up item (…查询, 名单) when the request asks to look nothing up,
    # added when it does
    other_stage: float = 0.12  # … instead, when the request names a different stage (丢了 → 补领, not 注销)
    same_stage: float = 0.04  # added to an item for the later stage that the request names
    # decide()
    accept: float = 0.32  # the best score must reach this
    accept_informational: float = 0.7  # … or this when the text asks what something is / about policy,
    # or, making no request, about how services are delivered (窗口, 办事 …) or what a policy offers
    accept_entry: float = 0.15  # … and the request must mention this share of the best title's words
    clear_lead: float = 0.05  # the best wins alone when no other is this close; those that are, are offered
    bundle_window: float = 0.12  # … this close when the best is a 一件事 bundle (its local items are offered)
    max_options: int = 5

    @property
    def title_total(self) -> float:
        return self.title_query + self.title_entry + self.chars_query + self.chars_entry

    @property
    def total(self) -> float:
        return self.title_total + self.meta + self.materials + self.conditions + self.situations


Units = dict[str, float]


@dataclass(frozen=True)
class _Group:
    """A colloquial phrase found in the query, its own units, and the units of each official term."""

    phrase: str
    units: Units
    alternatives: tuple[Units, ...]


@dataclass(frozen=True)
class _Side:
    """One view of the query (word/bigram terms, or characters): its own units and, per colloquial
    phrase found, the units of each official alternative."""

    units: Units
    groups: tuple[_Group, ...]
    counted: frozenset[str] | None  # the units whose absence from the index still counts (words)
    unexplained: int = 0  # words cut out of the query that no entry may explain (system words)


@dataclass(frozen=True)
class _Query:
    text: str
    terms: _Side
    chars: _Side
    generic: bool
    informational: bool
    request: bool  # asks to do something (我要, 怎么申请, 要带什么 …)
    system: frozenset[str]  # words for the service system itself (窗口, 办事 …)
    offers: bool  # asks what a policy offers
    stages: frozenset[str]
    lookup: bool
    expansions: tuple[str, ...]


@dataclass(frozen=True)
class _Scores:
    total: np.ndarray  # per guide
    best_entry: np.ndarray  # per guide: its best title entry (-1: none)
    terms_of_query: np.ndarray  # per entry: share of the query (words/bigrams) it explains
    terms_of_entry: np.ndarray  # per entry: share of itself the query mentions
    chars_of_query: np.ndarray
    chars_of_entry: np.ndarray


class CatalogueMatcher:
    """Ranks catalogue guides for free text; implements :class:`assistant.guide.matching.Matcher`."""

    def __init__(
        self,
        guides: Sequence[ServiceGuide],
        tokenizer: ChineseTokenizer,
        weights: MatchWeights | None = None,
    ) -> None:
        self.guides = list(guides)
        self.tokenizer = tokenizer
        self.weights = weights or MatchWeights()
        self._decided: OrderedDict[tuple[str, MatchWeights], tuple[GuideMatch, ...]] = OrderedDict()
        self._decided_lock = threading.Lock()
        self._synonyms = [
            *((key.lower(), officials, False) for key, officials in tokenizer.lexicon.synonyms.items()),
            *((key, officials, True) for key, officials in EVERYDAY.items()),
        ]
        entry_text: list[str] = []
        entry_guide: list[int] = []
        entry_own: list[bool] = []
        for index, guide in enumerate(self.guides):
            for text, own in self._titles(guide):
                entry_text.append(text)
                entry_guide.append(index)
                entry_own.append(own)
        self._seen: dict[str, list[str]] = {}  # tokenised texts while building: names and materials repeat
        tokenized = [self.tokenizer.tokenize(text) for text in entry_text]
        self._entry_text = entry_text
        self._entry_guide = np.asarray(entry_guide, dtype=np.int64)
        self._entry_is_sub = ~np.asarray(entry_own, dtype=bool)
        self._title_terms = UnitIndex([units_of(t.words, t.bigrams) for t in tokenized], df_count=entry_guide)
        self._title_chars = UnitIndex([t.chars for t in tokenized], df_count=entry_guide)
        self._entry_texts = EntryTexts([normalize(t).lower() for t in entry_text], self._title_chars)
        self._fields = {
            "meta": UnitIndex([self._terms(g.category, g.department) for g in self.guides]),
            "materials": UnitIndex([self._terms(*(m.name for m in g.materials)) for g in self.guides]),
            # long legal text: character bigrams only (segmenting it all would cost seconds)
            "conditions": UnitIndex([bigram_units(*g.conditions, *g.service_object) for g in self.guides]),
            "situations": UnitIndex([self._terms(*_situation_texts(g)) for g in self.guides]),
        }
        self._seen.clear()
        self._position = {guide.id: index for index, guide in enumerate(self.guides)}
        self._is_bundle = np.asarray([g.kind == "bundle" for g in self.guides], dtype=bool)
        names = [normalize(g.name) for g in self.guides]
        self._stages = [item_stages(name) for name in names]
        vocabulary = sorted(set().union(*self._stages))
        self._stage_column = {stage: column for column, stage in enumerate(vocabulary)}
        self._stage_matrix = np.zeros((len(self.guides), len(vocabulary)), dtype=bool)  # guide × stage
        for row, found in enumerate(self._stages):
            self._stage_matrix[row, [self._stage_column[stage] for stage in found]] = True
        self._has_stage = self._stage_matrix.any(axis=1)
        self._name_entry = np.unique(self._entry_guide, return_index=True)[1]  # each guide's first: its name
        self._is_lookup = np.asarray([any(word in name for word in LOOKUP) for name in names], dtype=float)
        self._is_lookup += np.asarray(["进度" in name for name in names], dtype=float)  # 办证进度查询

    def _titles(self, guide: ServiceGuide) -> list[tuple[str, bool]]:
        """The guide's name, its base name, its aliases and its sub-items, once each; whether each is
        the guide's own title (False: a bundle's sub-item)."""
        titles = [(guide.name, True), (base_name(guide.name), True)]
        titles += [(alias, True) for alias in guide.aliases]
        titles += [(sub.name, False) for sub in guide.sub_items]
        seen: set[str] = set()
        unique = []
        for text, own in titles:
            key = normalize(text)
            if key and key not in seen:
                seen.add(key)
                unique.append((text, own))
        return unique

    def _terms(self, *texts: str) -> list[str]:
        """The units of several short texts (each tokenised once per build)."""
        units: list[str] = []
        for text in texts:
            if text not in self._seen:
                tokens = self.tokenizer.tokenize(text)
                self._seen[text] = units_of(tokens.words, tokens.bigrams)
            units += self._seen[text]
        return units

    # -- query -------------------------------------------------------------------------------

    def _query(self, text: str) -> _Query:
        raw = normalize(text[:_MAX_QUERY_CHARS])
        cleaned, system = clean_query(raw)
        lowered = raw.lower()
        compact = cleaned.replace(" ", "").lower()
        tokens = self.tokenizer.tokenize(cleaned)
        words = frozenset(w for w in tokens.words if len(w) > 1)
        base_terms = {
            u: 1.0 if u in words else self.weights.bigram for u in units_of(tokens.words, tokens.bigrams)
        }
        base_chars = dict.fromkeys(tokens.chars, 1.0)
        term_groups: list[_Group] = []
        char_groups: list[_Group] = []
        expansions: list[str] = []
        for colloquial, officials, everyday in self._synonyms:
            if colloquial not in (lowered if everyday else compact):
                continue
            alternatives = [o for o in officials if o not in compact]
            if not alternatives:
                continue
            expansions += [o for o in alternatives if o not in expansions]
            own = self.tokenizer.tokenize(colloquial)
            split = [self.tokenizer.tokenize(o) for o in alternatives]
            term_groups.append(
                _Group(
                    colloquial,
                    dict.fromkeys(units_of(own.words, own.bigrams), 1.0),
                    tuple(dict.fromkeys(units_of(t.words, t.bigrams), 1.0) for t in split),
                )
            )
            char_groups.append(
                _Group(
                    colloquial,
                    dict.fromkeys(own.chars, 1.0),
                    tuple(dict.fromkeys(t.chars, 1.0) for t in split),
                )
            )
        mentioned = stages(lowered + "".join(expansions))
        return _Query(
            text=cleaned,
            terms=_Side(base_terms, tuple(term_groups), words, system),
            chars=_Side(base_chars, tuple(char_groups), None),
            generic=is_generic(lowered),
            informational=is_informational(lowered),
            request=is_request(lowered),
            system=system_words(lowered),
            offers=asks_offers(lowered),
            stages=mentioned,
            lookup=asks_lookup(lowered),
            expansions=tuple(expansions),
        )

    def _coverage(
        self, index: UnitIndex, side: _Side, unseen: float | None = None, titles: bool = False
    ) -> tuple[np.ndarray, float]:
        """Per entry, the IDF mass of the query it explains, and the query's total mass (where a word no
        entry holds counts ``unseen`` × its IDF); of the official alternatives of one colloquial phrase
        only the best one counts, and only units the index holds. With ``titles``, a title that holds the
        colloquial phrase itself (an alias “办退休”) counts as holding its best alternative, less what
        the phrase's own words already earned it."""
        w = self.weights
        unseen = w.unseen if unseen is None else unseen
        explained = index.overlap(side.units)
        mass = index.query_mass(side.units, unseen, side.counted)
        mass += side.unexplained * unseen * index.unseen_idf
        for group in side.groups:
            # each alternative is scored as the share of it an entry holds; the phrase weighs as much
            # as its lightest alternative, so a long official term cannot outweigh the citizen's words
            best: np.ndarray | None = None
            lightest = 0.0
            for units in group.alternatives:
                extra = {u: v for u, v in units.items() if u not in side.units and u in index}
                if not extra:
                    continue
                alt_mass = index.query_mass(extra)
                share = index.overlap(extra) / alt_mass
                best = share if best is None else np.maximum(best, share)
                lightest = alt_mass if not lightest else min(lightest, alt_mass)
            if best is None:
                continue
            credit = w.synonym * lightest * best
            if titles and len(group.phrase) > 2:  # a two-character phrase is one word: its IDF says enough
                holding = self._entry_texts.containing(group.phrase)
                if len(holding):
                    earned = sum(
                        side.units[u] * index.idf(u) for u in group.units if u in side.units and u in index
                    )
                    credit[holding] = np.maximum(credit[holding], w.synonym * lightest - earned)
            explained += credit
            mass += w.synonym * lightest
        return explained, mass

    def _abbreviated(self, side: _Side, explained: np.ndarray) -> float:
        """Credit entries for two-character words of the query that no title holds but that may
        abbreviate one (adds to ``explained`` in place); returns the query mass they add."""
        w = self.weights
        added = 0.0
        if not w.abbreviation:
            return added
        for unit, weight in side.units.items():
            if len(unit) != 2 or unit in self._title_terms or not is_cjk_pair(unit):
                continue
            entries = self._entry_texts.abbreviating(unit)
            if not len(entries):
                continue
            amount = weight * w.unseen * self._title_terms.unseen_idf
            explained[entries] += w.abbreviation * amount
            if side.counted is not None and unit not in side.counted:
                added += amount  # a bigram: not yet in the query's mass
        return added

    # -- scoring -----------------------------------------------------------------------------

    def _scores(self, query: _Query) -> _Scores:
        """Score of every guide (0–1), the title entry that made it, and how well each entry fits."""
        w = self.weights
        n = len(self.guides)
        entry = np.zeros(len(self._entry_text), dtype=np.float64)
        fits: list[np.ndarray] = []
        for index, side, share_query, share_entry in (
            (self._title_terms, query.terms, w.title_query, w.title_entry),
            (self._title_chars, query.chars, w.chars_query, w.chars_entry),
        ):
            explained, mass = self._coverage(index, side, titles=True)
            if index is self._title_terms:
                mass += self._abbreviated(side, explained)
            of_query = np.minimum(explained / mass, 1.0) if mass > 0 else np.zeros_like(explained)
            own = np.divide(explained, index.mass, out=np.zeros_like(explained), where=index.mass > 0)
            of_entry = np.minimum(own, 1.0)
            entry += share_query * of_query + share_entry * of_entry
            fits += [of_query, of_entry]
        entry *= np.where(self._entry_is_sub, w.sub_item, 1.0)
        title, best_entry = group_max(entry, self._entry_guide, n)
        if w.own_name:  # shared aliases tie; the item's own full name breaks the tie
            title = (1 - w.own_name) * title + w.own_name * entry[self._name_entry]
        total = title.copy()
        for name, index in self._fields.items():
            share = getattr(w, name)
            side = _pairs(query.terms) if name == "conditions" else query.terms
            explained, mass = self._coverage(index, side, w.field_unseen)
            if mass > 0 and share > 0:
                total += share * np.minimum(explained / mass, 1.0)
        total /= w.total
        penalty = w.other_stage if query.stages else w.later_stage
        matched = total > 0
        agree = self._shares_stage(query.stages)
        if penalty:
            mismatch = self._has_stage & ~agree  # a later-stage item the query names no stage of
            total -= penalty * mismatch.astype(np.float64) * matched
        if w.same_stage and query.stages:
            total += w.same_stage * agree.astype(np.float64) * matched
        if w.lookup:
            total += (w.lookup if query.lookup else -w.lookup) * self._is_lookup * (total > 0)
        if query.generic and w.bundle_bonus:
            own_title = (best_entry >= 0) & ~self._entry_is_sub[np.maximum(best_entry, 0)]
            total += w.bundle_bonus * (self._is_bundle & own_title & (title > 0))
        return _Scores(np.clip(total, 0.0, 1.0), best_entry, *fits)

    def _shares_stage(self, stages: frozenset[str]) -> np.ndarray:
        """Per guide: whether its name's later stages include one of ``stages``."""
        columns = [self._stage_column[stage] for stage in stages if stage in self._stage_column]
        if not columns:
            return np.zeros(len(self.guides), dtype=bool)
        return np.asarray(self._stage_matrix[:, columns].any(axis=1))

    def _top(self, scored: _Scores, k: int) -> list[GuideMatch]:
        """The ``k`` best guides with a positive score, best first (ties in catalogue order)."""
        scores, best_entry = scored.total, scored.best_entry
        if k <= 0 or not len(scores):
            return []
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        ranked = sorted(top, key=lambda i: (-scores[i], i))
        return [
            GuideMatch(
                self.guides[i],
                round(float(scores[i]), 4),
                self._entry_text[best_entry[i]] if best_entry[i] >= 0 else "",
            )
            for i in ranked
            if scores[i] > 0
        ]

    def search(self, text: str, k: int = 5) -> list[GuideMatch]:
        """The best ``k`` candidates, best first (may hold weak ones; none when nothing matches)."""
        if not text or not text.strip() or not self.guides:
            return []
        return self._top(self._scores(self._query(text)), k)

    def decide(self, text: str) -> list[GuideMatch]:
        """Confident candidates: [] for text that is no service request, one clear winner, or ≤ 5 to
        choose from (near-duplicates such as the 省级 and 广州市 item, or a bundle and its local items).

        Recent decisions are remembered: one chat turn asks about the same text more than once (a
        question about an item's field, then the guided flow)."""
        key = (text, self.weights)
        with self._decided_lock:
            cached = self._decided.get(key)
            if cached is not None:
                self._decided.move_to_end(key)
                return list(cached)
        decided = self._decide(text)
        with self._decided_lock:
            self._decided[key] = tuple(decided)
            if len(self._decided) > _DECIDED_CACHE_SIZE:
                self._decided.popitem(last=False)
        return decided

    def _decide(self, text: str) -> list[GuideMatch]:
        w = self.weights
        if not text or not text.strip():
            return []
        if route(text[:_MAX_QUERY_CHARS]).intent in _NOT_A_REQUEST:
            return []
        query = self._query(text)
        scored = self._scores(query)
        candidates = self._top(scored, _CANDIDATES)
        if not candidates:
            return []
        best = candidates[0].score
        if best < self._accept(query, candidates[0]):
            return []
        entry = scored.best_entry[self._position[candidates[0].guide.id]]
        if scored.terms_of_entry[entry] < w.accept_entry:
            return []
        window = w.bundle_window if candidates[0].guide.kind == "bundle" else w.clear_lead
        return [c for c in candidates if c.score > best - window][: w.max_options]

    def _accept(self, query: _Query, best: GuideMatch) -> float:
        """The score the best candidate must reach: higher for a question that asks about something
        (what it is, a fact, how services are delivered, what a policy offers) than for a request. A
        system word the best item's own title holds (…窗口地址查询) names the item, not the system."""
        w = self.weights
        if query.informational:
            return w.accept_informational
        if query.request:
            return w.accept
        title = normalize(f"{best.guide.name} {best.matched_on}").lower()
        if query.offers or any(word not in title for word in query.system):
            return w.accept_informational
        return w.accept


def _situation_texts(guide: ServiceGuide) -> list[str]:
    """The 情形 questions of a guide, their option labels and the phrases citizens use for them."""
    texts: list[str] = []
    for situation in guide.situations:
        texts.append(situation.question)
        for option in situation.options:
            texts += [option.label, *option.phrases]
    return texts


def _pairs(side: _Side) -> _Side:
    """The two-character units of a query side (what a bigram-only field can match)."""

    def two(units: Units) -> Units:
        return {u: v for u, v in units.items() if len(u) == 2}

    groups = tuple(_Group(g.phrase, two(g.units), tuple(two(a) for a in g.alternatives)) for g in side.groups)
    return _Side(two(side.units), groups, side.counted, side.unexplained)
