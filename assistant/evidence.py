"""Evidence from retrieved chunks: query terms, sentence splitting, support strength, sentence scores.

Everything here is lexical and deterministic, so the same question over the same index always
selects the same sentences. Matching runs on normalised text (NFKC, 繁→简); the sentences keep their
original script for display.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.lexicon import Lexicon
from assistant.textnorm import normalize
from assistant.tokenization import ChineseTokenizer
from ingest.models import Chunk

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=[a-z]\.)(?:\s+|(?=[A-Z]))|(?<=\.)\s+|\n+")
_LEADING_MARK = re.compile(
    r"^(?:\s|[·•\-—]|[（(][\d一二三四五六七八九十]+[)）]|(?:\d+|[一二三四五六七八九十]+)(?:[、.．)）]|(?=\s)))+"
)
"""List markers (1. 、（一） • …) — not a date or a number that begins a sentence (2024年1月9日)."""
_MIN_SENTENCE_CHARS = 8
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十百]+[章节条])"
)
_MAX_HEADING_CHARS = 30

ANSWER_TYPE_CUES: dict[str, re.Pattern[str]] = {
    "date": re.compile(r"什么时候|啥时候|哪天|哪年|何时|几月|日期|多会儿|when"),
    "deadline": re.compile(r"多久|多长时间|几天|几个工作日|时限|期限|how long"),
    "number": re.compile(r"多少|几个|几项|几类|数量|how many|how much"),
    "list": re.compile(r"哪些|有什么|包括什么|包括哪|要带什么|需要带什么|什么材料|which|what are"),
    "phone": re.compile(r"电话|热线号码|联系方式|号码是|phone"),
    "address": re.compile(r"地址|在哪里办|在哪儿办|在什么地方|位置在|哪个地铁站|怎么走|坐几路|address"),
    "fee": re.compile(
        r"多少钱|(?<!乱)收费|费用|工本费|手续费|[a-z\u4e00-\u9fff]费(是)?多少|费怎么(收|算)|要钱|交钱|fee|cost"
    ),
    "hours": re.compile(
        r"几点|上班时间|工作时间|营业时间|办公时间|几点下班|中午休息|午休|几点开门|opening hours"
    ),
    "yesno": re.compile(
        r"吗[?？。!！]*$|能不能|可不可以|是不是|算不算|会不会|允不允许|允许|要不要|行不行|让不让|准不准"
    ),
}
"""What kind of value a question asks for, recognised from its wording (normalised text)."""

ANSWER_TYPE_VALUES: dict[str, re.Pattern[str]] = {
    "date": re.compile(r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|年底|年内|年前|\b(?:19|20)\d{2}\b"),
    "deadline": re.compile(
        r"\d+\s*(?:个)?(?:工作日|日|天|小时|月)|[一二三四五六七八九十]+\s*(?:个)?(?:工作日|天|小时)|即办|当场|限时"
    ),
    "number": re.compile(r"\d|[一二三四五六七八九十百千万]+(?:项|个|类|件|级|次|万)"),
    "list": re.compile(r"[、；;]|包括|以下|等"),
    "phone": re.compile(r"(?<!\d)(?:\d{3,4}-?)?\d{7,8}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)|12345"),
    "address": re.compile(r"[省市区县].{0,12}?[路街道巷弄]\s*\d+\s*号"),
    "fee": re.compile(r"\d+(?:\.\d+)?\s*元|免费|不收费|免收|不得收取"),
    "hours": re.compile(r"\d{1,2}\s*[:：点]\s*\d{0,2}|\d{1,2}\s*时"),
    "yesno": re.compile(
        r"不得|严禁|禁止|不准|不允许|不予|无需|无须|不需|不必|必须|应当|可以|允许|一律|有权|鼓励|支持"
    ),
}
"""What a sentence must contain to answer each answer type; a yes-or-no question is answered by what
the policy forbids, requires, allows or encourages (不得强制要求…, 必须…, 可以…, 鼓励…)."""

SPECIFIC_TYPES = frozenset({"phone", "address", "fee", "hours"})
"""Answer types whose value must never be invented: without it in the evidence, the assistant refuses."""


def answer_types(normalized_question: str) -> list[str]:
    """The kinds of value the question asks for, most specific first."""
    lowered = normalized_question.lower()
    found = [name for name, cue in ANSWER_TYPE_CUES.items() if cue.search(lowered)]
    return sorted(found, key=lambda name: (name not in SPECIFIC_TYPES, list(ANSWER_TYPE_CUES).index(name)))


def has_value(answer_type: str, text: str) -> bool:
    """Whether ``text`` (normalised) contains a value of ``answer_type``."""
    return bool(ANSWER_TYPE_VALUES[answer_type].search(text))


@dataclass(frozen=True)
class TermGroup:
    """One query term and the alternatives that also satisfy it (its official synonyms)."""

    alternatives: tuple[str, ...]
    weight: float
    parts: tuple[str, ...] = ()  # sub-words of a compound term: partial credit when only they match

    def found_in(self, normalized_text: str) -> bool:
        return any(alt in normalized_text for alt in self.alternatives)

    def longest_part(self, normalized_text: str) -> int:
        """Characters of the longest sub-word of the term found in the text (0: none)."""
        return max((len(p) for p in self.parts if p in normalized_text), default=0)

    def credit(self, normalized_text: str) -> float:
        """1 when the term (or a synonym) is in the text; else the largest share of it a sub-word covers."""
        if self.found_in(normalized_text):
            return 1.0
        return self.longest_part(normalized_text) / len(self.alternatives[0])


_LONE_PART_CHARS = 3
"""Shortest sub-word that is evidence on its own (see ``QueryTerms.support``)."""


@dataclass(frozen=True)
class QueryTerms:
    """The weighted content terms of a question."""

    groups: tuple[TermGroup, ...]

    @property
    def total_weight(self) -> float:
        return sum(g.weight for g in self.groups)

    def coverage(self, normalized_text: str) -> float:
        """IDF-weighted share (0–1) of the question's terms that ``normalized_text`` contains."""
        return self._share([g.credit(normalized_text) for g in self.groups])

    def _share(self, credits: Sequence[float]) -> float:
        total = self.total_weight
        if total <= 0:
            return 0.0
        return sum(g.weight * credit for g, credit in zip(self.groups, credits, strict=True)) / total

    def support(self, normalized_text: str) -> float:
        """``coverage``, except that a two-character fragment of one term, matching nothing else of the
        question, is no evidence (0): 动力 (of 动力学) in a policy's 内生动力 does not make it about
        量子色动力学, while a word such as 不动产 (of 不动产登记中心) does say what a question is about."""
        credits = [g.credit(normalized_text) for g in self.groups]
        credited = [g for g, credit in zip(self.groups, credits, strict=True) if credit > 0]
        if (
            len(credited) == 1
            and not credited[0].found_in(normalized_text)
            and credited[0].longest_part(normalized_text) < _LONE_PART_CHARS
        ):
            return 0.0
        return self._share(credits)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved chunk, in original script, with where it came from."""

    text: str
    normalized: str
    chunk: Chunk
    chunk_rank: int
    position: int


@dataclass
class ScoredSentence:
    sentence: Sentence
    score: float
    coverage: float
    answers_type: bool = False
    reasons: list[str] = field(default_factory=list)
    exact: bool = False  # holds the value of the question's precise main type (phone, fee …)


class TermWeights:
    """Inverse document frequencies of words over the indexed chunks (for weighting query terms)."""

    def __init__(self, tokenizer: ChineseTokenizer, chunks: Iterable[Chunk]) -> None:
        self.tokenizer = tokenizer
        self.doc_count = 0
        self.df: dict[str, int] = {}
        self._normalized_texts: list[str] = []
        for chunk in chunks:
            self.doc_count += 1
            text = normalize(chunk.text)
            self._normalized_texts.append(text)
            for word in set(tokenizer.words(text)):
                self.df[word] = self.df.get(word, 0) + 1

    def occurs(self, term: str) -> bool:
        """Whether some chunk contains ``term`` (as a word or inside one)."""
        return self._df(term) > 0

    def _df(self, term: str) -> int:
        df = self.df.get(term)
        if df is None:
            df = sum(1 for text in self._normalized_texts if term in text)
            self.df[term] = df
        return df

    def idf(self, term: str) -> float:
        """BM25-style IDF; a term no chunk contains as a word is looked up as a substring."""
        df = self._df(term)
        return math.log(1 + (self.doc_count - df + 0.5) / (df + 0.5))


_ENGLISH_FUNCTION_WORDS = """
    a about above after again all also am an and any are as at be been before being below between both
    but by can could did do does doing down during each either else ever every few for from further had
    has have having he her here hers him his how i if in into is it its itself just least less like many
    may me might more most much must my no nor not now of off on once one only or other our ours out over
    own per please same she should since so some such than that the their theirs them then there these
    they this those though through to too under until up upon us very was we were what when where whether
    which while who whom whose why will with within would yet you your yours"""
ENGLISH_FUNCTION_WORDS = frozenset(_ENGLISH_FUNCTION_WORDS.split())
"""English words that only shape a question (what, does, in, the …): they name nothing a passage is
about, yet as query terms they would weigh as much as its subject."""


def _dictionary_words(tokenizer: ChineseTokenizer, weights: TermWeights, word: str) -> list[str]:
    """``word``, or, when neither a dictionary nor the knowledge has it (jieba's hidden Markov model
    joined characters of the question into a new word: 还卡 of 还卡在哪, 码能 of 码能用来, 哪天发), the
    dictionary words it is made of (好几个地方 → 好几个, 地方); its lone characters say nothing alone.
    A new word the knowledge does contain (堵点, 差评) is kept."""
    if word.isascii() or tokenizer.in_dictionary(word) or weights.occurs(word):
        return [word]
    stop = tokenizer.lexicon.stopwords
    return [w for w in tokenizer.dictionary_cut(word) if len(w) >= 2 and w not in stop]


def query_terms(question: str, tokenizer: ChineseTokenizer, weights: TermWeights) -> QueryTerms:
    """Content words of the question (stop words removed), each with its synonyms and an IDF weight."""
    normalized = normalize(question).lower()
    lexicon: Lexicon = tokenizer.lexicon
    groups: list[TermGroup] = []
    covered: set[str] = set()
    for colloquial, officials in lexicon.synonyms.items():
        if colloquial.lower() in normalized:
            alternatives = (colloquial.lower(), *(o.lower() for o in officials))
            weight = max(weights.idf(alt) for alt in alternatives)
            groups.append(TermGroup(alternatives, weight))
            covered.update(tokenizer.words(colloquial))
    words = [
        w
        for w in dict.fromkeys(
            part
            for word in tokenizer.words(normalized)
            for part in _dictionary_words(tokenizer, weights, word)
        )
        if w not in covered and (len(w) >= 2 or w.isascii()) and w not in ENGLISH_FUNCTION_WORDS
    ]
    for word in words:
        if any(word != other and word in other for other in words):
            continue  # a search-mode sub-word (电子, 证照) of a longer word (电子证照): partial credit
        parts = tuple(other for other in words if other != word and other in word)
        groups.append(TermGroup((word,), weights.idf(word), parts))
    return QueryTerms(tuple(groups))


def split_sentences(chunk: Chunk, chunk_rank: int) -> list[Sentence]:
    """The chunk's sentences (original script), without list markers; very short fragments dropped."""
    return [
        Sentence(text, normalized, chunk, chunk_rank, position)
        for text, normalized, position in _sentence_parts(chunk.text, chunk.title)
    ]


@functools.lru_cache(maxsize=4_096)
def _sentence_parts(chunk_text: str, title: str) -> tuple[tuple[str, str, int], ...]:
    """(original, normalised, position) of each answer-worthy sentence; cached, as the same chunks are
    retrieved again and again."""
    out: list[tuple[str, str, int]] = []
    cursor = 0
    for position, raw in enumerate(_SENTENCE_END.split(chunk_text)):
        start = chunk_text.find(raw, cursor) if raw else cursor
        cursor = start + len(raw)
        text = raw.strip()
        if len(_LEADING_MARK.sub("", text)) < _MIN_SENTENCE_CHARS:
            continue
        if _HEADING.match(text) and len(text) <= _MAX_HEADING_CHARS:
            continue  # a heading names the topic but answers nothing
        if _is_lead_in(chunk_text, start, cursor, text):
            continue  # nor does a paragraph's short title sentence (规范政务服务窗口设置。)
        if text == title:
            continue  # nor does the document's own title line
        out.append((text, normalize(text).lower(), position))
    return tuple(out)


_MAX_LEAD_IN_CHARS = 15


def _is_lead_in(chunk_text: str, start: int, end: int, text: str) -> bool:
    """Whether ``text`` opens its paragraph as a short title sentence that the paragraph goes on from."""
    opens = start == 0 or chunk_text[start - 1] == "\n"
    goes_on = end < len(chunk_text) and chunk_text[end] != "\n"
    return opens and goes_on and len(text) <= _MAX_LEAD_IN_CHARS and text.endswith("。")


SCORING = {"bigram": 0.5, "rank": 0.3, "type": 0.25, "exact_type": 0.5}
"""Weights of sentence scoring: bigram overlap (beside word coverage), chunk-rank prior, answer type,
and a further bonus for the value of the question's main type when that is a precise one (a phone
number, an address, a fee, office hours, a time limit): 咨询电话是多少 wants the phone line."""

PRECISE_TYPES = SPECIFIC_TYPES | {"deadline", "date"}

PRECISE_VALUES: dict[str, re.Pattern[str]] = {
    **{name: ANSWER_TYPE_VALUES[name] for name in SPECIFIC_TYPES | {"deadline"}},
    "date": re.compile(
        r"\d{4}\s*年\s*\d{1,2}\s*月|\d{4}\s*年(?:底|内|前)|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{4}"
    ),
}
"""The direct answer of each precise type: for a date, a day, a month or a year's end — not a bare year
(国发〔2024〕3号 names a year, it does not say when)."""

SECTION_SHARE = 0.5
"""Credit of a term found in the section heading of a sentence rather than in the sentence itself:
under （二）推广“免证办”服务 every sentence is about 免证办 without naming it."""


def query_bigrams(terms: QueryTerms) -> set[str]:
    """Character bigrams of every term alternative: robust to segmentation differences."""
    grams: set[str] = set()
    for group in terms.groups:
        for alt in group.alternatives:
            grams.update(alt[i : i + 2] for i in range(len(alt) - 1))
    return grams


def _term_credits(sentences: Sequence[Sentence], terms: QueryTerms) -> list[list[float]]:
    """Each sentence's credit for each query term: in the sentence, or (at ``SECTION_SHARE``) in the
    section heading it sits under."""
    sections: dict[str, list[float]] = {}
    for sentence in sentences:
        if sentence.chunk.chunk_id not in sections:
            heading = normalize(sentence.chunk.section).lower()
            sections[sentence.chunk.chunk_id] = [SECTION_SHARE * g.credit(heading) for g in terms.groups]
    return [
        [
            max(g.credit(s.normalized), in_heading)
            for g, in_heading in zip(terms.groups, sections[s.chunk.chunk_id], strict=True)
        ]
        for s in sentences
    ]


def score_sentences(
    sentences: Sequence[Sentence], terms: QueryTerms, wanted_types: Sequence[str]
) -> list[ScoredSentence]:
    """Score each sentence by term coverage, bigram overlap, answer-type fit and the rank of its chunk."""
    grams = query_bigrams(terms)
    main = wanted_types[0] if wanted_types and wanted_types[0] in PRECISE_TYPES else None
    credits = _term_credits(sentences, terms)
    # Coverage counts only the terms some sentence contains: a question word no evidence has
    # (啥时候, 能不能) says nothing about which sentence answers, yet would shrink every coverage.
    present = [any(row[j] > 0 for row in credits) for j in range(len(terms.groups))]
    total = sum(g.weight for g, p in zip(terms.groups, present, strict=True) if p) or 1.0
    scored: list[ScoredSentence] = []
    for sentence, row in zip(sentences, credits, strict=True):
        coverage = sum(g.weight * c for g, c in zip(terms.groups, row, strict=True)) / total
        overlap = sum(1 for g in grams if g in sentence.normalized) / len(grams) if grams else 0.0
        answers = any(has_value(t, sentence.normalized) for t in wanted_types)
        exact = main is not None and bool(PRECISE_VALUES[main].search(sentence.normalized))
        score = (
            coverage
            + SCORING["bigram"] * overlap
            + (SCORING["type"] if answers else 0.0)
            + (SCORING["exact_type"] if exact else 0.0)
            + SCORING["rank"] / (1 + sentence.chunk_rank)
            - 0.002 * sentence.position
        )
        scored.append(ScoredSentence(sentence, score, coverage, answers, exact=exact))
    scored.sort(key=lambda s: (-s.score, s.sentence.chunk_rank, s.sentence.position))
    return scored
