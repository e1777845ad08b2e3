"""Train the safety classifier (the refusal decision's learned second line) and write ``knowledge/safety/``.

Training data (``training_examples``):

- positives: every should-refuse prompt of ``refuse.jsonl`` in the ``dev`` split (hand-written prompts,
  their variants and the later dev-only rounds), and the should-refuse prompts of the fresh rounds that
  were scored blind and then became training data (``fresh.jsonl`` … ``fresh23.jsonl`` and
  ``fresh25.jsonl``: ``evals.safety_bank.TRAINED_FRESH_ROUNDS``);
- negatives: every should-answer prompt of ``answer.jsonl`` in the ``dev`` split and of those fresh
  rounds (together the risky-looking should-answer prompts), and questions the product must answer —
  ``policy_qa.jsonl``, the in-scope, no-evidence and handoff items of ``behaviour.jsonl``,
  ``guide_questions.jsonl``, the ``guide_match.jsonl`` queries, the ``guide_dialogues.jsonl``
  openings and the hand-written ordinary questions and follow-ups of
  ``safety/sources/product_dev9.txt`` and ``product_dev18.txt`` (Chinese and English); and one question
  about each service guide of the catalogue (``knowledge/guides``), made from its name or a material by a
  template chosen by a hash of its id (``catalogue_questions``: "办理X需要什么材料", "X在哪里办" …).

Never read: the ``heldout`` halves of the banks, the blind fresh rounds (``fresh24.jsonl``, ``fresh26.jsonl``
and every later one: ``evals.safety_bank.BLIND_FRESH_ROUNDS``) and ``policy_qa_heldout.jsonl``; the trainer
refuses to run if a training text is one of theirs.

Model: sublinear TF-IDF over character 1–3-grams of the router's screening form
(:func:`assistant.router.screening_form`) with regional function words folded, and four cue features
(defensive framing, own records, another person, a lawful process), all from
:func:`assistant.safety_classifier.classifier_features`, the same code the runtime runs (since step 15 a
document's request frame — 帮我写一份…, 做个…表格, draft a … — is read as one marker, since step 16 the
form of a question too — 续写, an FAQ, a cloze, keywords only, just the first step; since step 17 a
character split into its components and pinyin for a sensitive word read as the word, and "answer yes or
no first" as the marker; since step 19 Latin words and pairs of words, ``WORDS``); a class-balanced
logistic regression. Since step 17 (``PARTS``) a message's
score is the highest of its own and its Chinese parts' (sentences, numbered items), out of fold as at run
time. Min document frequency, C, the weight of single characters and
the weight of the cues (0 or 1, folded into their idf) are chosen by 5-fold cross-validation grouped
by prompt (a variant is in its prompt's fold); the threshold
is the lowest that keeps the out-of-fold false refusals at most ``MAX_FALSE_REFUSAL`` on the risky-looking
should-answer prompts and at most ``MAX_FALSE_REFUSAL_PRODUCT`` on the product's questions and, as a
group of its own (so that its easy questions cannot dilute the others), on the catalogue's; and the
grid point with the highest out-of-fold recall of should-refuse prompts at its threshold wins. Out of
fold, a message the runtime does not judge (too few Chinese characters and Latin letters:
:func:`assistant.safety_classifier.judged`) counts as not refused. The final model is fitted on all
training examples with those settings.

Since step 24 (about 30 s; ``--no-grouped-cv`` skips it) the chosen grid point is also
cross-validated leaving one round out (:func:`grouped_cross_validate`: each dev round, each trained fresh
round, each product source and the catalogue its own group), which shows what a round written apart from
the others costs — folds grouped by prompt put a round's neighbours in wording in the training folds. Its
refusal rates at the shipped threshold and the threshold its own caps (``GROUPED_CAPS``) would choose are
recorded under ``cv.grouped`` of ``model.json``; the stratified threshold ships unless the round-grouped
CV refuses more than ``MAX_GROUPED_PRODUCT`` of the product's questions at it (:func:`threshold_rule`).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.handoff.routing_features import Features, FeatureSpec
from assistant.router import screening_form, screening_parts
from assistant.safety_classifier import (
    CUES,
    FORMAT_VERSION,
    META_FILE,
    MODEL_DIR,
    WEIGHTS_FILE,
    classifier_features,
    judged_by,
    judged_parts,
)
from assistant.settings import PROJECT_ROOT
from evals.routing_train import fit_vocabulary, to_matrix
from evals.safety_bank import BLIND_FRESH_ROUNDS, TRAINED_FRESH_ROUNDS, load_bank, load_fresh
from evals.safety_build import DEV_ROUNDS, read_source

DATASETS = PROJECT_ROOT / "evals" / "datasets"
GUIDES = PROJECT_ROOT / "knowledge" / "guides"
MAX_FALSE_REFUSAL = 0.02
MAX_FALSE_REFUSAL_PRODUCT = 0.015
"""The cap on the product's own questions (step 13, chosen by CV over 0.02 and 0.01; 0.02 before): real
citizens ask these every day."""
MIN_CJK = 6
MIN_LATIN = 15
"""Messages with fewer Chinese characters and fewer Latin letters are left to the rules (too little to
judge); a message wholly in English with 15 letters or more is judged (step 13; before, none was)."""
PRODUCT_SOURCES = ("product_dev9", "product_dev18")
"""Hand-written ordinary questions and follow-ups (``safety/sources/product_dev9.txt``, step 13) and
ordinary citizen questions in everyday wording — short, long, run-on, typos, dialect, paperwork
(``product_dev18.txt``, step 18)."""
CATALOGUE = "guide_catalogue"
"""Source name of the questions made from the service guides' names and materials."""
WRAPPERS = True
"""Step 15: a document's request frame is read as one marker (``assistant.safety_classifier.WRAPPER``)."""
FORMS = True
"""Step 16: the form of a question (续写, FAQ, cloze, keywords only, …) is read as that marker too
(``assistant.safety_classifier.FORM_FRAME``)."""
PARTS = True
"""Step 17: a message's parts (sentences, clauses after a semicolon, numbered items:
:func:`assistant.router.screening_parts`) are judged too and the highest score counts, in CV as at run
time, so that a harmful question after a harmless one is not diluted."""
PART_MARGIN = 0.15
"""Step 18: a part's probability counts less this margin (``part_margin`` in ``model.json``), chosen by
out-of-fold CV at the shipped point over 0 … 0.3 and 1 (parts off): 0.15 had the highest should-refuse
recall and refused none of the 48 long product questions (0: 2 of 48, and more risky-looking
should-answer prompts)."""
WORDS = True
"""Step 19: Latin words and pairs of adjacent words are features too
(:func:`assistant.safety_classifier.word_features`): character n-grams never span a space, so an English
message was read in pieces of at most three letters."""
WORD_WEIGHT = 1.0
"""Step 19: the weight of the word features (folded into their idf). Out of fold at the shipped point,
with dev14, weights 1, 2 and 3 gave English should-refuse recall 0.665, 0.716 and 0.747 (words off: 0.564)
under the same English false refusals (0.017), but the development check of ordinary requests to draft a
document (``sources/documents_dev11.txt``, read by no trainer) had 0, 1 and 4 of its 10 English requests
refused (0 with step 18's model): 1 keeps that check where it was."""
CONNECTIVES = True
"""Step 19: the words that change the subject (另外想问下, 顺便, 对了) are taken out before the n-grams
(:data:`assistant.safety_classifier.CONNECTIVE`): out of fold 0.898 → 0.900 of should-refuse refused."""
CV_FOLDS = 5
SEED = 0
BEHAVIOUR_NEGATIVES = ("in_scope", "no_evidence", "complaint", "frustration", "human_request")
ANSWER_BANK = "answer_bank"
"""Source name of the dev should-answer prompts of ``answer.jsonl``."""
RISKY_ANSWER_SOURCES = frozenset({ANSWER_BANK, *TRAINED_FRESH_ROUNDS})
"""Sources whose negatives are risky-looking should-answer prompts (the other negatives are the
product's questions); a trained fresh round's source is its name."""


@dataclass(frozen=True)
class Example:
    """One training text: 1 should refuse, 0 should answer; ``group`` keeps variants in one fold."""

    text: str
    label: int
    group: str
    source: str
    round: str = ""
    """The round it was written in, left out as a whole by the round-grouped CV (:func:`round_of`): a
    bank prompt's dev round (``dev1`` the first hand-written round, ``dev2`` …); empty: its source (a
    trained fresh round, a product source, the catalogue)."""


def round_of(example: Example) -> str:
    """The group of the round-grouped CV: the example's round, or else its source."""
    return example.round or example.source


@dataclass(frozen=True)
class Params:
    """One grid point: min document frequency, C, the weight of single characters (folded into idf:
    one character such as 把 or 我 says more about style than about harm) and of the cue features
    (0: the model does without them)."""

    min_df: int
    c: float
    unigram_weight: float
    cue_weight: float = 0.0


GRID = tuple(
    Params(m, c, w, q)
    for m in (1, 2)
    for c in (2.0, 8.0, 32.0, 64.0, 128.0, 256.0)
    for w in (1.0, 0.5, 0.25)
    for q in (0.0, 1.0)
)
SPEC = FeatureSpec(min_n=1, max_n=3)
_UNIGRAM_KEYS = 1 << 21
"""Keys below this pack a single character (``assistant.handoff.routing_features``: 21 bits each)."""


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


_NAME_TEMPLATES = (
    "办理{}需要什么材料",
    "{}在哪里办",
    "{}要多久能办好",
    "{}可以在网上办吗",
    "申请{}要符合什么条件",
    "{}怎么办理",
    "请问{}收不收费",
    "我想办{}，流程是什么",
    "{}去哪个部门办",
    "{}需要本人到场吗",
)
_MATERIAL_TEMPLATES = ("办{0}要的{1}去哪里开", "{1}是什么，办{0}一定要交吗", "办{0}时{1}要原件还是复印件")


def catalogue_questions(guides: Path = GUIDES) -> list[tuple[str, str]]:
    """(guide id, question) of every service guide: a template over its name, or over its name and a
    material, chosen by a hash of its id (deterministic)."""
    return list(_catalogue_questions(guides.resolve()))


@functools.cache
def _catalogue_questions(guides: Path) -> tuple[tuple[str, str], ...]:
    from assistant.guide.loader import load_catalogue

    out = []
    for guide in load_catalogue(guides).guides:
        h = int(hashlib.sha1(guide.id.encode("utf-8")).hexdigest()[:8], 16)
        name = guide.name.strip()
        if guide.materials and h % 4 == 0:
            material = guide.materials[(h // 4) % len(guide.materials)].name.strip()
            template = _MATERIAL_TEMPLATES[(h // 64) % len(_MATERIAL_TEMPLATES)]
            out.append((guide.id, template.format(name, material)))
        else:
            out.append((guide.id, _NAME_TEMPLATES[(h // 4) % len(_NAME_TEMPLATES)].format(name)))
    return tuple(out)


def bank_round(item_id: str, bounds: Sequence[tuple[int, str]]) -> str:
    """The round of a bank prompt from its id's number (``sr0412``, a variant ``sr0012v``) and the
    bank's ``bounds`` (:func:`bank_round_bounds`); empty when the bounds do not reach it."""
    number = int(item_id.removesuffix("v").lstrip("abcdefghijklmnopqrstuvwxyz"))
    return next((name for last, name in bounds if number <= last), "")


def bank_round_bounds(bank: str, sources: Path) -> list[tuple[int, str]]:
    """(last id number, round) of a bank's rounds as ``evals.safety_build`` numbers them: the first
    hand-written round (``dev1``), then each of ``DEV_ROUNDS`` in order; none without the sources."""
    first = sources / f"{bank}.txt"
    if not first.exists():
        return []
    last = len(read_source(first))
    bounds = [(last, "dev1")]
    for n in DEV_ROUNDS:
        last += len(read_source(sources / f"{bank}_dev{n}.txt"))
        bounds.append((last, f"dev{n}"))
    return bounds


def training_examples(datasets: Path = DATASETS, guides: Path | None = GUIDES) -> list[Example]:
    """The training set (see the module docstring), de-duplicated by screening form."""
    safety = datasets / "safety"
    raw: list[Example] = []
    for bank, label, source in (("refuse", 1, "refuse_bank"), ("answer", 0, ANSWER_BANK)):
        bounds = bank_round_bounds(bank, safety / "sources")
        for item in load_bank(bank, safety):
            if item.split == "dev":
                group = item.id.removesuffix("v")
                raw.append(Example(item.text, label, group, source, bank_round(item.id, bounds)))
    unseen = unseen_texts(datasets)
    for item in load_fresh(safety, TRAINED_FRESH_ROUNDS):
        if screening_form(item.text) not in unseen:  # a text a blind round has too stays unseen
            raw.append(Example(item.text, int(item.expected == "refuse"), item.id, item.split))
    for row in _jsonl(datasets / "policy_qa.jsonl"):
        raw.append(Example(row["question"], 0, row["id"], "policy_qa"))
    for row in _jsonl(datasets / "behaviour.jsonl"):
        if row.get("category") in BEHAVIOUR_NEGATIVES:
            raw.append(Example(row["question"], 0, row["id"], "behaviour"))
    for row in _jsonl(datasets / "guide_questions.jsonl"):
        raw.append(Example(row["question"], 0, row["id"], "guide_questions"))
    for row in _jsonl(datasets / "guide_match.jsonl"):
        raw.append(Example(row["query"], 0, row["id"], "guide_match"))
    for row in _jsonl(datasets / "guide_dialogues.jsonl"):
        raw.append(Example(row["opening"], 0, row["id"], "guide_dialogues"))
    for name in PRODUCT_SOURCES:
        product = safety / "sources" / f"{name}.txt"
        if product.exists():
            for n, (_, text) in enumerate(read_source(product), 1):
                raw.append(Example(text, 0, f"{name}-{n}", name))
    if guides is not None:
        raw += [Example(text, 0, gid, CATALOGUE) for gid, text in catalogue_questions(guides)]
    seen: dict[str, Example] = {}
    for example in raw:
        key = screening_form(example.text)
        if key in seen and seen[key].label != example.label:
            raise ValueError(f"{example.text!r} is both a should-refuse and a should-answer example")
        seen.setdefault(key, example)
    examples = list(seen.values())
    leaked = {screening_form(e.text) for e in examples} & unseen
    if leaked:
        raise ValueError(f"training would see held-out or blind fresh texts: {sorted(leaked)[:3]}")
    return examples


def unseen_texts(datasets: Path = DATASETS) -> set[str]:
    """Screening forms of everything never trained on (bank heldout halves, blind fresh rounds,
    policy_qa heldout)."""
    safety = datasets / "safety"
    texts = [i.text for b in ("refuse", "answer") for i in load_bank(b, safety) if i.split == "heldout"]
    texts += [i.text for i in load_fresh(safety, BLIND_FRESH_ROUNDS)]
    texts += [row["question"] for row in _jsonl(datasets / "policy_qa_heldout.jsonl")]
    return {screening_form(t) for t in texts}


def data_hash(examples: Sequence[Example]) -> str:
    """SHA-256 of the training set (label and text of each example, sorted): the model's provenance."""
    lines = sorted(f"{e.label}\t{e.text}" for e in examples)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def featurize(examples: Sequence[Example]) -> list[Features]:
    """Features of each example's screening form, cues included, as the runtime computes them."""
    return [_features(screening_form(e.text)) for e in examples]


def _features(screening_text: str) -> Features:
    return classifier_features(
        screening_text,
        SPEC,
        cues=True,
        wrappers=WRAPPERS,
        forms=FORMS,
        words=WORDS,
        connectives=CONNECTIVES,
    )


def fit(features: Sequence[Features], labels: np.ndarray, params: Params) -> tuple[Any, Any, Any]:
    """(vocabulary keys, idf, fitted logistic regression) of one grid point."""
    from sklearn.linear_model import LogisticRegression

    keys, idf = fit_vocabulary(features, params.min_df)
    idf = np.where((keys >= 0) & (keys < _UNIGRAM_KEYS), idf * params.unigram_weight, idf)
    cue = (keys < 0) & (keys >= -len(CUES))
    idf = np.where(cue, idf * params.cue_weight, idf)
    idf = np.where(keys < -len(CUES), idf * WORD_WEIGHT, idf).astype(np.float32)
    model = LogisticRegression(
        C=params.c, class_weight="balanced", solver="liblinear", random_state=SEED, max_iter=1000
    )
    model.fit(to_matrix(features, keys, idf), labels)
    return keys, idf, model


def threshold_for(negative_scores: Sequence[np.ndarray], max_rate: float = MAX_FALSE_REFUSAL) -> float:
    """Lowest threshold at which each group of negatives is flagged at most ``max_rate`` of the time."""
    best = 0.0
    for scores in negative_scores:
        ordered = np.sort(np.asarray(scores))[::-1]
        allowed = int(np.floor(max_rate * ordered.size))
        if allowed < ordered.size:
            best = max(best, float(np.nextafter(ordered[allowed], 1.0)))
    return best


@dataclass(frozen=True)
class CvResult:
    params: Params
    threshold: float
    recall: float
    false_refusal_answer: float
    false_refusal_product: float
    oof: np.ndarray
    false_refusal_catalogue: float = 0.0
    threshold_latin: float = 1.0
    """Threshold of messages judged for their Latin letters alone (1.0: none refused)."""
    recall_latin: float = 0.0
    false_refusal_latin: float = 0.0
    flagged: np.ndarray | None = None
    """Which examples are refused out of fold (``oof >= threshold`` when not given)."""


def featurize_parts(examples: Sequence[Example]) -> tuple[list[Features], np.ndarray]:
    """Features of every part the runtime judges of each example (``screening_parts`` with enough Chinese
    characters) and the index of the example each belongs to."""
    features: list[Features] = []
    owners: list[int] = []
    for i, example in enumerate(examples):
        for part in judged_parts(screening_parts(example.text), MIN_CJK):
            features.append(_features(part))
            owners.append(i)
    return features, np.array(owners, dtype=np.int64)


def script_masks(examples: Sequence[Example]) -> tuple[np.ndarray, np.ndarray]:
    """(judged for its Chinese, judged for its Latin letters alone) of each example, as the runtime
    decides (:func:`assistant.safety_classifier.judged_by`)."""
    kinds = [judged_by(screening_form(e.text), MIN_CJK, MIN_LATIN) for e in examples]
    return np.array([k == "cjk" for k in kinds]), np.array([k == "latin" for k in kinds])


def _masks(examples: Sequence[Example]) -> dict[str, np.ndarray]:
    """Boolean masks of the groups the thresholds and the rates are read on."""
    y = np.array([e.label for e in examples])
    answer = np.array([e.label == 0 and e.source in RISKY_ANSWER_SOURCES for e in examples])
    catalogue = np.array([e.label == 0 and e.source == CATALOGUE for e in examples])
    cjk, latin = script_masks(examples)
    return {
        "refuse": y == 1,
        "answer": answer,
        "product": (y == 0) & ~answer & ~catalogue,
        "catalogue": catalogue,
        "cjk": cjk,
        "latin": latin,
        "latin_refuse": latin & (y == 1),
        "latin_answer": latin & (y == 0),
    }


def out_of_fold(
    examples: Sequence[Example],
    grid: Sequence[Params],
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    parts: bool = PARTS,
) -> dict[Params, np.ndarray]:
    """Each grid point's out-of-fold probability of every example over ``folds`` ((fit, validation)
    indices); with ``parts`` the highest of its own and its parts' less ``PART_MARGIN``."""
    y = np.array([e.label for e in examples])
    oof = {p: np.zeros(len(y)) for p in grid}
    features = featurize(examples)
    part_features, owners = featurize_parts(examples) if parts else ([], np.zeros(0, dtype=np.int64))
    for fit_idx, val_idx in folds:
        fit_features = [features[i] for i in fit_idx]
        val_features = [features[i] for i in val_idx]
        in_val = np.isin(owners, val_idx)
        val_parts = [part_features[i] for i in np.flatnonzero(in_val)]
        for params in grid:
            keys, idf, model = fit(fit_features, y[fit_idx], params)
            oof[params][val_idx] = model.predict_proba(to_matrix(val_features, keys, idf))[:, 1]
            if val_parts:
                part_scores = model.predict_proba(to_matrix(val_parts, keys, idf))[:, 1]
                np.maximum.at(oof[params], owners[in_val], part_scores - PART_MARGIN)
    return oof


def _flagged(masks: dict[str, np.ndarray], raw: np.ndarray, t: float, t_latin: float) -> np.ndarray:
    """Refused out of fold: judged for its Chinese at ``t``, for its Latin letters alone at ``t_latin``."""
    return (masks["cjk"] & (raw >= t)) | (masks["latin"] & (raw >= t_latin))


def _rate(flagged: np.ndarray, mask: np.ndarray) -> float:
    return float(np.mean(flagged[mask])) if mask.any() else 0.0


def _latin_threshold(masks: dict[str, np.ndarray], raw: np.ndarray) -> float:
    """The threshold of messages judged for their Latin letters alone: their own out-of-fold false refusals
    at most ``MAX_FALSE_REFUSAL`` (1.0 when there are none)."""
    return threshold_for([raw[masks["latin_answer"]]], MAX_FALSE_REFUSAL) if masks["latin"].any() else 1.0


def _share_by(keys: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    """Share of ``flagged`` per key, keys sorted."""
    return {k: round(float(np.mean(flagged[keys == k])), 4) for k in sorted(set(keys.tolist()))}


def cross_validate(
    examples: Sequence[Example],
    grid: Sequence[Params] = GRID,
    product_cap: float = MAX_FALSE_REFUSAL_PRODUCT,
    parts: bool = PARTS,
) -> list[CvResult]:
    """Grouped stratified k-fold out-of-fold probabilities and the operating point of every grid point.
    Messages judged for their Chinese get one threshold, messages judged for their Latin letters alone
    another (their own false refusals at most ``MAX_FALSE_REFUSAL``); a message the runtime does not
    judge is never refused; with ``parts`` an example's score is the highest of its own and its parts'."""
    from sklearn.model_selection import StratifiedGroupKFold

    y = np.array([e.label for e in examples])
    groups = np.array([e.group for e in examples])
    m = _masks(examples)
    splitter = StratifiedGroupKFold(CV_FOLDS, shuffle=True, random_state=SEED)
    folds = list(splitter.split(np.zeros(len(y)), y, groups))
    oof = out_of_fold(examples, grid, folds, parts)
    results = []
    for params, raw in oof.items():
        scores = np.where(m["cjk"], raw, 0.0)
        t = max(
            threshold_for([scores[m["answer"]]], MAX_FALSE_REFUSAL),
            threshold_for([scores[m["product"]], scores[m["catalogue"]]], product_cap),
        )
        t_latin = _latin_threshold(m, raw)
        flagged = _flagged(m, raw, t, t_latin)
        results.append(
            CvResult(
                params,
                t,
                _rate(flagged, m["refuse"]),
                _rate(flagged, m["answer"]),
                _rate(flagged, m["product"]),
                raw,
                _rate(flagged, m["catalogue"]),
                t_latin,
                _rate(flagged, m["latin_refuse"]),
                _rate(flagged, m["latin_answer"]),
                flagged,
            )
        )
    return results


GROUPED_CAPS = {"answer": 0.02, "product": 0.025, "catalogue": 0.02}
"""Step 24: the out-of-fold false-refusal caps of the round-grouped CV's threshold (the risky-looking
should-answer prompts, the product's questions, the catalogue's; messages judged for their Latin letters
alone: ``MAX_FALSE_REFUSAL``)."""
MAX_GROUPED_PRODUCT = 0.05
"""Step 24 (a product decision): the stratified CV's threshold ships unless the round-grouped CV refuses
more than this share of the product's questions at it; then the round-grouped caps' threshold ships."""


@dataclass(frozen=True)
class GroupedCv:
    """Round-grouped out-of-fold figures of one grid point (:func:`grouped_cross_validate`): the rates at
    the given thresholds, and the thresholds ``GROUPED_CAPS`` choose with their rates."""

    rounds: int
    threshold: float
    threshold_latin: float
    rates: dict[str, float]
    caps_threshold: float
    caps_threshold_latin: float
    caps_rates: dict[str, float]
    refused_by_round: dict[str, float]
    """Out-of-fold share refused at the given thresholds per ``round:label``."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rounds": self.rounds,
            "threshold": round(self.threshold, 6),
            "threshold_latin": round(self.threshold_latin, 6),
            "at_threshold": self.rates,
            "caps": GROUPED_CAPS,
            "caps_threshold": round(self.caps_threshold, 6),
            "caps_threshold_latin": round(self.caps_threshold_latin, 6),
            "at_caps_threshold": self.caps_rates,
            "refused_by_round": self.refused_by_round,
        }


def grouped_cross_validate(
    examples: Sequence[Example],
    params: Params,
    threshold: float,
    threshold_latin: float,
    parts: bool = PARTS,
) -> GroupedCv:
    """Leave one round out (:func:`round_of`: each dev round, each trained fresh round, each product
    source, the catalogue): out-of-fold refusal rates at ``threshold``/``threshold_latin`` and at the
    thresholds ``GROUPED_CAPS`` choose — what a round written by someone else costs, which folds grouped
    by prompt hide (a round's neighbours in wording are in the training folds there)."""
    rounds = np.array([round_of(e) for e in examples])
    folds = [(np.flatnonzero(rounds != r), np.flatnonzero(rounds == r)) for r in dict.fromkeys(rounds)]
    raw = out_of_fold(examples, (params,), folds, parts)[params]
    m = _masks(examples)
    scores = np.where(m["cjk"], raw, 0.0)
    caps = max(threshold_for([scores[m[g]]], cap) for g, cap in GROUPED_CAPS.items())
    caps_latin = _latin_threshold(m, raw)

    def rates(flagged: np.ndarray) -> dict[str, float]:
        names = ("refuse", "answer", "product", "catalogue", "latin_refuse", "latin_answer")
        return {name: round(_rate(flagged, m[name]), 4) for name in names}

    at = _flagged(m, raw, threshold, threshold_latin)
    keys = np.array([f"{r}:{e.label}" for r, e in zip(rounds, examples, strict=True)])
    by_round = _share_by(keys, at)
    return GroupedCv(
        len(folds),
        threshold,
        threshold_latin,
        rates(at),
        caps,
        caps_latin,
        rates(_flagged(m, raw, caps, caps_latin)),
        by_round,
    )


def refused_by_source(examples: Sequence[Example], result: CvResult) -> dict[str, float]:
    """Out-of-fold share refused at the result's operating point per ``source:label`` of the examples."""
    keys = np.array([f"{e.source}:{e.label}" for e in examples])
    flagged = result.flagged if result.flagged is not None else result.oof >= result.threshold
    return _share_by(keys, flagged)


def best_of(results: Sequence[CvResult]) -> CvResult:
    """Highest recall at the operating point; ties go to the smaller vocabulary cut, C and change."""
    return max(
        results,
        key=lambda r: (
            r.recall,
            -r.params.min_df,
            -r.params.c,
            r.params.unigram_weight,
            -r.params.cue_weight,
        ),
    )


def threshold_rule(best: CvResult, grouped: GroupedCv | None) -> tuple[str, float, float]:
    """(rule, threshold, Latin threshold) that ship (step 24, a product decision): the stratified CV's,
    unless the round-grouped CV refuses more than ``MAX_GROUPED_PRODUCT`` of the product's questions at
    them; then the round-grouped caps' (``GROUPED_CAPS``). Without the round-grouped CV: the stratified."""
    if grouped is not None and grouped.rates["product"] > MAX_GROUPED_PRODUCT:
        return "grouped_caps", grouped.caps_threshold, grouped.caps_threshold_latin
    return "stratified", best.threshold, best.threshold_latin


def save_model(out_dir: Path, keys: np.ndarray, idf: np.ndarray, model: Any, meta: dict[str, Any]) -> None:
    """Write ``model.npz`` (float16 weights, no pickles) and ``model.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out_dir / WEIGHTS_FILE,
        allow_pickle=False,
        keys=keys.astype(np.int64),
        idf=idf.astype(np.float16),
        coef=np.asarray(model.coef_[0]).astype(np.float16),
        intercept=np.asarray(model.intercept_, dtype=np.float32).reshape(1),
    )
    text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
    (out_dir / META_FILE).write_text(text, encoding="utf-8")


def train(
    out_dir: Path = MODEL_DIR,
    datasets: Path = DATASETS,
    product_cap: float = MAX_FALSE_REFUSAL_PRODUCT,
    examples: Sequence[Example] | None = None,
    grid: Sequence[Params] = GRID,
    parts: bool = PARTS,
    grouped: bool = True,
) -> dict[str, Any]:
    """Cross-validate over ``grid``, fit on all training examples (``training_examples(datasets)`` unless
    given) and write the model folder; returns ``model.json``. With ``grouped`` the chosen grid point is
    also cross-validated leaving one round out (:func:`grouped_cross_validate`), its figures recorded
    under ``cv.grouped``, and the threshold chosen by :func:`threshold_rule`."""
    examples = list(examples) if examples is not None else training_examples(datasets)
    results = cross_validate(examples, grid=grid, product_cap=product_cap, parts=parts)
    best = best_of(results)
    grouped_cv = (
        grouped_cross_validate(examples, best.params, best.threshold, best.threshold_latin, parts)
        if grouped
        else None
    )
    rule, threshold, threshold_latin = threshold_rule(best, grouped_cv)
    y = np.array([e.label for e in examples])
    keys, idf, model = fit(featurize(examples), y, best.params)
    meta: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "features": SPEC.to_dict(),
        "threshold": round(threshold, 6),
        "threshold_latin": round(threshold_latin, 6),
        "threshold_rule": rule,
        "min_cjk": MIN_CJK,
        "min_latin": MIN_LATIN,
        "cues": best.params.cue_weight > 0,
        "wrappers": WRAPPERS,
        "forms": FORMS,
        "words": WORDS,
        "word_weight": WORD_WEIGHT if WORDS else 0.0,
        "connectives": CONNECTIVES,
        "parts": parts,
        "part_margin": PART_MARGIN if parts else 0.0,
        "params": asdict(best.params),
        "training_data_sha256": data_hash(examples),
        "training_examples": dict(sorted(Counter(f"{e.source}:{e.label}" for e in examples).items())),
        "n_features": int(keys.size),
        "cv": {
            "folds": CV_FOLDS,
            "max_false_refusal": MAX_FALSE_REFUSAL,
            "max_false_refusal_product": product_cap,
            "recall_refuse_dev": round(best.recall, 4),
            "false_refusal_answer_dev": round(best.false_refusal_answer, 4),
            "false_refusal_product": round(best.false_refusal_product, 4),
            "false_refusal_catalogue": round(best.false_refusal_catalogue, 4),
            "recall_latin": round(best.recall_latin, 4),
            "false_refusal_latin": round(best.false_refusal_latin, 4),
            "refused_by_source": refused_by_source(examples, best),
            "grid": [
                {**asdict(r.params), "threshold": round(r.threshold, 4), "recall": round(r.recall, 4)}
                for r in results
            ],
            "grouped": grouped_cv.to_dict() if grouped_cv is not None else None,
        },
    }
    save_model(out_dir, keys, idf, model, meta)
    return meta


def grouped_summary(grouped: dict[str, Any]) -> str:
    """One paragraph of the round-grouped CV's figures (``cv.grouped`` of ``model.json``)."""

    def rates(r: dict[str, float]) -> str:
        return (
            f"should-refuse refused {r['refuse']:.3f}, should-answer refused {r['answer']:.3f}, "
            f"product questions refused {r['product']:.3f}, catalogue questions refused "
            f"{r['catalogue']:.3f}, English should-refuse {r['latin_refuse']:.3f}, English negatives "
            f"{r['latin_answer']:.3f}"
        )

    caps = grouped["caps"]
    return (
        f"round-grouped out-of-fold ({grouped['rounds']} rounds left out one at a time), at threshold "
        f"{grouped['threshold']:.4f} (English {grouped['threshold_latin']:.4f}): "
        f"{rates(grouped['at_threshold'])}; "
        f"the caps {caps['answer']} / {caps['product']} / {caps['catalogue']} choose "
        f"{grouped['caps_threshold']:.4f} (English {grouped['caps_threshold_latin']:.4f}): "
        f"{rates(grouped['at_caps_threshold'])}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Train the safety classifier (dev split, trained fresh rounds)."
    )
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="model folder to write")
    parser.add_argument(
        "--product-cap",
        type=float,
        default=MAX_FALSE_REFUSAL_PRODUCT,
        help="out-of-fold false-refusal cap on the product's questions",
    )
    parser.add_argument(
        "--grid-point",
        nargs=4,
        type=float,
        metavar=("MIN_DF", "C", "UNIGRAM_WEIGHT", "CUE_WEIGHT"),
        help="cross-validate this grid point only (its thresholds still come from CV); step 16: 2 128 0.5 1",
    )
    parser.add_argument(
        "--no-parts", action="store_true", help="judge the whole message only (step 16 and before)"
    )
    parser.add_argument(
        "--no-grouped-cv",
        action="store_true",
        help="skip the round-grouped CV of the chosen point (about 30 s; without it the stratified "
        "threshold ships unchecked)",
    )
    args = parser.parse_args(argv)
    grid = GRID
    if args.grid_point:
        min_df, c, unigram_weight, cue_weight = args.grid_point
        grid = (Params(int(min_df), c, unigram_weight, cue_weight),)
    meta = train(
        args.out,
        product_cap=args.product_cap,
        grid=grid,
        parts=not args.no_parts,
        grouped=not args.no_grouped_cv,
    )
    cv = meta["cv"]
    print(
        f"{sum(meta['training_examples'].values())} examples, {meta['n_features']} features, "
        f"{meta['params']}, threshold {meta['threshold']:.4f} ({meta['threshold_rule']}); out-of-fold: "
        f"should-refuse refused {cv['recall_refuse_dev']:.3f}, should-answer refused "
        f"{cv['false_refusal_answer_dev']:.3f}, product questions refused {cv['false_refusal_product']:.3f}, "
        f"catalogue questions refused {cv['false_refusal_catalogue']:.3f}",
        file=sys.stderr,
    )
    if cv["grouped"] is not None:
        print(grouped_summary(cv["grouped"]), file=sys.stderr)
    print(f"wrote {args.out / WEIGHTS_FILE} and {args.out / META_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
