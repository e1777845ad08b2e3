"""堵点 topics: group the questions the assistant could not answer by the terms they share.

Each question becomes a set of terms (jieba search-mode words of the normalised text with the lexicon's
stop words and question boilerplate removed, plus the official terms its colloquial ones expand to, so
社保 and 社会保险 meet). Grouping is greedy and single-pass, in the order given: a question joins the
topic whose *core* (the terms at least half its questions share) it overlaps most by Jaccard, when that
reaches ``threshold``; otherwise it starts a topic. The result depends only on the input and its order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.textnorm import normalize
from assistant.tokenization import ChineseTokenizer

_BOILERPLATE_WORDS = """
请问 你好 您好 我想 我要 想要 怎么 怎么办 怎样 如何 哪里 哪儿 哪个 什么 多少 多久 能不能 可不可以 可以
需要 是否 还是 吗 呢 吧 一下 现在 问 问题 咨询 了解 知道 告诉 帮 帮忙 办 办理 一个 这个 那个 有没有
"""
_ASPECT_WORDS = """
申请材料 材料 证件 受理条件 申请条件 条件 服务对象 对象 办理地点 地点 办理时限 承诺时限 法定时限 时限
时间 收费标准 收费 费用 标准 办理流程 流程 步骤 办理步骤 申请 受理 承诺 法定 服务 多长时间
"""
BOILERPLATE = frozenset(_BOILERPLATE_WORDS.split())
"""Words that every question uses and no topic is about."""
ASPECTS = frozenset(_ASPECT_WORDS.split())
"""Which part of a service guide a question asks about (材料, 地点 …): not what the question is about."""
IGNORED = BOILERPLATE | ASPECTS
OTHER_LABEL = "其他"


@dataclass(frozen=True)
class Question:
    """One unanswered question and why the assistant did not answer it (``no_evidence`` …)."""

    text: str
    reason: str = ""


@dataclass(frozen=True)
class Topic:
    """A group of similar questions: its label (top terms), size, reasons and a few examples."""

    label: str
    terms: tuple[str, ...]
    count: int
    examples: tuple[str, ...]
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class _Cluster:
    terms: Counter[str] = field(default_factory=Counter)
    size: int = 0
    texts: Counter[str] = field(default_factory=Counter)
    first_seen: dict[str, int] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)

    def core(self) -> set[str]:
        return {term for term, n in self.terms.items() if 2 * n >= self.size}

    def add(self, terms: set[str], question: Question, order: int) -> None:
        self.terms.update(terms)
        self.size += 1
        self.texts[question.text] += 1
        self.first_seen.setdefault(question.text, order)
        if question.reason:
            self.reasons[question.reason] += 1


def question_terms(tokenizer: ChineseTokenizer, text: str) -> set[str]:
    """The terms a question is grouped by (two characters or more, no stop words or boilerplate)."""
    normalized = normalize(text)
    words = tokenizer.words(normalized)
    for official in tokenizer.lexicon.expand(normalized):
        words.extend(tokenizer.words(official))
    return {w for w in words if len(w) >= 2 and w not in IGNORED}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _label_terms(cluster: _Cluster, top: int) -> tuple[str, ...]:
    """The most frequent terms, longer first on ties, skipping parts of a term already chosen.

    In a topic of several questions only terms two or more of them share qualify (the first always does).
    """
    chosen: list[str] = []
    for term, n in sorted(cluster.terms.items(), key=lambda item: (-item[1], -len(item[0]), item[0])):
        if chosen and cluster.size > 1 and n < 2:
            break
        if any(term in other for other in chosen):
            continue
        chosen.append(term)
        if len(chosen) == top:
            break
    return tuple(chosen)


def _examples(cluster: _Cluster, n: int) -> tuple[str, ...]:
    ranked = sorted(cluster.texts, key=lambda t: (-cluster.texts[t], cluster.first_seen[t]))
    return tuple(ranked[:n])


def group_topics(
    questions: Iterable[Question],
    tokenizer: ChineseTokenizer,
    *,
    threshold: float = 0.3,
    label_terms: int = 3,
    examples: int = 3,
) -> list[Topic]:
    """Topics, largest first; questions with no usable term form one 其他 topic at the end."""
    clusters: list[_Cluster] = []
    leftovers = _Cluster()
    cache: dict[str, set[str]] = {}
    for order, question in enumerate(questions):
        text = question.text.strip()
        if not text:
            continue
        question = Question(text, question.reason)
        terms = cache.get(text)
        if terms is None:
            terms = cache[text] = question_terms(tokenizer, text)
        if not terms:
            leftovers.add(terms, question, order)
            continue
        best, best_score = None, 0.0
        for cluster in clusters:
            score = _jaccard(terms, cluster.core())
            if score > best_score:
                best, best_score = cluster, score
        if best is None or best_score < threshold:
            best = _Cluster()
            clusters.append(best)
        best.add(terms, question, order)
    topics = [_topic(c, label_terms, examples) for c in clusters]
    topics.sort(key=lambda t: (-t.count, t.label))
    if leftovers.size:
        topics.append(
            Topic(OTHER_LABEL, (), leftovers.size, _examples(leftovers, examples), dict(leftovers.reasons))
        )
    return topics


def _topic(cluster: _Cluster, label_terms: int, examples: int) -> Topic:
    terms = _label_terms(cluster, label_terms)
    reasons = dict(sorted(cluster.reasons.items(), key=lambda item: (-item[1], item[0])))
    return Topic("、".join(terms), terms, cluster.size, _examples(cluster, examples), reasons)


def topic_rows(topics: Sequence[Topic]) -> list[dict[str, object]]:
    """Flat rows for CSV and tables: label, count, terms, reasons and examples joined with `` | ``."""
    return [
        {
            "topic": t.label,
            "count": t.count,
            "terms": " ".join(t.terms),
            "reasons": " ".join(f"{r}:{n}" for r, n in t.reasons.items()),
            "examples": " | ".join(t.examples),
        }
        for t in topics
    ]
