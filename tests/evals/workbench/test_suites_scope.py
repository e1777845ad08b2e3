"""The workbench ``scope`` suite: how replies count, and real replies of the chat service judged."""

from __future__ import annotations

from dataclasses import replace

from assistant.container import Services
from evals.scope_bank import TEST_ROUNDS, ScopeItem
from evals.workbench.readme_figures import FIGURES
from evals.workbench.registry import SUITES
from evals.workbench.suites_scope import ScopeSuite, item_scores, judge_scope

OFF = ScopeItem("off9-0001", "offtopic", "food", "scope9", "红烧肉怎么做才好吃？")
IN = ScopeItem("ins9-0001", "inscope", "food", "scope9", "开一家小餐馆要办食品经营许可证吗？")


def test_an_off_topic_item_counts_as_declined_by_a_refusal_of_any_kind() -> None:
    guard = item_scores(judge_scope(OFF, "refused", "out_of_scope"))
    assert guard == {
        "offtopic_declined": 1.0,
        "offtopic_by_guard": 1.0,
        "offtopic_answered": 0.0,
        "offtopic_declined_scope9": 1.0,
    }
    no_evidence = item_scores(judge_scope(OFF, "refused", "no_evidence"))
    assert no_evidence["offtopic_declined"] == 1.0 and no_evidence["offtopic_by_guard"] == 0.0
    answered = item_scores(judge_scope(OFF, "answered", ""))
    assert answered == {
        "offtopic_declined": 0.0,
        "offtopic_by_guard": 0.0,
        "offtopic_answered": 1.0,
        "offtopic_declined_scope9": 0.0,
    }


def test_an_in_scope_item_is_wrongly_refused_only_before_retrieval() -> None:
    guard = item_scores(judge_scope(IN, "refused", "out_of_scope"))
    assert guard == {
        "inscope_wrongly_refused": 1.0,
        "inscope_by_guard": 1.0,
        "inscope_no_evidence": 0.0,
        "inscope_wrongly_refused_scope9": 1.0,
    }
    classifier = item_scores(judge_scope(IN, "refused", "unsafe:classifier"))
    assert classifier["inscope_wrongly_refused"] == 1.0 and classifier["inscope_by_guard"] == 0.0
    no_evidence = item_scores(judge_scope(IN, "refused", "no_evidence"))
    assert no_evidence == {
        "inscope_wrongly_refused": 0.0,
        "inscope_by_guard": 0.0,
        "inscope_no_evidence": 1.0,
        "inscope_wrongly_refused_scope9": 0.0,
    }
    assert item_scores(judge_scope(IN, "clarify", "guide_question"))["inscope_wrongly_refused"] == 0.0


def test_the_suite_loads_both_sets_and_aggregates_each_apart() -> None:
    suite = ScopeSuite()
    loaded = suite.load()
    assert not loaded.skipped and len(loaded.items) >= 320
    results = [
        {"scores": item_scores(judge_scope(OFF, "refused", "out_of_scope")), "latency_ms": 1.0},
        {"scores": item_scores(judge_scope(OFF, "answered", "")), "latency_ms": 1.0},
        {"scores": item_scores(judge_scope(IN, "answered", "")), "latency_ms": 1.0},
    ]
    metrics = suite.aggregate(results)
    assert metrics["offtopic_declined"] == 0.5 and metrics["offtopic_answered"] == 0.5
    assert metrics["inscope_wrongly_refused"] == 0.0 and metrics["n"] == 3.0
    first = replace(OFF, round="scope1")
    per_round = suite.aggregate(
        [{"scores": item_scores(judge_scope(first, "answered", "")), "latency_ms": 1.0}]
    )
    assert per_round["offtopic_declined_scope1"] == 0.0  # each test round apart as well
    assert per_round["offtopic_declined_scope3"] is None
    assert SUITES["scope"] is ScopeSuite
    assert {key for key, _ in FIGURES["scope"]} <= set(suite.metrics)
    assert {f"offtopic_declined_{r}" for r in TEST_ROUNDS} <= set(suite.metrics)


def test_real_replies_decline_a_recipe_and_take_a_licence_question(chat_services: Services) -> None:
    off = judge_scope(OFF, *_reply(chat_services, OFF.text))
    assert off["kind"] in ("refused_rule", "refused_no_evidence"), off
    inside = judge_scope(IN, *_reply(chat_services, IN.text))
    assert inside["kind"] != "refused_rule", inside


def _reply(services: Services, text: str) -> tuple[str, str]:
    reply = services.chat.reply(text, None)
    return reply.outcome, reply.reason
