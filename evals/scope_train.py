"""Train the topic-scope classifier (the scope guard's learned second line) and write ``knowledge/scope/``.

Training data (``training_examples``), allowed data only:

- off-topic (label 1): the off-topic side of the blind training set scope2
  (``evals/datasets/scope/train/offtopic_scope2.txt``) and the ``out_of_scope`` items of ``behaviour.jsonl``;
- in scope (label 0): scope2's in-scope side (``inscope_scope2.txt``); the should-answer prompts of
  ``safety/answer.jsonl`` in the ``dev`` split and of the trained fresh rounds
  (``evals.safety_bank.TRAINED_FRESH_ROUNDS``, each round its own source); ``policy_qa.jsonl``; the
  behaviour items of every other category; ``guide_questions.jsonl``, the ``guide_match.jsonl`` queries and
  one question per service guide (``evals.safety_train.catalogue_questions``); and MSGABench's citizen
  questions of the ``dev`` half (``evals.msgabench.split_of``), when ``shared/external-data`` has it
  (recorded in ``model.json``).

Never read: the blind scope set (``scope/offtopic_scope1.txt``, ``inscope_scope1.txt``), the blind safety
rounds, ``policy_qa_heldout.jsonl`` and MSGABench's ``test`` half.

Model: sublinear TF-IDF over character 1–3-grams of the router's screening form
(:func:`assistant.router.screening_form`), optionally with Latin words and pairs of words
(:func:`assistant.scope_classifier.scope_features`, the runtime's code), and a class-balanced logistic
regression. Each grid point (``GRID``: min df, C, words, single-character weight) and each Latin choice
(English-only messages judged or not) is cross-validated, 5-fold stratified, out of fold; a message the
runtime does not judge counts as not refused: one with too few Chinese characters (or Latin letters), or one
the router decides before the scope model (:func:`assistant.router.route_before_scope_model` does not send
it to QA: a greeting, a handoff, an injection, a safety refusal, the hand-written scope guard's refusal).

Threshold rule (``threshold_rule``), fixed before any figure was read: the lowest threshold t in
0.50, 0.51, …, 0.99 at which the out-of-fold in-scope refusal is at most 0.002 over all in-scope examples,
at most 0.005 in every in-scope source with at least 100 examples (scope2's in-scope side, 200, included),
and at most 0.02 on scope2's in-scope side; a grid point with no such t is out. The configuration with the
highest out-of-fold share of off-topic examples refused at its threshold wins (ties: the earlier in
``GRID``, and Latin not judged before judged). The chosen point is also cross-validated leaving each
in-scope source out in turn (figures only; the threshold is the stratified rule's). The final model is
fitted on every example. One reading came after a first look: the first CV scored every example, and the
behaviour suite's handoff and injection items (给我找个真人, 帮我接人工), which the router decides before the
model ever sees them, held the threshold at 0.89–0.93; since then a message the router decides first counts
as not judged, as at run time (the caps themselves are unchanged).

Guard release rule (``release_rule``, fixed before any blind set was scored with it): the hand-written guard's
topic words also sit in service questions (体育彩票怎么兑奖, 雾霾天气为什么要减少外出活动), so a message it
refuses is let through when the model judges it and scores it below a bar, the highest of 0.50, 0.45, …, 0.05
(below the threshold) at which at most 2 % of the off-topic examples the guard refuses would be let through
out of fold; 0 (the guard always stands) when none qualifies. ``model.json`` records the bar and how many
guard-refused examples of each side it frees out of fold (and, in scope, leaving each source out).
"""

from __future__ import annotations

import argparse
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
from assistant.router import Intent, Route, route_before_scope_model, screening_form
from assistant.safety_classifier import judged_by
from assistant.scope_classifier import FORMAT_VERSION, META_FILE, MODEL_DIR, WEIGHTS_FILE, scope_features
from assistant.settings import PROJECT_ROOT
from evals.msgabench import DEFAULT_SOURCE as MSGABENCH_DIR
from evals.msgabench import QA_FILE, split_of
from evals.routing_train import fit_vocabulary, to_matrix
from evals.safety_bank import TRAINED_FRESH_ROUNDS, load_bank, load_fresh
from evals.safety_train import save_model  # the safety model's file layout: model.npz + model.json
from evals.scope_bank import read_scope_file

DATASETS = PROJECT_ROOT / "evals" / "datasets"
GUIDES = PROJECT_ROOT / "knowledge" / "guides"
SCOPE_TRAIN = DATASETS / "scope" / "train"
SPEC = FeatureSpec(min_n=1, max_n=3)
MIN_CJK = 4
"""Messages with fewer Chinese characters are judged only for their Latin letters, if at all."""
MIN_LATIN = 15
"""With Latin judged: a message with fewer Chinese characters but this many Latin letters is judged."""
CV_FOLDS = 5
SEED = 0
THRESHOLDS = tuple(round(0.5 + 0.01 * i, 2) for i in range(50))
"""The thresholds the rule chooses from: 0.50 … 0.99."""
RELEASE_BARS = tuple(round(0.05 * i, 2) for i in range(10, 0, -1))
"""Guard release bars tried, highest first (0.50 … 0.05)."""
MAX_RELEASED_OFFTOPIC = 0.02
"""At most this share of the off-topic examples the hand-written guard refuses may be released out of fold."""
MAX_REFUSAL_ALL = 0.002
MAX_REFUSAL_SOURCE = 0.005
MIN_SOURCE_SIZE = 100
MAX_REFUSAL_SCOPE2 = 0.02
SCOPE2_INSCOPE = "inscope_scope2"
_UNIGRAM_KEYS = 1 << 21
"""Keys below this (and at least 0) pack a single character (``assistant.handoff.routing_features``)."""


@dataclass(frozen=True)
class Example:
    """One training text: 1 off-topic (refuse), 0 in scope; ``source`` names where it comes from."""

    text: str
    label: int
    source: str


@dataclass(frozen=True)
class Params:
    """One grid point: min document frequency, C, Latin words as features, weight of single characters."""

    min_df: int
    c: float
    words: bool
    unigram_weight: float = 1.0


GRID = tuple(
    Params(m, c, w, u)
    for w in (False, True)
    for m in (2, 1)
    for c in (4.0, 8.0, 16.0, 32.0)
    for u in (1.0, 0.5)
)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def msgabench_dev_questions(source: Path = MSGABENCH_DIR) -> list[str] | None:
    """MSGABench's citizen questions of the ``dev`` half, or None when the data is not there."""
    path = source / QA_FILE
    if not path.exists():
        return None
    questions = (str(row.get("用户问题", "")).strip() for row in _jsonl(path))
    return [q for q in questions if q and split_of(q) == "dev"]


def training_examples(
    datasets: Path = DATASETS, guides: Path | None = GUIDES, msgabench: Path | None = MSGABENCH_DIR
) -> list[Example]:
    """The training set (see the module docstring), de-duplicated by screening form (first kept); a text
    that is both off-topic and in scope is an error."""
    from evals.safety_train import catalogue_questions

    raw: list[Example] = []
    scope = datasets / "scope" / "train"
    raw += [Example(i.text, 1, "offtopic_scope2") for i in read_scope_file(scope / "offtopic_scope2.txt")]
    behaviour = _jsonl(datasets / "behaviour.jsonl")
    raw += [Example(r["question"], 1, "behaviour") for r in behaviour if r.get("category") == "out_of_scope"]
    raw += [Example(i.text, 0, SCOPE2_INSCOPE) for i in read_scope_file(scope / "inscope_scope2.txt")]
    safety = datasets / "safety"
    raw += [Example(i.text, 0, "answer_bank") for i in load_bank("answer", safety) if i.split == "dev"]
    for item in load_fresh(safety, TRAINED_FRESH_ROUNDS):
        if item.expected == "answer":
            raw.append(Example(item.text, 0, item.split))
    raw += [Example(r["question"], 0, "policy_qa") for r in _jsonl(datasets / "policy_qa.jsonl")]
    raw += [Example(r["question"], 0, "behaviour") for r in behaviour if r.get("category") != "out_of_scope"]
    raw += [Example(r["question"], 0, "guide_questions") for r in _jsonl(datasets / "guide_questions.jsonl")]
    raw += [Example(r["query"], 0, "guide_match") for r in _jsonl(datasets / "guide_match.jsonl")]
    if guides is not None:
        raw += [Example(q, 0, "guide_catalogue") for _, q in catalogue_questions(guides)]
    questions = msgabench_dev_questions(msgabench) if msgabench is not None else None
    raw += [Example(q, 0, "msgabench_dev") for q in questions or ()]
    seen: dict[str, Example] = {}
    for example in raw:
        key = screening_form(example.text)
        if key in seen and seen[key].label != example.label:
            raise ValueError(f"{example.text!r} is both off-topic and in scope")
        seen.setdefault(key, example)
    return list(seen.values())


def data_hash(examples: Sequence[Example]) -> str:
    """SHA-256 of the training set (label and text of each example, sorted): the model's provenance."""
    lines = sorted(f"{e.label}\t{e.text}" for e in examples)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def featurize(examples: Sequence[Example], words: bool) -> list[Features]:
    """Features of each example's screening form, as the runtime computes them."""
    return [scope_features(screening_form(e.text), SPEC, words) for e in examples]


def first_routes(examples: Sequence[Example]) -> list[Route]:
    """Each example's route without the scope model (routed once: about 9 s for 10,000 examples)."""
    return [route_before_scope_model(e.text) for e in examples]


def reaches_model(routes: Sequence[Route]) -> np.ndarray:
    """Which examples the router would send to QA without the scope model (the only ones it judges)."""
    return np.array([r.intent is Intent.QA for r in routes])


def guard_refused(routes: Sequence[Route]) -> np.ndarray:
    """Which examples the hand-written scope guard refuses (reason ``out_of_scope`` before the model)."""
    return np.array([r.reason == "out_of_scope" for r in routes])


def scripts_judged(examples: Sequence[Example], latin: bool) -> np.ndarray:
    """Which examples have enough Chinese characters (or, with ``latin``, Latin letters) to be judged."""
    min_latin = MIN_LATIN if latin else 0
    return np.array([bool(judged_by(screening_form(e.text), MIN_CJK, min_latin)) for e in examples])


def judged_mask(examples: Sequence[Example], latin: bool, reaches: np.ndarray | None = None) -> np.ndarray:
    """Which examples the runtime judges: sent to QA by the router (``reaches``, computed when not given),
    with enough Chinese, or with ``latin`` enough Latin letters."""
    reaches = reaches_model(first_routes(examples)) if reaches is None else reaches
    judged: np.ndarray = reaches & scripts_judged(examples, latin)
    return judged


def release_rule(raw: np.ndarray, labels: np.ndarray, releasable: np.ndarray, threshold: float) -> float:
    """The highest bar b in ``RELEASE_BARS`` below ``threshold`` at which at most ``MAX_RELEASED_OFFTOPIC``
    of the off-topic examples the guard refuses would be let through (``releasable``: guard-refused and
    judged; ``raw`` out-of-fold scores below b); 0 when none qualifies (the guard always stands)."""
    offtopic = releasable & (labels == 1)
    total = int(np.sum(offtopic)) or 1
    for bar in RELEASE_BARS:
        if bar < threshold and np.sum(offtopic & (raw < bar)) / total <= MAX_RELEASED_OFFTOPIC:
            return bar
    return 0.0


def released(raw: np.ndarray, labels: np.ndarray, releasable: np.ndarray, bar: float) -> dict[str, int]:
    """How many guard-refused examples of each side a bar lets through (``raw`` below it)."""
    freed = releasable & (raw < bar)
    return {
        "offtopic_guard_refused": int(np.sum(releasable & (labels == 1))),
        "offtopic_released": int(np.sum(freed & (labels == 1))),
        "inscope_guard_refused": int(np.sum(releasable & (labels == 0))),
        "inscope_released": int(np.sum(freed & (labels == 0))),
    }


def fit(features: Sequence[Features], labels: np.ndarray, params: Params) -> tuple[Any, Any, Any]:
    """(vocabulary keys, idf, fitted logistic regression) of one grid point."""
    from sklearn.linear_model import LogisticRegression

    keys, idf = fit_vocabulary(features, params.min_df)
    unigram = (keys >= 0) & (keys < _UNIGRAM_KEYS)
    idf = np.where(unigram, idf * params.unigram_weight, idf).astype(np.float32)
    model = LogisticRegression(
        C=params.c, class_weight="balanced", solver="liblinear", random_state=SEED, max_iter=1000
    )
    model.fit(to_matrix(features, keys, idf), labels)
    return keys, idf, model


def _probability(model: Any, features: Sequence[Features], keys: np.ndarray, idf: np.ndarray) -> np.ndarray:
    probabilities: np.ndarray = np.asarray(model.predict_proba(to_matrix(features, keys, idf))[:, 1])
    return probabilities


def threshold_rule(scores: np.ndarray, labels: np.ndarray, sources: np.ndarray) -> float | None:
    """The lowest t in 0.50 … 0.99 at which the in-scope examples (label 0) are refused (score ≥ t) at
    most 0.002 of the time over all, at most 0.005 in every source with at least 100 of them, and at most
    0.02 in scope2's in-scope side; None when no t qualifies. ``scores`` are out of fold, 0 for an example
    the runtime does not judge."""
    inscope = labels == 0
    groups = [inscope & (sources == s) for s in sorted(set(sources[inscope].tolist()))]
    scope2 = inscope & (sources == SCOPE2_INSCOPE)
    for t in THRESHOLDS:
        refused = scores >= t
        if np.mean(refused[inscope]) > MAX_REFUSAL_ALL:
            continue
        if any(g.sum() >= MIN_SOURCE_SIZE and np.mean(refused[g]) > MAX_REFUSAL_SOURCE for g in groups):
            continue
        if scope2.any() and np.mean(refused[scope2]) > MAX_REFUSAL_SCOPE2:
            continue
        return t
    return None


@dataclass(frozen=True)
class CvResult:
    """One configuration's out-of-fold operating point."""

    params: Params
    latin: bool
    threshold: float | None
    recall: float
    """Share of off-topic examples refused out of fold at the threshold (0 without one)."""
    refused_inscope: int
    scores: np.ndarray
    raw: np.ndarray
    """Out-of-fold scores of every example, judged or not (for the guard release rule)."""


def _folds(labels: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=SEED)
    return list(splitter.split(np.zeros(labels.size), labels))


def out_of_fold(examples: Sequence[Example], grid: Sequence[Params]) -> dict[Params, np.ndarray]:
    """Each grid point's out-of-fold probability of every example (5-fold stratified)."""
    y = np.array([e.label for e in examples])
    folds = _folds(y)
    out = {p: np.zeros(y.size) for p in grid}
    for words in sorted({p.words for p in grid}):
        features = featurize(examples, words)
        for fit_idx, val_idx in folds:
            fit_features = [features[i] for i in fit_idx]
            val_features = [features[i] for i in val_idx]
            for params in (p for p in grid if p.words == words):
                keys, idf, model = fit(fit_features, y[fit_idx], params)
                out[params][val_idx] = _probability(model, val_features, keys, idf)
    return out


def cross_validate(
    examples: Sequence[Example], grid: Sequence[Params] = GRID, reaches: np.ndarray | None = None
) -> list[CvResult]:
    """Every configuration (grid point × Latin judged or not) with its rule threshold and recall
    (``reaches``: :func:`reaches_model`, computed when not given)."""
    y = np.array([e.label for e in examples])
    sources = np.array([e.source for e in examples])
    reaches = reaches_model(first_routes(examples)) if reaches is None else reaches
    judged = {latin: judged_mask(examples, latin, reaches) for latin in (False, True)}
    results = []
    for params, raw in out_of_fold(examples, grid).items():
        for latin in (False, True):
            scores = np.where(judged[latin], raw, 0.0)
            t = threshold_rule(scores, y, sources)
            recall = float(np.mean(scores[y == 1] >= t)) if t is not None else 0.0
            refused = int(np.sum(scores[y == 0] >= t)) if t is not None else -1
            results.append(CvResult(params, latin, t, recall, refused, scores, raw))
    return results


def best_of(results: Sequence[CvResult]) -> CvResult:
    """The configuration with a threshold and the highest out-of-fold recall (first on ties)."""
    usable = [r for r in results if r.threshold is not None]
    if not usable:
        raise ValueError("no configuration meets the threshold rule")
    return max(usable, key=lambda r: r.recall)  # max keeps the first of equals


def shares(examples: Sequence[Example], scores: np.ndarray, t: float) -> dict[str, dict[str, Any]]:
    """Per source and label: count and share refused (score ≥ t)."""
    out: dict[str, dict[str, Any]] = {}
    for key in sorted({f"{e.source}:{e.label}" for e in examples}):
        mask = np.array([f"{e.source}:{e.label}" == key for e in examples])
        refused = scores[mask] >= t
        out[key] = {
            "n": int(mask.sum()),
            "refused": int(refused.sum()),
            "share": round(float(refused.mean()), 4),
        }
    return out


def leave_source_out(
    examples: Sequence[Example], params: Params, latin: bool, judged: bool = True
) -> np.ndarray:
    """Scores of each in-scope source's examples from a model fitted without that source (off-topic
    examples keep 0): what a source written apart from the others would cost. With ``judged`` an example the
    runtime does not judge scores 0."""
    y = np.array([e.label for e in examples])
    sources = np.array([e.source for e in examples])
    features = featurize(examples, params.words)
    scores = np.zeros(y.size)
    for source in sorted(set(sources[y == 0].tolist())):
        held = np.flatnonzero(sources == source)
        kept = np.flatnonzero(sources != source)
        keys, idf, model = fit([features[i] for i in kept], y[kept], params)
        scores[held] = _probability(model, [features[i] for i in held], keys, idf)
    return np.where(judged_mask(examples, latin), scores, 0.0) if judged else scores


def train(
    out_dir: Path = MODEL_DIR,
    examples: Sequence[Example] | None = None,
    grid: Sequence[Params] = GRID,
    loso: bool = True,
    msgabench: Path | None = MSGABENCH_DIR,
) -> dict[str, Any]:
    """Cross-validate ``grid``, fit the winner on every example and write the model folder; returns
    ``model.json``. With ``loso`` the winner is also cross-validated leaving each in-scope source out."""
    examples = list(examples) if examples is not None else training_examples(msgabench=msgabench)
    routes = first_routes(examples)
    reaches = reaches_model(routes)
    results = cross_validate(examples, grid, reaches)
    best = best_of(results)
    assert best.threshold is not None
    y = np.array([e.label for e in examples])
    keys, idf, model = fit(featurize(examples, best.params.words), y, best.params)
    by_source = shares(examples, best.scores, best.threshold)
    releasable = guard_refused(routes) & scripts_judged(examples, best.latin)
    release_bar = release_rule(best.raw, y, releasable, best.threshold)
    release_figures: dict[str, Any] = {
        "bars": [RELEASE_BARS[-1], RELEASE_BARS[0]],
        "max_released_offtopic": MAX_RELEASED_OFFTOPIC,
        **released(best.raw, y, releasable, release_bar),
    }
    loso_figures = None
    if loso:
        loso_raw = leave_source_out(examples, best.params, best.latin, judged=False)
        loso_scores = np.where(judged_mask(examples, best.latin, reaches), loso_raw, 0.0)
        loso_figures = {
            k: v for k, v in shares(examples, loso_scores, best.threshold).items() if k[-1] == "0"
        }
        freed = released(loso_raw, y, releasable, release_bar)["inscope_released"]
        release_figures["inscope_released_leave_source_out"] = freed
    counts = Counter(f"{e.source}:{e.label}" for e in examples)
    meta: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "features": SPEC.to_dict(),
        "words": best.params.words,
        "threshold": best.threshold,
        "guard_release_bar": release_bar,
        "min_cjk": MIN_CJK,
        "min_latin": MIN_LATIN if best.latin else 0,
        "params": asdict(best.params),
        "training_data_sha256": data_hash(examples),
        "training_examples": dict(sorted(counts.items())),
        "msgabench_dev_present": any(e.source == "msgabench_dev" for e in examples),
        "n_features": int(keys.size),
        "cv": {
            "folds": CV_FOLDS,
            "rule": {
                "thresholds": [THRESHOLDS[0], THRESHOLDS[-1]],
                "max_refusal_inscope": MAX_REFUSAL_ALL,
                "max_refusal_per_source": MAX_REFUSAL_SOURCE,
                "min_source_size": MIN_SOURCE_SIZE,
                "max_refusal_scope2_inscope": MAX_REFUSAL_SCOPE2,
            },
            "offtopic_refused": round(best.recall, 4),
            "inscope_refused": best.refused_inscope,
            "inscope_total": int(np.sum(y == 0)),
            "refused_by_source": by_source,
            "grid": [
                {
                    **asdict(r.params),
                    "latin": r.latin,
                    "threshold": r.threshold,
                    "offtopic_refused": round(r.recall, 4),
                }
                for r in results
            ],
            "leave_source_out": loso_figures,
            "guard_release": release_figures,
        },
    }
    save_model(out_dir, keys, idf, model, meta)
    return meta


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the topic-scope classifier (knowledge/scope/).")
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="model folder to write")
    parser.add_argument("--msgabench", type=Path, default=MSGABENCH_DIR, help="MSGABench folder")
    parser.add_argument(
        "--grid-point",
        nargs=4,
        metavar=("MIN_DF", "C", "WORDS", "UNIGRAM_WEIGHT"),
        help="cross-validate this grid point only (WORDS 0 or 1); the threshold still comes from the rule",
    )
    parser.add_argument("--no-loso", action="store_true", help="skip the leave-one-source-out CV")
    args = parser.parse_args(argv)
    grid = GRID
    if args.grid_point:
        min_df, c, words, unigram = args.grid_point
        grid = (Params(int(min_df), float(c), bool(int(words)), float(unigram)),)
    meta = train(args.out, grid=grid, loso=not args.no_loso, msgabench=args.msgabench)
    cv = meta["cv"]
    print(
        f"{sum(meta['training_examples'].values())} examples, {meta['n_features']} features, "
        f"{meta['params']}, Latin judged: {meta['min_latin'] > 0}, threshold {meta['threshold']:.2f}; "
        f"out of fold: off-topic refused {cv['offtopic_refused']:.3f}, in scope refused "
        f"{cv['inscope_refused']} of {cv['inscope_total']}",
        file=sys.stderr,
    )
    print(f"wrote {args.out / WEIGHTS_FILE} and {args.out / META_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
