"""Suites through the full chat path (routing, retrieval, answer or refusal): ``qa`` and ``behaviour``.

Each item runs in a fresh session against a throw-away SQLite file, as ``evals/answer_eval.py`` does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from assistant.answering import LOCAL_RULES_NOTE
from assistant.settings import PROJECT_ROOT, Settings
from evals.answer_eval import NOT_ANSWERED, score_reply
from evals.datasets import EvalItem, item_from_record
from evals.workbench.jsonl import Item, Loaded, read_jsonl
from evals.workbench.quality import answer_quality
from evals.workbench.scratch import scratch_chat_services
from evals.workbench.suite import RunItem, Suite

DATASETS = PROJECT_ROOT / "evals" / "datasets"


def _parse(record: dict[str, Any], where: str) -> Item:
    item = item_from_record(record, where)
    return Item(item.id, item)


POLICY_DATASETS = (DATASETS / "policy_qa.jsonl", DATASETS / "policy_qa_heldout.jsonl")


def load_questions(paths: Sequence[Path]) -> Loaded:
    """The DESIGN.md §4 items of every file, malformed lines skipped."""
    loaded = Loaded()
    for path in paths:
        loaded.extend(read_jsonl(path, _parse))
    return loaded


def evidence_of(citations: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "doc_id": c.get("doc_id", ""),
            "title": c.get("title", ""),
            "snippet": str(c.get("snippet", ""))[:300],
        }
        for c in citations
    ]


CHAT_METRICS = {
    "outcome_ok": "higher",
    "keywords_ok": "higher",
    "wrongly_refused": "lower",
    "citation_precision": "higher",
    "has_unsupported": "lower",
    "citation_check_failed": "lower",
    "judge_score": "higher",
}


class ChatSuite(Suite):
    """Questions answered by the chat service; outcome, keywords and answer quality scored."""

    datasets: ClassVar[tuple[Path, ...]]

    def load(self) -> Loaded:
        return load_questions(self.datasets)

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        with scratch_chat_services(settings, "govassist-workbench-") as services:

            def run(item: Item) -> dict[str, Any]:
                question: EvalItem = item.data
                started = time.perf_counter()
                reply = services.chat.reply(question.question, None)
                latency = (time.perf_counter() - started) * 1000
                result = self.score(
                    question, reply.answer, reply.citations, score_reply(question, reply, latency)
                )
                if self.judge is not None and result["detail"]["outcome"] == "answered":
                    grade = self.judge.grade(question.question, reply.answer, reply.citations)
                    result["detail"]["judge"] = grade.to_dict()
                    if grade.normalized is not None:
                        result["scores"]["judge_score"] = grade.normalized
                return result

            yield run

    def score(
        self, item: EvalItem, answer: str, citations: list[dict[str, Any]], scored: dict[str, Any]
    ) -> dict[str, Any]:
        """The per-item result: the answer-eval fields plus citation precision and unsupported facts."""
        scores: dict[str, float] = {"outcome_ok": float(scored["outcome_ok"])}
        if "keywords_ok" in scored:
            scores["keywords_ok"] = float(scored["keywords_ok"])
        if item.expected_outcome in NOT_ANSWERED:
            scores["refusal_correct"] = float(scored["outcome_ok"])
        elif item.expected_outcome == "answered":
            scores["wrongly_refused"] = float(scored["outcome"] in NOT_ANSWERED)
        quality: dict[str, Any] = {}
        if scored["outcome"] == "answered":
            quality = answer_quality(answer.removesuffix(f"\n{LOCAL_RULES_NOTE}"), citations)
            if quality["cited_pairs"]:
                scores["citation_precision"] = quality["supported_pairs"] / quality["cited_pairs"]
            scores["has_unsupported"] = float(bool(quality["unsupported"]))
            scores["citation_check_failed"] = float(bool(scored["citation_problems"]))
        return {
            "question": item.question,
            "scores": scores,
            "latency_ms": scored["latency_ms"],
            "detail": {
                "expected": item.expected_outcome,
                "outcome": scored["outcome"],
                "reason": scored["reason"],
                "answer": scored["answer"][:500],
                "citation_problems": scored["citation_problems"],
                **quality,
            },
            "evidence": evidence_of(citations),
        }

    def aggregate(self, results: Sequence[dict[str, Any]]) -> dict[str, float | None]:
        out = super().aggregate(results)
        details = [r["detail"] for r in results if "error" not in r and "facts" in r.get("detail", {})]
        facts = sum(d["facts"] for d in details)
        pairs = sum(d["cited_pairs"] for d in details)
        out["unsupported_statement_rate"] = (
            sum(len(d["unsupported"]) for d in details) / facts if facts else (0.0 if details else None)
        )
        generators = [d.get("generator", "") for d in details]
        out["answers_by_llm"] = sum(g == "llm" for g in generators) / len(generators) if generators else None
        out["answers_llm_failed"] = (
            sum(g == "extractive (llm_error)" for g in generators) / len(generators) if generators else None
        )
        judged = [r["detail"]["judge"] for r in results if "judge" in r.get("detail", {})]
        out["judge_errors"] = float(sum(bool(j["error"]) for j in judged)) if judged else None
        out["citation_precision_pooled"] = (
            sum(d["supported_pairs"] for d in details) / pairs if pairs else None
        )
        return out


class QaSuite(ChatSuite):
    name = "qa"
    description = "policy questions (policy_qa + held-out) through the full chat path"
    datasets = POLICY_DATASETS
    metrics: ClassVar[dict[str, str]] = CHAT_METRICS
    smoke_size = 12


class BehaviourSuite(ChatSuite):
    name = "behaviour"
    description = "greetings, out of scope, unsafe, personal data, handoff requests (behaviour.jsonl)"
    datasets = (DATASETS / "behaviour.jsonl",)
    metrics: ClassVar[dict[str, str]] = {"refusal_correct": "higher", **CHAT_METRICS}
    smoke_size = 16
