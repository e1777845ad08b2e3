"""Answer benchmark: every item through the full chat path (routing, retrieval, answer or refusal).

Each item runs in a fresh session so that one refusal never turns the next item into a handoff.
Sessions go to a throw-away SQLite file, never to the product's database.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.answering import LOCAL_RULES_NOTE
from assistant.chat import ChatReply
from assistant.citations import Citation, check_citations, statements
from assistant.container import Services, build_services
from assistant.settings import Settings
from evals.datasets import EvalItem, load_dataset
from evals.metrics import groups_covered, mean_or_none, percentile
from evals.metrics_file import write_metrics
from evals.report import write_report

NOT_ANSWERED = ("refused", "handoff")


def _citations(reply: ChatReply) -> list[Citation]:
    fields = ("index", "doc_id", "title", "section", "snippet", "score", "chunk_id")
    return [Citation(**{k: c[k] for k in fields if k in c}) for c in reply.citations]


def score_reply(item: EvalItem, reply: ChatReply, latency_ms: float) -> dict[str, Any]:
    """Per-item result: outcome, keywords, citation problems and latency."""
    body = reply.answer.removesuffix(f"\n{LOCAL_RULES_NOTE}")
    problems = check_citations(body, _citations(reply)) if reply.outcome == "answered" else []
    result: dict[str, Any] = {
        "outcome": reply.outcome,
        "reason": reply.reason,
        "outcome_ok": reply.outcome == item.expected_outcome,
        "latency_ms": round(latency_ms, 2),
        "citations": [f"{c['doc_id']}:{c.get('section', '')[:30]}" for c in reply.citations],
        "citation_problems": [p.detail for p in problems],
        "answer": reply.answer,
    }
    if reply.outcome == "answered":  # how long the answer reads: characters and cited statements
        result["answer_chars"] = len(body.strip())
        result["statements"] = sum(1 for _, numbers in statements(body) if numbers)
    if item.expected_keywords and item.expected_outcome == "answered":
        result["keywords_ok"] = reply.outcome == "answered" and groups_covered(
            reply.answer, item.expected_keywords
        )
    return result


def summarize_answers(items: list[EvalItem], results: list[dict[str, Any]]) -> dict[str, Any]:
    """The DESIGN.md answer metrics plus the behaviour rates of the answering issue, and how long the
    answers read (characters without the closing note, cited statements)."""
    should_not = [r for i, r in zip(items, results, strict=True) if i.expected_outcome in NOT_ANSWERED]
    should = [r for i, r in zip(items, results, strict=True) if i.expected_outcome == "answered"]
    answered = [r for r in results if r["outcome"] == "answered"]
    latencies = [r["latency_ms"] for r in results]
    categories: dict[str, list[float]] = {}
    for item, result in zip(items, results, strict=True):
        if item.category:
            categories.setdefault(item.category, []).append(float(result["outcome_ok"]))
    return {
        "n": len(results),
        "outcome_accuracy": mean_or_none([float(r["outcome_ok"]) for r in results]),
        "keyword_accuracy": mean_or_none([float(r["keywords_ok"]) for r in results if "keywords_ok" in r]),
        "refuse_or_handoff_correct": mean_or_none([float(r["outcome_ok"]) for r in should_not]),
        "in_scope_wrongly_refused": mean_or_none([float(r["outcome"] in NOT_ANSWERED) for r in should]),
        "answers_with_citation_problems": mean_or_none(
            [float(bool(r["citation_problems"])) for r in answered]
        ),
        "answer_chars.mean": mean_or_none([r["answer_chars"] for r in answered if "answer_chars" in r]),
        "answer_statements.mean": mean_or_none([r["statements"] for r in answered if "statements" in r]),
        "answer_statements.max": max((r["statements"] for r in answered if "statements" in r), default=None),
        "answer_latency_ms.p50": percentile(latencies, 50),
        "answer_latency_ms.p95": percentile(latencies, 95),
        "by_category": {name: mean_or_none(values) for name, values in categories.items()},
    }


def run_items(services: Services, items: list[EvalItem], progress: bool = True) -> list[dict[str, Any]]:
    from tqdm import tqdm

    services.warm_up()
    results: list[dict[str, Any]] = []
    for item in tqdm(items, desc="answers", unit="q", disable=not progress):
        started = time.perf_counter()
        reply = services.chat.reply(item.question, None)
        results.append(score_reply(item, reply, (time.perf_counter() - started) * 1000))
    return results


def run_answer_eval(
    settings: Settings,
    dataset: Path,
    *,
    report_dir: Path,
    retrieval_metrics: dict[str, Any] | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Score answers on ``dataset`` over the bundled knowledge; merge into the retrieval metrics if given."""
    items = load_dataset(dataset)
    tmp = Path(tempfile.mkdtemp(prefix="govassist-answers-"))
    services = build_services(settings.model_copy(update={"database_url": f"sqlite:///{tmp / 'eval.db'}"}))
    try:
        results = run_items(services, items, progress)
    finally:
        services.close()
        shutil.rmtree(tmp, ignore_errors=True)
    summary = summarize_answers(items, results)
    metrics: dict[str, Any] = dict(retrieval_metrics or {"dataset": str(dataset), "n": len(items)})
    metrics.update({k: v for k, v in summary.items() if k != "n"})
    metrics["answers"] = summary
    by_id = {item.id: result for item, result in zip(items, results, strict=True)}
    if "items" in metrics:
        for entry in metrics["items"]:
            entry["answer"] = by_id.get(entry["id"])
    else:
        metrics["items"] = [{"id": i.id, "question": i.question, "answer": by_id[i.id]} for i in items]
    write_metrics(report_dir, metrics)
    write_report(metrics, report_dir / "report.md")
    return metrics
