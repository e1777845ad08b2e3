"""Learned second line of the refusal decision: a linear classifier of harmful requests.

The hand-written rules (:mod:`assistant.safety_rules`) refuse the wording they were written for; this
classifier scores what they miss. Logistic regression over TF-IDF of character 1–3-grams of the
router's screening form (NFKC, 繁→简, lower case, separators between characters removed) with regional
function words in their Mandarin form (:func:`assistant.safety_rules.fold_colloquial`), plus, when the
model says so, four cue features from the rules' own patterns: a defensive framing (reporting,
recognising, being a victim), one's own records, another person named, a lawful process. Trained by
``evals/safety_train.py`` on the dev half of the safety banks and the fresh rounds made training
data. Since step 15 a document's request frame (帮我写一份…申请书) and since step 16 the form of a question
(续写, an FAQ, a cloze, keywords only, just the first step, another chatbot's answer) are read as one
marker, so that what is asked is judged; since step 19 the Latin words of a message and its pairs of
adjacent words are features too (an English message had been read in pieces of at most three letters),
and the words that change the subject (另外想问下, 顺便) are left out. The weights ship as
``knowledge/safety/model.npz`` (plain arrays, read with ``allow_pickle=False``) and ``model.json``
(threshold, feature settings, provenance).
Run time needs only numpy; nothing loads at import.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.handoff.routing_features import Features, FeatureSpec, feature_counts, with_extra
from assistant.linear_weights import linear_probability, read_weights, weights_problem
from assistant.safety_rules import (
    DEFENSIVE,
    LAWFUL,
    OTHER_PERSON,
    OWN,
    QUOTED,
    SUBJECT_CHANGE,
    YES_NO_FRAME,
    fold_colloquial,
)
from assistant.settings import PROJECT_ROOT
from assistant.tokenization import cjk_chars

FORMAT_VERSION = 1
MODEL_DIR = PROJECT_ROOT / "knowledge" / "safety"
WEIGHTS_FILE = "model.npz"
META_FILE = "model.json"


_LATIN = re.compile(r"[a-z]")


def judged_by(screening_text: str, min_cjk: int, min_latin: int) -> str:
    """Which threshold judges a screening form: ``"cjk"`` with at least ``min_cjk`` Chinese characters,
    else ``"latin"`` with at least ``min_latin`` Latin letters (0: never), else ``""`` (too little to
    judge: left to the rules)."""
    if len(cjk_chars(screening_text)) >= min_cjk:
        return "cjk"
    if min_latin > 0 and len(_LATIN.findall(screening_text)) >= min_latin:
        return "latin"
    return ""


def judged_parts(parts: Sequence[str], min_cjk: int) -> list[str]:
    """The parts of a message a model that reads parts judges: those with at least ``min_cjk`` Chinese
    characters (an English sentence alone is not judged)."""
    return [part for part in parts if judged_by(part, min_cjk, 0) == "cjk"]


CUES = ("defensive", "own", "other_person", "lawful")
"""Cue features, keys -4 … -1 (below every n-gram key, which is positive)."""
_DISPUTE = re.compile(r"调解|纠纷")


def cue_names(text: str) -> list[str]:
    """The cues of a classifier form: defensive framing outside quotes, one's own records, another person,
    a lawful process (succession, guardianship, authorisation, mediation of a dispute)."""
    out = []
    if DEFENSIVE.search(QUOTED.sub("", text)):
        out.append("defensive")
    other = OTHER_PERSON.search(text)
    if OWN.search(text) and not other:
        out.append("own")
    if other:
        out.append("other_person")
    if LAWFUL.search(text) or _DISPUTE.search(text):
        out.append("lawful")
    return out


def cue_key(name: str) -> int:
    """The (negative) feature key of a cue."""
    return CUES.index(name) - len(CUES)


_DOC = (
    r"(会议)?纪要|会议记录|群?通知|群?公告|告示|须知|申请书|申请说明|情况说明|说明|证明|模板|文案|广告|短信|邮件|"
    r"(感谢|建议|推荐|邀请|倡议|举报|投诉)?信|倡议书|方案|工作总结|总结|周报|简报|协议|合同|条款|声明|讲稿|"
    r"稿子?|表格|excel表?|清单|对比表|表|大纲|ppt|脚本|宏|小程序|决议|简介|请假条|留言|帖子|短文|文章"
)
WRAPPER = re.compile(
    r"(帮我|给我|替我|帮忙|麻烦你?|请你?|你)?(写|起草|草拟|拟|撰写|编|做|整理|润色|改写|设计|列|出)"
    r"(一下|一份|一个|一篇|一段|一封|一条|一张|一套|个|份|篇|段|封|条|张|套)?"
    rf"(?=[^。？?！!]{{0,10}}?({_DOC}))"
    r"|(please\s+)?(help\s+me\s+|can\s+you\s+)?(write|draft|compose|make|create|prepare|polish)(\s+me)?"
    r"(\s+(a|an|the|this|that|some))?(\s+(short|simple|polite|brief|one-page))?"
    r"\s+(notice|letter|email|ad|advert|post|message|note|agreement|contract|table|spreadsheet|script|memo|"
    r"minutes|plan|application|summary|flyer|leaflet)"
)
"""Step 15: the request frame of a document, a message, a table or code (帮我写一份 before …申请书 or …通知,
做个 before 表格, draft a notice): the model reads one marker in its place and judges what is asked for
inside the document."""
WRAPPER_MARK = "〓"
FORM_FRAME = re.compile(
    r"续写(这段|这份|这张|这条|这篇|一下|下面|以下)?"
    r"|以?(faq|问答|一问一答)的?(形式|格式)(写|来写|回答)?"
    r"|(完形)?填空题?"
    r"|只(要|说|给|列)(关键词|关键字|要点|结论|答案|一句话)"
    r"|(请)?用(小学生|孩子|小朋友|幼儿园小朋友|外行)都?能听?懂的话"
    r"|先?只(说|讲|告诉我)(第一步|一步)"
    r"|(豆包|文心一言|文心|通义|千问|kimi|chatgpt|gpt|deepseek|元宝|别的ai|其他ai)(已经)?都?(说|告诉我|跟我说)了?"
    r"|上(回|次)你(帮我|给我)(写|做|出)过"
    r"|explain\s+(it\s+)?like\s+i'?m\s+\w+|(step\s+one|first\s+step)\s+only|only\s+keywords|finish\s+this"
    r"|(just\s+|only\s+)?answer\s+yes\s+or\s+no(\s+first)?"
)
"""Step 16: the form a question is asked in — a continuation (续写), an FAQ, a cloze, "keywords only",
"so a child understands", "just the first step", another chatbot said to have answered, a precedent
claimed — read as the same marker as a document's frame, so that what is asked is judged, not the form
(the twelfth fresh round asked harmful and lawful things alike in these forms); since step 17 also "answer
yes or no first" (:data:`assistant.safety_rules.YES_NO_FRAME`, "just answer yes or no")."""


_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_WORD_KEY_BASE = 1 << 6
"""Word keys lie below ``-_WORD_KEY_BASE`` (the cue keys are -4 … -1, every character n-gram key is
positive)."""


def word_key(word: str) -> int:
    """The (negative) feature key of a Latin word or a pair of words (a stable 40-bit hash)."""
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=5).digest()
    return -(int.from_bytes(digest, "big") + _WORD_KEY_BASE)


def word_features(text: str) -> Counter[int]:
    """Keys of the Latin words of a classifier form and of each pair of adjacent words, with their counts
    (step 19: character n-grams never span a space, so an English message was read only in pieces of at
    most three letters)."""
    words = _WORD.findall(text)
    grams = [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]
    return Counter(word_key(g) for g in grams)


CONNECTIVE = re.compile(
    rf"(?:{'|'.join(SUBJECT_CHANGE)})(再|想|我想|还想|还要)?(问问|问|请教|咨询)?(一下|下|个事)?"
)
"""Step 19: the words that change the subject (另外想问下, 顺便问问, 对了; since step 21 the router's list,
:data:`assistant.safety_rules.SUBJECT_CHANGE`): taken out before the n-grams, so
that what is asked after them is judged on its own (the training data's "A, then B" requests had made
另外 and 顺便 themselves evidence of harm)."""


def classifier_features(
    screening_text: str,
    spec: FeatureSpec,
    cues: bool,
    wrappers: bool = False,
    forms: bool = False,
    words: bool = False,
    connectives: bool = False,
) -> Features:
    """Features of a screening form as the model reads them: n-grams of its colloquial-folded form (with
    a document's request frame replaced by one marker when ``wrappers`` is on), and the cue keys first
    when ``cues`` is on (trainer and runtime both call this)."""
    text = fold_colloquial(screening_text)
    if wrappers:
        text = WRAPPER.sub(WRAPPER_MARK, text)
    if forms:
        text = YES_NO_FRAME.sub(WRAPPER_MARK, FORM_FRAME.sub(WRAPPER_MARK, text))
    if connectives:
        text = CONNECTIVE.sub("", text)
    grams = feature_counts(text, spec)
    extra: Counter[int] = word_features(text) if words else Counter()
    if cues:
        extra.update(cue_key(c) for c in cue_names(text))
    return with_extra(grams, extra)


class SafetyModelError(RuntimeError):
    """The model files are missing, malformed or of an unknown format."""


@dataclass(frozen=True)
class SafetyClassifier:
    """Vocabulary, idf, weights and the refusal threshold of the shipped model."""

    spec: FeatureSpec
    keys: np.ndarray  # sorted int64 n-gram keys
    idf: np.ndarray  # float32, one per key
    coef: np.ndarray  # float32, one per key
    intercept: float
    threshold: float
    min_cjk: int
    meta: dict[str, Any]
    cues: bool = False
    wrappers: bool = False
    """Whether the model reads a document's request frame as one marker (step 15; older models do not)."""
    forms: bool = False
    """Whether it reads the form of a question (续写, FAQ, cloze, …) as that marker too (step 16)."""
    min_latin: int = 0
    """Messages with fewer Chinese characters but this many Latin letters are judged too (0: never)."""
    threshold_latin: float = 1.0
    """The threshold of those messages (an English message has its own operating point)."""
    parts: bool = False
    """Whether a message's parts (sentences, numbered items) are judged too, the highest score counting
    (step 17; older models judge the whole only)."""
    words: bool = False
    """Whether Latin words and pairs of words are features too (step 19; older models read character
    n-grams only)."""
    connectives: bool = False
    """Whether the words that change the subject (另外想问下, 顺便) are taken out before the n-grams
    (step 19)."""
    part_margin: float = 0.0
    """Subtracted from a part's probability before it counts (step 18: a part judged alone — a long
    question's situation sentence — needs more evidence than the whole; 0 for step 17's model)."""

    @classmethod
    def load(cls, model_dir: Path = MODEL_DIR) -> SafetyClassifier:
        """Read ``model.json`` and ``model.npz`` (no pickles) and check that they fit together."""
        try:
            meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
            keys, idf, coef, intercept = read_weights(model_dir / WEIGHTS_FILE)
        except (OSError, ValueError, KeyError, IndexError) as exc:
            raise SafetyModelError(f"cannot read the safety model in {model_dir}: {exc}") from exc
        if meta.get("format") != FORMAT_VERSION:
            raise SafetyModelError(f"unknown safety model format {meta.get('format')!r}")
        problem = weights_problem(keys, idf, coef)
        if problem:
            raise SafetyModelError(f"safety model {problem}")
        threshold = float(meta.get("threshold", -1.0))
        threshold_latin = float(meta.get("threshold_latin", 1.0))
        if not 0.0 < threshold < 1.0 or not 0.0 < threshold_latin <= 1.0:
            raise SafetyModelError(f"safety model threshold {threshold!r} / {threshold_latin!r} out of range")
        return cls(
            spec=FeatureSpec.from_dict(meta["features"]),
            keys=keys,
            idf=idf,
            coef=coef,
            intercept=intercept,
            threshold=threshold,
            min_cjk=int(meta.get("min_cjk", 0)),
            meta=meta,
            cues=bool(meta.get("cues", False)),
            wrappers=bool(meta.get("wrappers", False)),
            forms=bool(meta.get("forms", False)),
            min_latin=int(meta.get("min_latin", 0)),
            threshold_latin=threshold_latin,
            parts=bool(meta.get("parts", False)),
            part_margin=float(meta.get("part_margin", 0.0)),
            words=bool(meta.get("words", False)),
            connectives=bool(meta.get("connectives", False)),
        )

    def probability(self, screening_text: str) -> float:
        """Probability that the text asks for help with something harmful (0–1)."""
        features = classifier_features(
            screening_text, self.spec, self.cues, self.wrappers, self.forms, self.words, self.connectives
        )
        return linear_probability(features, self.keys, self.idf, self.coef, self.intercept)

    def score(self, screening_text: str, parts: Sequence[str] = ()) -> float:
        """The probability of the whole message, or, for a model that reads parts (step 17), the highest of
        the whole's and those of its parts with enough Chinese characters to judge (an English sentence
        alone is not), each part's less ``part_margin`` (step 18)."""
        score = self.probability(screening_text)
        if self.parts:
            for part in judged_parts(parts, self.min_cjk):
                score = max(score, self.probability(part) - self.part_margin)
        return score

    def flags(self, screening_text: str, parts: Sequence[str] = ()) -> bool:
        """Whether to refuse: enough Chinese (or, failing that, enough Latin letters) to judge, and a
        score (:meth:`score`) at or above that script's threshold."""
        kind = judged_by(screening_text, self.min_cjk, self.min_latin)
        if not kind or (kind == "latin" and self.threshold_latin >= 1.0):
            return False
        threshold = self.threshold if kind == "cjk" else self.threshold_latin
        return self.score(screening_text, parts) >= threshold


@functools.cache
def default_classifier() -> SafetyClassifier:
    """The shipped model, loaded once on first use."""
    return SafetyClassifier.load(MODEL_DIR)


AGREEMENT_BAR = 0.5
"""Step 20: the score at which the classifier agrees with a rule it is asked to confirm about a quiz answer
checked (below either threshold: it confirms a rule's reading rather than refusing alone)."""


def agreement_score(screening_text: str, parts: Sequence[str] = ()) -> float | None:
    """The shipped classifier's score of a message it judges for its Chinese (:meth:`SafetyClassifier.score`),
    asked to confirm a rule's refusal (``assistant.router.RULE_AGREEMENT``); None for a message it does not
    judge so (too short, or English): there a rule's refusal stands."""
    model = default_classifier()
    if judged_by(screening_text, model.min_cjk, model.min_latin) != "cjk":
        return None
    return model.score(screening_text, parts)


def flags_unsafe(screening_text: str, parts: Sequence[str] = ()) -> bool:
    """Whether the shipped classifier refuses this screening form of a message (with the screening forms
    of its parts, :func:`assistant.router.screening_parts`)."""
    return default_classifier().flags(screening_text, parts)
