"""Train the routing (派单) classifiers on MSGABench and write ``knowledge/routing/``.

Data (read from ``shared/external-data/MSGABench``, never copied into the repository):
- department: ``用户问题`` → ``处理单位`` of the 2,081 Q&A rows;
- category: ``留言`` → ``问题类型`` (咨询 / 建言 / 投诉/求助) of the 11,529 messages.

Cleaning: texts are stripped; a repeated text keeps its first row's label; aliases of one department
are merged (``DEPARTMENT_ALIASES``); rows without a label and labels with fewer than
``MIN_CLASS_COUNT`` distinct texts are dropped. Split: within each label, the distinct texts are
ordered by SHA-256 of ``SPLIT_SALT + text`` and the first ``TEST_FRACTION`` become the held-out test
set — deterministic, stratified, and independent of library versions and random generators.

Model: TF-IDF over character 1–3-grams and a linear SVM per task. Hyper-parameters (min
document frequency, C, class weighting) are chosen by stratified 5-fold cross-validation on the
training split only (score: CV accuracy + CV macro-F1); a softmax temperature is fitted to the
out-of-fold scores so the runtime can report confidences. The held-out split is never looked at here.
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
from tqdm import tqdm

from assistant.handoff.routing import FORMAT_VERSION, META_FILE, MODEL_DIR, TASKS, WEIGHTS_FILE
from assistant.handoff.routing_features import Features, FeatureSpec, feature_counts, vectorize
from assistant.settings import PROJECT_ROOT

SOURCE_DIR = PROJECT_ROOT.parent / "shared" / "external-data" / "MSGABench"
SOURCE_FILES = {
    "department": ("gov_affairs_qa_service_scenario.qa.jsonl", "用户问题", "处理单位"),
    "category": ("gov_affairs_qa_service_scenario.sentiment.jsonl", "留言", "问题类型"),
}
DEPARTMENT_ALIASES = {
    "北京市公安局公安交通管理局": "交管局",
    "北京公安局公安交通管理局": "交管局",
    "北京市人力资源和社会保障局": "人力资源社会保障局",
    "北京住房公积金管理中心": "住房公积金管理中心",
    "首都之窗综合整理": "首都之窗",
    "北京市医疗保障局、首都之窗": "医保局",
}
MIN_CLASS_COUNT = 10
TEST_FRACTION = 0.2
SPLIT_SALT = "routing-split-v1"
CV_FOLDS = 5
SEED = 0
SPEC = FeatureSpec(min_n=1, max_n=3)


@dataclass(frozen=True)
class Example:
    text: str
    label: str


@dataclass(frozen=True)
class Params:
    """One point of the hyper-parameter grid."""

    min_df: int
    c: float
    balanced: bool


GRID = tuple(
    Params(m, c, b) for m in (2, 3) for c in (0.125, 0.25, 0.5, 1.0, 2.0, 4.0) for b in (False, True)
)


@dataclass
class TrainedHead:
    """A fitted task: what the runtime needs plus how it was chosen."""

    classes: list[str]
    keys: np.ndarray
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    temperature: float
    params: Params
    cv: dict[str, float]
    n_train: int


def load_examples(task: str, source_dir: Path = SOURCE_DIR) -> list[Example]:
    """Cleaned, de-duplicated examples of one task (see the module docstring)."""
    file_name, text_field, label_field = SOURCE_FILES[task]
    path = source_dir / file_name
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: MSGABench is read from shared/external-data")
    labels: dict[str, str] = {}
    with path.open(encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            text = (row.get(text_field) or "").strip()
            label = (row.get(label_field) or "").strip()
            label = DEPARTMENT_ALIASES.get(label, label) if task == "department" else label
            if text and label and text not in labels:
                labels[text] = label
    sizes = Counter(labels.values())
    return [Example(t, y) for t, y in labels.items() if sizes[y] >= MIN_CLASS_COUNT]


def split_examples(
    examples: Sequence[Example], test_fraction: float = TEST_FRACTION, salt: str = SPLIT_SALT
) -> tuple[list[Example], list[Example]]:
    """Deterministic stratified split into (train, test) by a salted hash of each text."""
    by_label: dict[str, list[Example]] = {}
    for example in examples:
        by_label.setdefault(example.label, []).append(example)
    train: list[Example] = []
    test: list[Example] = []
    for label in sorted(by_label):
        group = sorted(by_label[label], key=lambda e: hashlib.sha256((salt + e.text).encode()).digest())
        n_test = round(len(group) * test_fraction)
        test += group[:n_test]
        train += group[n_test:]
    return train, test


def load_split(task: str, source_dir: Path = SOURCE_DIR) -> tuple[list[Example], list[Example]]:
    """The (train, test) split of one task."""
    return split_examples(load_examples(task, source_dir))


def fit_vocabulary(features: Sequence[Features], min_df: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted keys seen in at least ``min_df`` texts, and their smoothed idf."""
    keys, df = np.unique(np.concatenate([f.keys for f in features]), return_counts=True)
    keep = df >= min_df
    idf = np.log((1 + len(features)) / (1 + df[keep])) + 1
    return keys[keep].astype(np.int64), idf.astype(np.float32)


def to_matrix(features: Sequence[Features], keys: np.ndarray, idf: np.ndarray) -> Any:
    """CSR matrix of the texts, built row by row with the runtime's own ``vectorize``."""
    from scipy.sparse import csr_matrix

    indptr: list[int] = [0]
    indices: list[np.ndarray] = [np.empty(0, dtype=np.int64)]
    data: list[np.ndarray] = [np.empty(0, dtype=np.float32)]
    for f in features:
        cols, values = vectorize(f, keys, idf)
        indices.append(cols)
        data.append(values)
        indptr.append(indptr[-1] + cols.size)
    return csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.array(indptr)), shape=(len(features), keys.size)
    )


def _svm(params: Params) -> Any:
    from sklearn.svm import LinearSVC

    weight = "balanced" if params.balanced else None
    return LinearSVC(C=params.c, class_weight=weight, random_state=SEED, max_iter=5000)


def _decision(svm: Any, matrix: Any, classes: Sequence[str]) -> np.ndarray:
    """Decision scores with one column per class, in ``classes`` order."""
    decision = np.asarray(svm.decision_function(matrix))
    if decision.ndim == 1:  # a binary SVM gives one signed column
        decision = np.column_stack([-decision, decision])
    fitted = list(svm.classes_)
    return decision[:, [fitted.index(c) for c in classes]]


@dataclass(frozen=True)
class CvResult:
    params: Params
    accuracy: float
    macro_f1: float
    scores: np.ndarray  # out-of-fold decision scores, classes in sorted order


def cross_validate(
    features: Sequence[Features],
    labels: Sequence[str],
    grid: Sequence[Params],
    folds: int = CV_FOLDS,
    progress: Any = None,
) -> list[CvResult]:
    """Stratified k-fold CV of every grid point; the vocabulary is refitted inside each fold."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    y = np.array(labels)
    classes = sorted(set(labels))
    scores = {p: np.zeros((len(y), len(classes))) for p in grid}
    splitter = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    for fit_idx, val_idx in splitter.split(np.zeros(len(y)), y):
        fit_features = [features[i] for i in fit_idx]
        val_features = [features[i] for i in val_idx]
        for min_df in sorted({p.min_df for p in grid}):
            keys, idf = fit_vocabulary(fit_features, min_df)
            x_fit, x_val = to_matrix(fit_features, keys, idf), to_matrix(val_features, keys, idf)
            for params in (p for p in grid if p.min_df == min_df):
                svm = _svm(params).fit(x_fit, y[fit_idx])
                scores[params][val_idx] = _decision(svm, x_val, classes)
                if progress is not None:
                    progress.update(1)
    results = []
    for params, s in scores.items():
        predicted = np.array(classes)[s.argmax(axis=1)]
        acc, f1 = accuracy_score(y, predicted), f1_score(y, predicted, average="macro")
        results.append(CvResult(params, float(acc), float(f1), s))
    return results


def fit_temperature(scores: np.ndarray, labels: Sequence[str], classes: list[str]) -> float:
    """Softmax temperature minimising the negative log-likelihood of out-of-fold scores."""
    target = np.array([classes.index(y) for y in labels])
    best_t, best_nll = 1.0, np.inf
    for t in np.geomspace(0.01, 10.0, 241):
        z = scores / t
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        nll = -float(log_p[np.arange(len(target)), target].mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


def train_head(
    train: Sequence[Example],
    grid: Sequence[Params] = GRID,
    folds: int = CV_FOLDS,
    desc: str = "",
    progress: bool = True,
) -> TrainedHead:
    """Choose parameters by cross-validation on ``train``, then fit on all of it."""
    features = [feature_counts(e.text, SPEC) for e in train]
    labels = [e.label for e in train]
    classes = sorted(set(labels))
    with tqdm(
        total=folds * len(grid), desc=desc or "cv", unit="fit", file=sys.stderr, disable=not progress
    ) as bar:
        results = cross_validate(features, labels, grid, folds, bar)
    best = max(results, key=lambda r: r.accuracy + r.macro_f1)
    keys, idf = fit_vocabulary(features, best.params.min_df)
    svm = _svm(best.params).fit(to_matrix(features, keys, idf), labels)
    coef, intercept = np.asarray(svm.coef_), np.asarray(svm.intercept_)
    if len(classes) == 2:
        coef, intercept = np.vstack([-coef[0], coef[0]]), np.array([-intercept[0], intercept[0]])
    order = [list(svm.classes_).index(c) for c in classes]
    return TrainedHead(
        classes=classes,
        keys=keys,
        idf=idf,
        coef=coef[order].T,
        intercept=intercept[order],
        temperature=fit_temperature(best.scores, labels, classes),
        params=best.params,
        cv={"accuracy": best.accuracy, "macro_f1": best.macro_f1, "folds": folds},
        n_train=len(train),
    )


def save_model(heads: dict[str, TrainedHead], out_dir: Path, source: dict[str, Any]) -> None:
    """Write ``model.npz`` (float16 weights, no pickles) and ``model.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for task, head in heads.items():
        arrays[f"{task}__keys"] = head.keys.astype(np.int64)
        arrays[f"{task}__idf"] = head.idf.astype(np.float16)
        arrays[f"{task}__coef"] = head.coef.astype(np.float16)
        arrays[f"{task}__intercept"] = head.intercept.astype(np.float32)
    np.savez_compressed(out_dir / WEIGHTS_FILE, allow_pickle=False, **arrays)
    meta = {
        "format": FORMAT_VERSION,
        "features": SPEC.to_dict(),
        "split": {"salt": SPLIT_SALT, "test_fraction": TEST_FRACTION, "min_class_count": MIN_CLASS_COUNT},
        "source": source,
        "tasks": {
            task: {
                "classes": head.classes,
                "temperature": head.temperature,
                "params": asdict(head.params),
                "cv": head.cv,
                "n_train": head.n_train,
                "n_features": int(head.keys.size),
            }
            for task, head in heads.items()
        },
    }
    (out_dir / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def source_info(source_dir: Path) -> dict[str, Any]:
    """Provenance for ``model.json``: the files trained on and their SHA-256."""
    files = {}
    for task in TASKS:
        name = SOURCE_FILES[task][0]
        files[name] = hashlib.sha256((source_dir / name).read_bytes()).hexdigest()
    return {"dataset": "MSGABench (github.com/cmTCEC/MSGABench, commit ce504a2)", "files": files}


def train(source_dir: Path = SOURCE_DIR, out_dir: Path = MODEL_DIR, progress: bool = True) -> Path:
    """Train both tasks on their training splits and write the model folder."""
    heads = {}
    for task in TASKS:
        train_set, _ = load_split(task, source_dir)
        heads[task] = train_head(train_set, desc=task, progress=progress)
        head = heads[task]
        print(
            f"{task}: {head.n_train} train, {len(head.classes)} classes, {head.keys.size} features, "
            f"{head.params}, CV accuracy {head.cv['accuracy']:.3f}, macro-F1 {head.cv['macro_f1']:.3f}",
            file=sys.stderr,
        )
    save_model(heads, out_dir, source_info(source_dir))
    return out_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the routing (派单) classifiers on MSGABench.")
    parser.add_argument("--source", type=Path, default=SOURCE_DIR, help="MSGABench folder")
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="model folder to write")
    parser.add_argument("--report", type=Path, default=None, help="also evaluate, writing this folder")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    out = train(args.source, args.out, progress=not args.no_progress)
    print(f"wrote {out / WEIGHTS_FILE} and {out / META_FILE}", file=sys.stderr)
    if args.report is not None:
        from evals.routing_eval import main as evaluate

        return evaluate(["--source", str(args.source), "--model", str(out), "--report", str(args.report)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
