"""The guided dialogue (智能导办): state, questions, navigation and the scripted dialogues."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.guide.dialogue import GuideDialogue, GuideState, GuideTurn
from assistant.guide.loader import CatalogueLoad
from assistant.guide.matching import GuideMatch
from assistant.guide.models import ServiceGuide
from evals.guide_dialogue_eval import OracleMatcher, evaluate_dialogues, load_items, run_dialogue
from tests.assistant.guide.conftest import DIALOGUES

ITEMS = load_items(DIALOGUES)


class FakeMatcher:
    """Matches a guide when one of its keywords occurs in the text, in the order of ``rules``."""

    def __init__(self, catalogue: CatalogueLoad, rules: dict[str, list[str]]) -> None:
        self.catalogue = catalogue
        self.rules = rules

    def search(self, text: str, k: int = 5) -> list[GuideMatch]:
        ids = [gid for gid, words in self.rules.items() if any(w in text for w in words)]
        return [GuideMatch(guide, 0.9) for guide in map(self.catalogue.get, ids) if guide][:k]

    def decide(self, text: str) -> list[GuideMatch]:
        return self.search(text)


@pytest.fixture
def small(guide_data: dict[str, Any]) -> ServiceGuide:
    """The conftest bundle with free-text phrases on q1."""
    guide_data["situations"][0]["options"] = [
        {"id": "y", "label": "是", "phrases": ["已经登记", "登记过了"]},
        {"id": "n", "label": "否", "phrases": ["没有登记", "没登记"]},
    ]
    return ServiceGuide.model_validate(guide_data)


@pytest.fixture
def dialogue(small: ServiceGuide, catalogue: CatalogueLoad) -> GuideDialogue:
    combined = CatalogueLoad(guides=[small, *catalogue.guides])
    rules = {
        "test-bundle": ["测试事项"],
        "yjs-newborn": ["孩子刚出生", "上户口", "新生儿"],
        "yjs-social-security-card": ["社保卡"],
        "yjs-restaurant": ["餐馆", "饭店"],
        "yjs-retirement": ["退休"],
    }
    return GuideDialogue(combined, FakeMatcher(combined, rules))


def _walk(dialogue: GuideDialogue, opening: str, *replies: str) -> GuideTurn:
    turn = dialogue.start(opening)
    for reply in replies:
        assert turn.state is not None, (reply, turn)
        turn = dialogue.reply(turn.state, reply)
    return turn


# -- state ---------------------------------------------------------------------------------------


def test_state_round_trips_through_json():
    state = GuideState(
        stage="situations",
        candidates=["a", "b"],
        guide_id="a",
        answers={"q1": "y", "q2": "x1"},
        order=["q1", "q2"],
        questions_asked=2,
        asking="q3",
        reasks=1,
        opening="测试事项",
    )
    assert GuideState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


@pytest.mark.parametrize("junk", [None, [], "x", {}, {"stage": 3, "answers": [1], "order": {}}])
def test_state_from_junk_is_a_fresh_state(junk):
    assert GuideState.from_dict(junk) == GuideState()


def test_state_from_dict_ignores_unknown_keys_and_bad_values():
    state = GuideState.from_dict(
        {
            "stage": "bogus",
            "guide_id": "test-bundle",
            "answers": {"q1": "y", "q2": 3, "": "x"},
            "order": ["q2", "q1", 7],
            "questions_asked": "7",
            "reasks": True,
            "editing": "yes",
            "future_field": {"x": 1},
        }
    )
    assert state.stage == "situations"  # a guide is set, so it was asking questions
    assert state.answers == {"q1": "y"}
    assert state.order == ["q1"]
    assert (state.questions_asked, state.reasks, state.editing) == (0, 0, False)


def test_vanished_guide_starts_again_from_the_message(dialogue):
    gone = GuideState(stage="situations", guide_id="no-such-guide", answers={"q1": "y"}, asking="q2")
    left = dialogue.reply(gone, "是")
    assert (left.kind, left.text, left.state) == ("left", "", None)
    restarted = dialogue.reply(gone, "测试事项怎么办")
    assert restarted.kind == "ask" and restarted.guide is not None and restarted.guide.id == "test-bundle"


def test_answers_the_guide_no_longer_has_are_dropped(dialogue):
    stale = GuideState(
        stage="situations", guide_id="test-bundle", answers={"q1": "y", "old": "z", "q2": "nope"}, asking="q2"
    )
    turn = dialogue.reply(stale, "选项一")
    assert turn.state is not None and turn.state.answers == {"q1": "y", "q2": "x1"}


def test_reply_does_not_change_the_callers_state(dialogue):
    turn = dialogue.start("测试事项")
    assert turn.state is not None
    before = turn.state.to_dict()
    dialogue.reply(turn.state, "是")
    assert turn.state.to_dict() == before


# -- the flow ------------------------------------------------------------------------------------


def test_start_ask_then_checklist(dialogue):
    first = dialogue.start("测试事项要准备什么")
    assert first.kind == "ask" and first.state is not None
    assert first.options[:2] == ["是", "否"] and "重新选择事项" in first.options
    assert "问题一？" in first.text and first.state.asking == "q1"
    second = dialogue.reply(first.state, "是")
    assert second.kind == "ask" and second.state is not None and second.state.asking == "q2"
    assert "上一步" in second.options
    third = dialogue.reply(second.state, "选项二")
    last = dialogue.reply(third.state, "乙")
    assert last.kind == "checklist" and last.checklist is not None and last.state is not None
    assert last.state.stage == "done" and last.state.questions_asked == 3
    assert last.checklist.material_ids == ["id_card", "form_a", "extra", "only_b"]
    assert last.checklist.to_text() in last.text
    json.dumps(last.to_dict(), ensure_ascii=False)  # JSON-ready for the API


def test_only_needed_questions_are_asked(dialogue):
    turn = _walk(dialogue, "测试事项", "否", "甲")  # q2 applies only when q1 is 是
    assert turn.kind == "checklist" and turn.state is not None
    assert turn.state.questions_asked == 2
    assert turn.checklist is not None and turn.checklist.material_ids == ["id_card", "form_a"]


def test_opening_pre_answers_questions(dialogue):
    turn = dialogue.start("我们没结婚，孩子刚出生怎么上户口")
    assert turn.kind == "ask" and turn.state is not None
    assert turn.state.answers == {"married": "unmarried"}
    assert turn.state.asking == "follow" and "未办理结婚登记" in turn.text


def test_opening_never_answers_by_a_bare_yes_or_no(dialogue):
    turn = dialogue.start("是的，测试事项，不")
    assert turn.state is not None and turn.state.answers == {} and turn.state.asking == "q1"
    pre = dialogue.start("测试事项，我们已经登记")
    assert pre.state is not None and pre.state.answers == {"q1": "y"} and pre.state.asking == "q2"


@pytest.mark.parametrize(("reply", "option"), [("1", "x1"), ("2", "x2"), ("第二个", "x2"), ("选1", "x1")])
def test_option_by_number(dialogue, reply, option):
    turn = _walk(dialogue, "测试事项", "是", reply)
    assert turn.state is not None and turn.state.answers["q2"] == option


def test_unknown_reply_is_asked_again_then_12345_is_offered(dialogue):
    asked = _walk(dialogue, "测试事项", "是")
    once = dialogue.reply(asked.state, "嗯嗯")
    assert once.kind == "reask" and once.state is not None and once.state.reasks == 1
    assert "问题二？" in once.text and once.options[:2] == ["选项一", "选项二"] and "12345" not in once.text
    twice = dialogue.reply(once.state, "哦")
    assert twice.kind == "reask" and "12345" in twice.text and "转人工" in twice.text
    answered = dialogue.reply(twice.state, "选项一")
    assert answered.kind == "ask" and answered.state is not None and answered.state.reasks == 0


@pytest.mark.parametrize(("reply", "option"), [("是", "y"), ("是的", "y"), ("否", "n"), ("登记过了", "y")])
def test_one_character_labels_count_as_the_whole_reply(dialogue, reply, option):
    turn = _walk(dialogue, "测试事项", reply)
    assert turn.state is not None and turn.state.answers == {"q1": option}


def test_one_character_label_inside_a_longer_reply_chooses_nothing(dialogue):
    assert _walk(dialogue, "测试事项", "是否").kind == "reask"  # both labels, neither alone


def test_confused_reply_is_helped_not_left(dialogue):
    turn = _walk(dialogue, "测试事项", "不懂")
    assert turn.kind == "reask" and "问题一？" in turn.text


def test_back_undoes_the_last_answer(dialogue):
    asked = _walk(dialogue, "测试事项", "是", "选项一")
    assert asked.state is not None and asked.state.asking == "q3"
    back = dialogue.reply(asked.state, "上一步")
    assert back.kind == "ask" and back.state is not None
    assert back.state.asking == "q2" and back.state.answers == {"q1": "y"}
    again = dialogue.reply(dialogue.reply(back.state, "返回").state, "back")
    assert again.state is not None and again.state.answers == {} and "第一个问题" in again.text


def test_back_from_the_checklist(dialogue):
    done = _walk(dialogue, "测试事项", "否", "甲")
    back = dialogue.reply(done.state, "上一步")
    assert back.kind == "ask" and back.state is not None
    assert back.state.stage == "situations" and back.state.asking == "q3"


def test_changing_an_answer_after_the_checklist_recomputes_it(dialogue):
    done = _walk(dialogue, "我们没结婚，孩子刚出生怎么上户口", "随爸爸", "不办")
    assert done.checklist is not None and "unmarried_statement" in done.checklist.material_ids
    changed = dialogue.reply(done.state, "其实我们已经结婚了")
    assert changed.kind == "checklist" and changed.checklist is not None
    assert "marriage_cert" in changed.checklist.material_ids
    assert "unmarried_statement" not in changed.checklist.material_ids
    assert "已修改" in changed.text
    assert dialogue.reply(changed.state, "谢谢").kind == "left"
    question = dialogue.reply(changed.state, "没结婚的话要带什么证明？")
    assert (question.kind, question.text, question.state) == ("left", "", None)


def test_change_drops_answers_that_no_longer_apply(dialogue):
    done = _walk(dialogue, "我要办退休", "在企业上班", "正常退休", "没有", "不提取")
    assert done.state is not None and done.state.answers["retire_type"] == "normal"
    changed = dialogue.reply(done.state, "我其实是事业单位的")
    assert changed.kind == "checklist" and changed.state is not None and changed.checklist is not None
    assert "retire_type" not in changed.state.answers
    assert {a.situation_id for a in changed.checklist.answers} == {"staff_type", "deemed", "fund"}


def test_change_while_asking_keeps_asking(dialogue):
    asked = _walk(dialogue, "我们没结婚，孩子刚出生怎么上户口", "随妈妈")
    turn = dialogue.reply(asked.state, "哦对了，其实我们已经结婚了")
    assert turn.kind == "ask" and turn.state is not None
    assert turn.state.answers["married"] == "married" and turn.state.asking == "insure"


def test_edit_menu_then_answer_again(dialogue):
    done = _walk(dialogue, "测试事项", "否", "甲")
    menu = dialogue.reply(done.state, "修改回答")
    assert menu.kind == "ask" and menu.options == ["问题一？", "问题三？"]
    chosen = dialogue.reply(menu.state, "2")
    assert chosen.kind == "ask" and chosen.state is not None and chosen.state.asking == "q3"
    assert "q3" not in chosen.state.answers
    final = dialogue.reply(chosen.state, "乙")
    assert final.kind == "checklist" and final.checklist is not None
    assert [s.title for s in final.checklist.steps] == ["提交申请", "补充步骤"]


def test_reply_may_answer_other_questions_through_specific_phrases(dialogue):
    first = dialogue.start("开餐馆要准备哪些材料")
    assert first.state is not None and first.state.asking == "has_license"
    turn = dialogue.reply(first.state, "还没办执照，准备开个小吃店")
    assert turn.state is not None and turn.state.answers == {"has_license": "new", "venue": "small"}
    assert turn.state.asking == "entity"
    last = _walk(dialogue, "开餐馆要准备哪些材料", "还没办执照，准备开个小吃店", "个体户", "不挂招牌")
    assert last.kind == "checklist" and last.state is not None and last.state.questions_asked == 3


def test_switch_item_offers_the_candidates_again(dialogue):
    chosen = _walk(dialogue, "孩子刚出生，社保卡怎么办", "新生儿出生")
    assert chosen.kind == "ask" and chosen.guide is not None and chosen.guide.id == "yjs-newborn"
    switched = dialogue.reply(chosen.state, "重新选择事项")
    assert switched.kind == "clarify_item" and switched.state is not None
    assert switched.state.stage == "choose" and switched.state.guide_id is None
    assert switched.options[:2] == ["新生儿出生", "社会保障卡居民服务“一卡通”"]
    other = dialogue.reply(switched.state, "2")
    assert other.guide is not None and other.guide.id == "yjs-social-security-card"


def test_switch_without_candidates_asks_for_the_item(dialogue):
    switched = _walk(dialogue, "测试事项", "换一个事项")
    assert switched.kind == "clarify_item" and switched.state is not None and switched.state.stage == "choose"
    turn = dialogue.reply(switched.state, "我想开饭店")
    assert turn.kind == "ask" and turn.guide is not None and turn.guide.id == "yjs-restaurant"
    assert turn.state is not None and turn.state.answers == {"venue": "public_venue"}  # 饭店


@pytest.mark.parametrize("words", ["不办了", "退出", "算了"])
def test_abandon(dialogue, words):
    turn = _walk(dialogue, "测试事项", "是", words)
    assert turn.kind == "left" and turn.state is None and "退出" in turn.text


@pytest.mark.parametrize(
    "reply",
    ["办这个要多少钱？", "窗口在哪里", "可以网上办吗", "我想问一下公积金贷款的额度是怎么算的", "转人工"],
)
def test_new_question_leaves_silently(dialogue, reply):
    turn = _walk(dialogue, "测试事项", reply)
    assert (turn.kind, turn.text, turn.state) == ("left", "", None)


def test_clarify_item_between_several_matches(dialogue):
    turn = dialogue.start("孩子刚出生，社保卡怎么办")
    assert turn.kind == "clarify_item" and turn.state is not None
    assert turn.state.candidates == ["yjs-newborn", "yjs-social-security-card"]
    assert "1. 新生儿出生" in turn.text and turn.options[-1] == "都不是"
    for reply, guide_id in [
        ("新生儿出生", "yjs-newborn"),
        ("第二个", "yjs-social-security-card"),
        ("一卡通那个", "yjs-social-security-card"),
    ]:
        picked = dialogue.reply(turn.state, reply)
        assert picked.guide is not None and picked.guide.id == guide_id, reply
    picked = dialogue.reply(turn.state, "2")  # 孩子 in the opening answers "for whom"
    assert picked.state is not None and picked.state.answers.get("applicant") == "minor"
    unclear = dialogue.reply(turn.state, "嗯")
    assert unclear.kind == "reask" and unclear.state is not None and unclear.state.stage == "choose"
    assert dialogue.reply(turn.state, "都不是").kind == "left"
    question = dialogue.reply(turn.state, "孩子上学要什么材料？")  # shares words, but is a new question
    assert (question.kind, question.text, question.state) == ("left", "", None)


def test_an_exact_name_beats_a_longer_name_containing_it(catalogue):
    retirement = catalogue.get("yjs-retirement")
    assert retirement is not None
    long_name = retirement.model_copy(update={"id": "gd-x", "name": "企业职工特殊工种提前退休申请"})
    combined = CatalogueLoad(guides=[long_name, *catalogue.guides])
    dialogue = GuideDialogue(combined, FakeMatcher(combined, {"gd-x": ["退休"], "yjs-retirement": ["退休"]}))
    turn = dialogue.start("想办特殊工种提前退休")
    assert turn.kind == "clarify_item" and turn.state is not None
    assert turn.options[:2] == ["企业职工特殊工种提前退休申请", "退休"]
    for reply, guide_id in [("退休", "yjs-retirement"), ("特殊工种提前退休申请", "gd-x"), ("1", "gd-x")]:
        picked = dialogue.reply(turn.state, reply)
        assert picked.guide is not None and picked.guide.id == guide_id, reply


def test_not_a_guide(dialogue):
    turn = dialogue.start("今天天气怎么样")
    assert (turn.kind, turn.state, turn.text) == ("not_a_guide", None, "")


# -- the scripted dialogues ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def oracle_dialogue(catalogue: CatalogueLoad) -> GuideDialogue:
    return GuideDialogue(catalogue, OracleMatcher(catalogue, ITEMS))


@pytest.mark.parametrize("item", ITEMS, ids=[item["id"] for item in ITEMS])
def test_scripted_dialogue_reaches_the_expected_checklist(oracle_dialogue, item):
    result = run_dialogue(oracle_dialogue, item)
    assert result["success"], json.dumps(result, ensure_ascii=False, indent=1)
    assert result["questions"] == len(item["replies"]) <= item["max_questions"]


def test_scripted_dialogue_metrics(oracle_dialogue):
    metrics = evaluate_dialogues(oracle_dialogue, ITEMS, matcher="oracle")
    assert metrics["n"] == len(ITEMS) and metrics["success_rate"] == 1.0
    assert metrics["materials_precision"] == metrics["materials_recall"] == 1.0
    assert metrics["max_questions"] <= 4 and metrics["reasks"] == 0
