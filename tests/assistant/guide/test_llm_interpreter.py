"""The LLM reading of free-text 情形 answers: only a valid option number counts, failures fall back."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.guide.dialogue import GuideDialogue
from assistant.guide.llm_interpreter import LlmOptionInterpreter, interpretation_prompt
from assistant.guide.loader import CatalogueLoad
from assistant.guide.matching import GuideMatch
from assistant.guide.models import ServiceGuide

PHONE = "13800138000"  # made up


class FailingModel:
    def invoke(self, _messages: Any) -> Any:
        raise TimeoutError("endpoint too slow")


class OneGuide:
    def __init__(self, guide: ServiceGuide) -> None:
        self.guide = guide

    def search(self, text: str, k: int = 5) -> list[GuideMatch]:
        return [GuideMatch(self.guide, 1.0)]

    def decide(self, text: str) -> list[GuideMatch]:
        return [GuideMatch(self.guide, 1.0)]


def newborn(catalogue: CatalogueLoad) -> ServiceGuide:
    guide = catalogue.get("yjs-newborn")
    assert guide is not None
    return guide


def test_a_number_picks_the_option(catalogue: CatalogueLoad) -> None:
    situation = newborn(catalogue).situations[0]
    interpreter = LlmOptionInterpreter(FakeListChatModel(responses=["2"]))
    assert interpreter(situation, "俺们俩还没去民政局") == situation.options[1].id


def test_prose_zero_out_of_range_and_errors_are_no_reading(catalogue: CatalogueLoad) -> None:
    situation = newborn(catalogue).situations[0]
    for response in ("选项2", "0", "9", "我觉得是第二个"):
        assert LlmOptionInterpreter(FakeListChatModel(responses=[response]))(situation, "嗯") is None
    assert LlmOptionInterpreter(FailingModel())(situation, "嗯") is None


def test_the_prompt_lists_options_and_masks_personal_data(catalogue: CatalogueLoad) -> None:
    situation = newborn(catalogue).situations[0]
    messages = interpretation_prompt(situation, f"我电话{PHONE}，还没领证")
    human = messages[-1].content
    assert "1. 已办理结婚登记" in human and "2. 未办理结婚登记" in human
    assert PHONE not in human


def test_the_dialogue_uses_the_reading_only_when_the_rules_cannot(catalogue: CatalogueLoad) -> None:
    guide = newborn(catalogue)
    calls: list[str] = []

    def interpreter(situation: Any, reply: str) -> str | None:
        calls.append(reply)
        return "unmarried" if situation.id == "married" else "not-an-option"

    dialogue = GuideDialogue(CatalogueLoad([guide], []), OneGuide(guide), interpreter)
    first = dialogue.start("孩子刚出生要办什么")
    assert first.kind == "ask" and first.state is not None
    by_rule = dialogue.reply(first.state, "已办理结婚登记")
    assert by_rule.state is not None and by_rule.state.answers == {"married": "married"} and not calls
    by_llm = dialogue.reply(first.state, "俺们俩还没去民政局")
    assert by_llm.state is not None and by_llm.state.answers["married"] == "unmarried"
    assert by_llm.kind == "ask"
    invalid = dialogue.reply(by_llm.state, "嗯那个就是跟着他吧")  # interpreter gives a non-option
    assert invalid.kind == "reask"
    question = dialogue.reply(first.state, "结婚证在哪里办？")  # a question is never interpreted
    assert question.kind == "left" and len(calls) == 2
