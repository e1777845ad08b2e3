"""MSGABench beyond retrieval: answer overlap and the NLU sheet (read from ``../shared/external-data``).

``msgabench_answers``: the held-out test-half questions answered by the configuration's answerer over
the same cached index as ``msgabench`` (every non-empty official answer, the question's own included,
as a deployment's knowledge base would hold it); the answer is compared with the official answer by
character ROUGE-L and bag-of-characters F1. A refusal scores 0.

``msgabench_nlu``: the 233 items of the 自然语言理解 sheet, scored on what the product can honestly
predict (mapping documented in evals/README.md):
- 处理单位 by the shipped routing model (trained on the Q&A sheet's 处理单位): scored on the items whose
  unit is one of the model's 14 labels (交管局, 交通委: 177 of 233; 城管执法局, 金融监管局 and 民政局
  are not among them) and whose question is not in the model's training split (17 are);
- 关键字: the gold keywords (``;``-separated) found among the tokeniser's words of the question
  (recall), and the share of those words that belong to a gold keyword (precision);
- 提问类型 办事服务 vs the rest by the guide matcher: ``decide`` starting a guided flow means a
  service request (accuracy of that binary call).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from assistant.settings import Settings
from evals.datasets import EvalItem
from evals.workbench.corpus_index import answerer_for, corpus_index
from evals.workbench.jsonl import Item, Loaded, read_jsonl
from evals.workbench.overlap import char_f1, rouge_l
from evals.workbench.suite import RunItem, Suite, SuiteUnavailable
from evals.workbench.suites_external import MsgabenchSuite

NLU_FILE = "gov_affairs_qa_service_scenario.nlu.jsonl"
SERVICE_TYPE = "办事服务"


class MsgabenchAnswersSuite(MsgabenchSuite):
    name = "msgabench_answers"
    description = (
        "MSGABench answer overlap: held-out questions answered over the official answers, "
        "character ROUGE-L / F1 against the official answer (refusals score 0)"
    )
    metrics: ClassVar[dict[str, str]] = {
        "rouge_l_f1": "higher",
        "rouge_l_precision": "higher",
        "rouge_l_recall": "higher",
        "char_f1": "higher",
        "answered": "higher",
    }
    full_size = 300

    def __init__(self, out_dir: Path | None = None) -> None:
        super().__init__(*(() if out_dir is None else (out_dir,)))
        self.gold: dict[str, str] = {}

    def load(self) -> Loaded:
        loaded = super().load()
        assert self.corpus is not None
        with self.corpus.open(encoding="utf-8") as lines:
            self.gold = {r["id"]: r["text"] for r in map(json.loads, lines)}
        return loaded

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        if self.corpus is None:
            raise SuiteUnavailable("load() first")
        with corpus_index(settings, "msgabench", self.corpus, pool=self.pool) as corpus:
            answerer = answerer_for(corpus)

            def run(item: Item) -> dict[str, Any]:
                question: EvalItem = item.data
                gold = self.gold[question.expected_sources[0]]
                started = time.perf_counter()
                answer = answerer.answer(question.question)
                latency = (time.perf_counter() - started) * 1000
                answered = answer.outcome == "answered"
                text = answer.text if answered else ""
                overlap = rouge_l(text, gold)
                return {
                    "question": question.question,
                    "scores": {
                        "answered": float(answered),
                        "rouge_l_f1": overlap["f1"],
                        "rouge_l_precision": overlap["precision"],
                        "rouge_l_recall": overlap["recall"],
                        "char_f1": char_f1(text, gold),
                    },
                    "latency_ms": round(latency, 2),
                    "detail": {
                        "answer": answer.text[:500],
                        "gold": gold[:500],
                        "reason": answer.reason,
                        "generator": answer.generator,
                    },
                    "evidence": [
                        {"doc_id": h.chunk.doc_id, "title": h.chunk.title, "snippet": h.chunk.text[:300]}
                        for h in answer.retrieved[:3]
                    ],
                }

            yield run


@dataclass(frozen=True)
class NluItem:
    question: str
    keywords: list[str]
    question_type: str
    department: str


def _nlu(record: dict[str, Any], where: str) -> Item:
    question, keywords = record.get("用户问题"), record.get("关键字")
    if not isinstance(question, str) or not question.strip() or "xlsx_row" not in record:
        raise ValueError(f"{where}: each item needs 'xlsx_row' and a non-empty '用户问题'")
    words = [k.strip() for k in str(keywords or "").replace("；", ";").split(";") if k.strip()]
    item = NluItem(
        question.strip(), words, str(record.get("提问类型") or ""), str(record.get("处理单位") or "")
    )
    return Item(f"nlu-{record['xlsx_row']}", item)


def keyword_scores(predicted: Sequence[str], gold: Sequence[str]) -> dict[str, float]:
    """Recall: gold keywords that are one of the predicted words; precision: predicted words that lie
    inside some gold keyword. Missing sides are left out (no gold keywords: no recall)."""
    scores: dict[str, float] = {}
    lowered = [g.lower() for g in gold]
    if lowered:
        scores["keyword_recall"] = sum(g in predicted for g in lowered) / len(lowered)
    if predicted and lowered:
        scores["keyword_precision"] = sum(any(p in g for g in lowered) for p in predicted) / len(predicted)
    return scores


class MsgabenchNluSuite(Suite):
    name = "msgabench_nlu"
    description = (
        "MSGABench NLU sheet (233): 处理单位 by the routing model (on its labels, training split left out), "
        "关键字 by the tokeniser, 办事服务 intent by the guide matcher"
    )
    metrics: ClassVar[dict[str, str]] = {
        "department_correct": "higher",
        "keyword_recall": "higher",
        "keyword_precision": "higher",
        "service_intent_correct": "higher",
    }

    def __init__(self, source_dir: Path | None = None) -> None:
        self.source_dir = source_dir
        self.trained: frozenset[str] = frozenset()
        self.labels: frozenset[str] = frozenset()

    def load(self) -> Loaded:
        from evals.msgabench import DEFAULT_SOURCE
        from evals.routing_train import load_split

        source = self.source_dir or DEFAULT_SOURCE
        path = source / NLU_FILE
        if not path.exists():
            raise SuiteUnavailable(f"{path} not found: MSGABench is read from shared/external-data")
        try:
            train, _ = load_split("department", source)
        except FileNotFoundError as error:
            raise SuiteUnavailable(str(error)) from error
        self.trained = frozenset(e.text for e in train)
        self.labels = frozenset(e.label for e in train)
        return read_jsonl(path, _nlu)

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        from assistant.guide.loader import load_catalogue
        from assistant.guide.matcher import CatalogueMatcher
        from assistant.handoff.routing import RoutingModel
        from assistant.lexicon import load_lexicon
        from assistant.tokenization import ChineseTokenizer

        tokenizer = ChineseTokenizer(load_lexicon(settings.lexicon_dir))
        matcher = CatalogueMatcher(load_catalogue(settings.guides_dir).guides, tokenizer)
        matcher.search("预热")
        model = RoutingModel.load()
        model.predict("预热")

        def run(item: Item) -> dict[str, Any]:
            nlu: NluItem = item.data
            started = time.perf_counter()
            words = list(dict.fromkeys(tokenizer.words(nlu.question)))
            department = model.predict(nlu.question).department or ""
            decided = [m.guide.id for m in matcher.decide(nlu.question)]
            latency = (time.perf_counter() - started) * 1000
            scores = keyword_scores(words, nlu.keywords)
            in_training = nlu.question in self.trained
            if nlu.department in self.labels and not in_training:
                scores["department_correct"] = float(department == nlu.department)
            if nlu.question_type:
                is_service = nlu.question_type == SERVICE_TYPE
                scores["service_intent_correct"] = float(bool(decided) == is_service)
            return {
                "question": nlu.question,
                "scores": scores,
                "latency_ms": round(latency, 2),
                "detail": {
                    "keywords": nlu.keywords,
                    "words": words,
                    "department": nlu.department,
                    "predicted_department": department,
                    "in_routing_training": in_training,
                    "question_type": nlu.question_type,
                    "decide": decided,
                },
                "evidence": [],
            }

        yield run
