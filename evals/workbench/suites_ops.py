"""Suites over the back-office capabilities: ``routing`` (派单 model on held-out MSGABench) and
``prereview`` (智能预审 on generated materials of made-up people, real OCR)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from assistant.settings import PROJECT_ROOT, Settings
from evals.workbench.jsonl import Item, Loaded, read_jsonl
from evals.workbench.suite import RunItem, Suite, SuiteUnavailable

PREREVIEW_CASES = PROJECT_ROOT / "reports" / "prereview_samples"
PREREVIEW_N, PREREVIEW_SEED, PREREVIEW_TODAY = 220, 7, "2026-11-22"


class RoutingSuite(Suite):
    name = "routing"
    description = "派单: department and category of held-out MSGABench messages (needs ../shared)"
    metrics: ClassVar[dict[str, str]] = {"department_correct": "higher", "category_correct": "higher"}
    smoke_size = 100

    def load(self) -> Loaded:
        from evals.routing_train import SOURCE_DIR, load_split

        loaded = Loaded(sources=[str(SOURCE_DIR)])
        for task in ("department", "category"):
            try:
                _, test = load_split(task, SOURCE_DIR)
            except FileNotFoundError as error:
                raise SuiteUnavailable(str(error)) from error
            loaded.items += [
                Item(f"{task}:{i:05d}", {"task": task, "text": e.text, "label": e.label})
                for i, e in enumerate(test)
            ]
        return loaded

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        from assistant.handoff.routing import RoutingModel

        model = RoutingModel.load()
        model.predict("预热")

        def run(item: Item) -> dict[str, Any]:
            task, text, label = item.data["task"], item.data["text"], item.data["label"]
            started = time.perf_counter()
            suggestion = model.predict(text)
            latency = (time.perf_counter() - started) * 1000
            predicted = (suggestion.department if task == "department" else suggestion.category) or ""
            return {
                "question": text[:200],
                "scores": {f"{task}_correct": float(predicted == label)},
                "latency_ms": round(latency, 3),
                "detail": {"label": label, "predicted": predicted},
                "evidence": [],
            }

        yield run


def _case(record: dict[str, Any], where: str) -> Item:
    for key, kind in {"id": str, "service_id": str, "files": list, "expected": dict, "today": str}.items():
        if not isinstance(record.get(key), kind):
            raise ValueError(f"{where}: '{key}' must be a {kind.__name__}")
    return Item(record["id"], record)


class PrereviewSuite(Suite):
    name = "prereview"
    description = "智能预审 on the generated case set (evals/datasets/PREREVIEW.md), real OCR"
    metrics: ClassVar[dict[str, str]] = {
        "verdict_ok": "higher",
        "defect_recall": "higher",
        "false_alarm": "lower",
        "type_accuracy": "higher",
    }
    smoke_size = 0
    full_size = 11
    busy_cores = 2  # OCR runs on prereview_ocr_threads (2)
    """Every twentieth case of the 220: real OCR takes 15–40 s a case on 2 cores, so the whole set
    (``govassist eval-prereview``) would take hours; 11 cases (a subset of the earlier every-tenth 22)
    keep ``make eval`` with the external suites within 20 minutes."""

    def __init__(self, cases_dir: Path = PREREVIEW_CASES) -> None:
        self.cases_dir = cases_dir

    def load(self) -> Loaded:
        from evals.prereview_eval import ensure_cases

        try:
            cases = ensure_cases(self.cases_dir, PREREVIEW_N, PREREVIEW_SEED, PREREVIEW_TODAY)
        except Exception as error:  # generation needs fonts-noto-cjk; say why and skip the suite
            raise SuiteUnavailable(f"could not generate the pre-review cases: {error}") from error
        return read_jsonl(cases, _case)

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        from assistant.container import build_prereview
        from assistant.guide.service import GuideService
        from assistant.lexicon import load_lexicon
        from assistant.tokenization import ChineseTokenizer
        from evals.prereview_eval import score_case

        guides = GuideService(settings.guides_dir, ChineseTokenizer(load_lexicon(settings.lexicon_dir)))
        service = build_prereview(settings, guides)

        def run(item: Item) -> dict[str, Any]:
            case = item.data
            day = date.fromisoformat(case["today"])
            service.today = lambda: day
            files = [(Path(f["path"]).name, (self.cases_dir / f["path"]).read_bytes()) for f in case["files"]]
            started = time.perf_counter()
            outcome = service.review(case["service_id"], case["answers"], files)
            latency = (time.perf_counter() - started) * 1000
            scored = score_case(case, outcome.report)
            service.delete(outcome.report.review_id)
            scores = {"verdict_ok": float(scored["verdict_ok"])}
            if scored["defects"]:
                scores["defect_recall"] = sum(d["found"] for d in scored["defects"]) / len(scored["defects"])
            if scored["clean"]:
                scores["false_alarm"] = float(scored["false_alarm"])
            if scored["types"]:
                scores["type_accuracy"] = sum(t == p for t, p in scored["types"]) / len(scored["types"])
            return {
                "question": f"{case['service_id']} ({len(case['files'])} files)",
                "scores": scores,
                "latency_ms": round(latency, 1),
                "detail": {k: scored[k] for k in ("defects", "reported", "clean", "false_alarm")},
                "evidence": [],
            }

        yield run
