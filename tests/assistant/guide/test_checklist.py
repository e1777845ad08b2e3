"""The personalised checklist: which questions are pending, what applies for given answers, how it reads."""

from __future__ import annotations

import json

import pytest

from assistant.guide.checklist import build_checklist, effective_answers, pending_situations
from assistant.guide.loader import CatalogueLoad
from assistant.guide.models import ServiceGuide


@pytest.fixture
def guide(guide_data) -> ServiceGuide:
    return ServiceGuide.model_validate(guide_data)


@pytest.fixture
def newborn(catalogue: CatalogueLoad) -> ServiceGuide:
    found = catalogue.get("yjs-newborn")
    assert found is not None
    return found


def _ids(situations) -> list[str]:
    return [s.id for s in situations]


def test_pending_questions_in_order_and_ask_when(guide):
    assert _ids(pending_situations(guide, {})) == ["q1", "q3"]  # q2 waits for q1
    assert _ids(pending_situations(guide, {"q1": "y"})) == ["q2", "q3"]
    assert _ids(pending_situations(guide, {"q1": "n"})) == ["q3"]  # q2 is never asked
    assert _ids(pending_situations(guide, {"q1": "y", "q2": "x1", "q3": "m"})) == []
    assert _ids(pending_situations(guide, {"q3": "k"})) == ["q1"]


def test_answer_to_a_question_that_would_not_be_asked_is_ignored(guide):
    answers = {"q1": "n", "q2": "x2", "q3": "m"}
    assert effective_answers(guide, answers) == {"q1": "n", "q3": "m"}
    checklist = build_checklist(guide, answers)
    assert "extra" not in checklist.material_ids  # its condition is on the ignored q2
    assert [a.situation_id for a in checklist.answers] == ["q1", "q3"]


def test_an_opening_may_answer_a_later_question_first(guide):
    # q2 answered before q1 (e.g. from the opening): it counts once q1 makes it askable
    assert _ids(pending_situations(guide, {"q2": "x2"})) == ["q1", "q3"]
    assert _ids(pending_situations(guide, {"q2": "x2", "q1": "y"})) == ["q3"]


def test_materials_and_sub_items_follow_the_answers(guide):
    yes = build_checklist(guide, {"q1": "y", "q2": "x2", "q3": "k"})
    assert [s.id for s in yes.sub_items] == ["a", "b"]
    assert yes.material_ids == ["id_card", "form_a", "extra", "only_b"]
    assert [s.title for s in yes.steps] == ["提交申请", "补充步骤"]
    no = build_checklist(guide, {"q1": "n", "q3": "m"})
    assert [s.id for s in no.sub_items] == ["a"]
    assert no.material_ids == ["id_card", "form_a"]  # only_b serves b, which does not apply
    assert [s.title for s in no.steps] == ["提交申请"]


def test_shared_material_is_listed_once_with_all_its_sub_items(guide):
    both = build_checklist(guide, {"q1": "y", "q2": "x1", "q3": "m"})
    [card] = [m for m in both.materials if m.id == "id_card"]
    assert card.for_items == ("a", "b") and card.for_item_names == ("事项甲", "事项乙") and card.shared
    one = build_checklist(guide, {"q1": "n", "q3": "m"})
    [card] = [m for m in one.materials if m.id == "id_card"]
    assert card.for_items == ("a",) and not card.shared


def test_same_material_listed_for_two_sub_items_is_merged(guide_data):
    guide_data["materials"] = [
        {
            "id": "id_a",
            "name": "居民身份证",
            "copies": 1,
            "e_license": True,
            "for_items": ["a"],
            "note": "甲用",
        },
        {
            "id": "id_b",
            "name": "居民身份证",
            "copies": 2,
            "e_license": False,
            "for_items": ["b"],
            "note": "乙用",
        },
    ]
    checklist = build_checklist(ServiceGuide.model_validate(guide_data), {"q1": "y", "q2": "x1", "q3": "m"})
    [line] = checklist.materials
    assert (line.id, line.copies, line.e_license, line.shared) == ("id_a", 2, False, True)
    assert line.for_items == ("a", "b") and line.note == "甲用；乙用"


def test_newborn_materials_by_situation(newborn):
    married = build_checklist(newborn, {"married": "married", "follow": "father", "insure": "together"})
    assert "marriage_cert" in married.material_ids and "unmarried_statement" not in married.material_ids
    assert "father_hukou_book" in married.material_ids and "paternity_test" not in married.material_ids
    unmarried = build_checklist(newborn, {"married": "unmarried", "follow": "father", "insure": "together"})
    assert {"unmarried_statement", "paternity_test"} <= set(unmarried.material_ids)
    assert "marriage_cert" not in unmarried.material_ids
    with_mother = build_checklist(newborn, {"married": "unmarried", "follow": "mother", "insure": "together"})
    assert (
        "paternity_test" not in with_mother.material_ids and "mother_hukou_book" in with_mother.material_ids
    )


def test_newborn_bundle_sub_items_and_shared_id_card(newborn):
    full = build_checklist(newborn, {"married": "married", "follow": "mother", "insure": "together"})
    assert len(full.sub_items) == 6
    assert {s.department for s in full.sub_items} >= {"公安机关（户籍派出所）", "医疗保障部门", "税务部门"}
    [parent_id] = [m for m in full.materials if m.id == "parent_id"]
    assert parent_id.shared and len(parent_id.for_items) == 4
    later = build_checklist(newborn, {"married": "married", "follow": "mother", "insure": "later"})
    assert [s.id for s in later.sub_items] == ["birth_cert", "vaccination", "hukou"]
    [parent_id] = [m for m in later.materials if m.id == "parent_id"]
    assert parent_id.for_items == ("birth_cert", "hukou")


@pytest.mark.parametrize(
    ("answers", "named"),
    [({"nope": "y"}, "unknown situation 'nope'"), ({"q1": "maybe"}, "situation 'q1' has no option 'maybe'")],
)
def test_unknown_answer_raises(guide, answers, named):
    with pytest.raises(ValueError, match=named):
        build_checklist(guide, answers)
    with pytest.raises(ValueError, match=named):
        pending_situations(guide, answers)


def test_partial_answers_give_a_provisional_checklist(guide):
    checklist = build_checklist(guide, {"q1": "y"})
    assert not checklist.complete and checklist.pending == ("问题二？", "问题三？")
    assert "还需确认：问题二？；问题三？" in checklist.to_text()
    assert build_checklist(guide, {"q1": "n", "q3": "m"}).complete


def test_to_text_numbers_the_materials(newborn):
    text = build_checklist(
        newborn, {"married": "unmarried", "follow": "father", "insure": "together"}
    ).to_text()
    assert text.startswith("【新生儿出生】“一件事”办事清单｜全国（示例）")
    assert "- 孩子的父母是否已办理结婚登记：未办理结婚登记" in text
    assert "1. 新生儿出生“一件事”联办申请表（申请表1份）" in text
    assert "2. 父母的居民身份证（原件1份；可用电子证照）" in text
    assert "亲子鉴定证明（原件1份）" in text
    assert "《出生医学证明》（原件核验；可用电子证照）" in text  # copies: 0 — shown, not kept
    assert "户口登记（出生登记）（公安机关（户籍派出所））" in text
    assert "收费标准：各联办事项办理均不收费" in text
    assert "示例内容，依据公开信息整理，各地以当地办事指南为准" in text
    assert text.rstrip().endswith("以上为参考信息，具体以当地政务服务机构的最新规定和窗口答复为准。")
    assert "咨询电话" not in text  # no number is invented


def test_to_text_marks_deferrable_and_electronic(guide):
    text = build_checklist(guide, {"q1": "y", "q2": "x2", "q3": "m"}).to_text()
    assert "补充材料（复印件2份；可容缺后补）" in text
    assert "居民身份证（原件1份；可用电子证照）。用于：事项甲、事项乙" in text
    assert "办理时限：以当地办事指南公布的时限为准" in text


def test_to_dict_is_json_serialisable(newborn):
    checklist = build_checklist(newborn, {"married": "married", "follow": "father", "insure": "together"})
    data = json.loads(json.dumps(checklist.to_dict(), ensure_ascii=False))
    assert data["guide_id"] == "yjs-newborn" and data["kind"] == "bundle"
    assert data["as_of"] == "2024-10-01" and data["sample"] is True and data["complete"] is True
    assert data["answers"][0] == {
        "situation_id": "married",
        "question": "孩子的父母是否已办理结婚登记？",
        "option_id": "married",
        "label": "已办理结婚登记",
    }
    first = data["materials"][1]
    assert (
        first["form_label"] == "原件" and first["e_license"] is True and isinstance(first["for_items"], list)
    )
    assert data["online"] is True
    assert [c["online"] for c in data["channels"]] == [True, True, False]
    assert data["consult_phone"] == "" and data["local_rules_note"]
