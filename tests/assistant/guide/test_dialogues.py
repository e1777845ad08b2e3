"""The scripted dialogues and every answer path of the 13 sample 一件事 guides."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

import pytest

from assistant.guide.checklist import build_checklist
from tests.assistant.guide.conftest import DIALOGUES
from tests.assistant.guide.replay import answer_paths, match_option, replay

MAX_QUESTIONS = 4
FIELDS = {"id", "guide_id", "opening", "replies", "expected_answers", "expected_materials", "max_questions"}


def _lines() -> list[dict[str, Any]]:
    with open(DIALOGUES, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


LINES = _lines()


def test_dataset_shape(catalogue):
    assert len(LINES) >= 26
    assert all(set(line) == FIELDS for line in LINES)
    assert len({line["id"] for line in LINES}) == len(LINES)
    per_guide = Counter(line["guide_id"] for line in LINES)
    assert set(per_guide) == {g.id for g in catalogue.guides}
    assert min(per_guide.values()) >= 2
    # different 情形 paths for each guide
    for guide_id in per_guide:
        paths = {
            json.dumps(line["expected_answers"], sort_keys=True)
            for line in LINES
            if line["guide_id"] == guide_id
        }
        assert len(paths) == per_guide[guide_id], guide_id
    # some openings already answer questions, so fewer replies are needed
    assert sum(len(line["replies"]) < len(line["expected_answers"]) for line in LINES) >= 5


@pytest.mark.parametrize("line", LINES, ids=[line["id"] for line in LINES])
def test_expected_materials_are_what_the_checklist_lists(catalogue, line):
    guide = catalogue.get(line["guide_id"])
    assert guide is not None
    checklist = build_checklist(guide, line["expected_answers"])
    assert checklist.complete
    assert len(set(line["expected_materials"])) == len(line["expected_materials"])
    assert set(checklist.material_ids) == set(line["expected_materials"])


@pytest.mark.parametrize("line", LINES, ids=[line["id"] for line in LINES])
def test_replies_lead_to_the_expected_answers(catalogue, line):
    guide = catalogue.get(line["guide_id"])
    assert guide is not None
    result = replay(guide, line["opening"], line["replies"])
    assert result.problems == []
    assert result.answers == line["expected_answers"]
    assert len(result.asked) == len(line["replies"]) <= line["max_questions"] == MAX_QUESTIONS


def test_no_answer_path_asks_more_than_four_questions(catalogue):
    for guide in catalogue.guides:
        paths = list(answer_paths(guide))
        assert len(paths) >= 2, guide.id
        for answers, asked in paths:
            assert len(asked) <= MAX_QUESTIONS, (guide.id, asked)
            assert build_checklist(guide, answers).complete, (guide.id, answers)


def test_every_question_changes_the_checklist(catalogue):
    for guide in catalogue.guides:
        outcomes: dict[str, dict[str, set[frozenset[str]]]] = defaultdict(lambda: defaultdict(set))
        for answers, asked in answer_paths(guide):
            checklist = build_checklist(guide, answers)
            outcome = frozenset(checklist.material_ids) | {f"item:{s.id}" for s in checklist.sub_items}
            for situation_id in asked:
                outcomes[situation_id][answers[situation_id]].add(outcome)
        for situation in guide.situations:
            by_option = outcomes[situation.id]
            assert len(by_option) == len(situation.options), (
                guide.id,
                situation.id,
            )  # every option reachable
            assert len({frozenset(v) for v in by_option.values()}) > 1, (guide.id, situation.id)


def test_every_label_and_phrase_chooses_its_own_option(catalogue):
    for guide in catalogue.guides:
        for situation in guide.situations:
            for option in situation.options:
                for text in [option.label, *option.phrases]:
                    assert match_option(situation, text) == option.id, (guide.id, situation.id, text)
