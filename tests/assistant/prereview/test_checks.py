"""Files assigned to checklist materials, and every planted defect found with the right code (made-up people)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistant.guide.checklist import Checklist, build_checklist
from assistant.guide.loader import load_guide_file
from assistant.guide.models import ServiceGuide
from assistant.prereview.checks import SIGNATURE_NOTE, check_materials, is_unreadable
from assistant.prereview.classify import classify
from assistant.prereview.fields import extract_fields
from assistant.prereview.material_types import expected_count, material_need, material_type_for
from assistant.prereview.models import MaterialResult, Problem
from assistant.prereview.validators import make_credit_code, make_id_number
from assistant.settings import PROJECT_ROOT
from tests.assistant.prereview.test_classify import (
    AGENT,
    AGENT_ID,
    CHILD,
    CREDIT_CODE,
    FATHER,
    FATHER_ID,
    MOTHER,
    MOTHER_ID,
    application_form,
    birth_cert,
    business_license,
    hukou_index,
    hukou_person,
    id_back,
    id_front,
    make_file,
    marriage,
    power_of_attorney,
)

TODAY = date(2024, 6, 1)
NEWBORN = PROJECT_ROOT / "knowledge" / "guides" / "yijianshi" / "newborn.yaml"
MARRIED = {"married": "married", "follow": "father", "insure": "together"}


@pytest.fixture(scope="module")
def newborn() -> ServiceGuide:
    guides, errors = load_guide_file(NEWBORN)
    assert not errors
    return guides[0]


def make_guide(materials: list[dict[str, Any]], name: str = "测试事项") -> ServiceGuide:
    return ServiceGuide.model_validate(
        {
            "id": "test-item",
            "name": name,
            "department": "测试部门",
            "materials": materials,
            "source": {"name": "测试"},
            "as_of": "2024-01-01",
        }
    )


def run(
    checklist: Checklist, files: list[Any], context: dict[str, Any] | None = None, score: float = 0.95
) -> tuple[dict[str, MaterialResult], list[Problem], dict[str, str | None]]:
    inputs = []
    for index, lines in enumerate(files):
        extracted = make_file(lines, f"f{index}", f"file{index}.jpg", score=score)
        classification = classify(extracted)
        inputs.append((extracted, classification, extract_fields(classification.material_type, extracted)))
    results, problems, mapping = check_materials(checklist, inputs, TODAY, context or {})
    return {r.material_id: r for r in results}, problems, mapping


def codes(result: MaterialResult) -> set[str]:
    return {p.code for p in result.problems}


def newborn_files(**replace: Any) -> list[Any]:
    files = {
        "form": application_form(),
        "father_front": id_front(),
        "father_back": id_back(),
        "mother_front": id_front(MOTHER, MOTHER_ID, "女"),
        "mother_back": id_back(),
        "birth": birth_cert(),
        "hukou": [hukou_index(), hukou_person()],
        "marriage": marriage(),
    }
    files.update(replace)
    return [lines for lines in files.values() if lines is not None]


# ------------------------------------------------------------------------------------- material types


@pytest.mark.parametrize(
    ("name", "kind", "count"),
    [
        ("父母的居民身份证", "id_card_front", 4),
        ("居民身份证", "id_card_front", 2),
        ("身份证明", "id_card_front", 2),
        ("居民户口簿", "hukou_booklet", 1),
        ("父亲的居民户口簿", "hukou_booklet", 1),
        ("结婚证", "marriage_certificate", 1),
        ("《出生医学证明》", "birth_certificate", 1),
        ("营业执照", "business_license", 1),
        ("社会保障卡", "social_security_card", 1),
        ("不动产权证书", "property_certificate", 1),
        ("新生儿出生“一件事”联办申请表", "application_form", 1),
        ("社会保障卡申领（补换领）登记表", "application_form", 1),
        ("授权委托书", "power_of_attorney", 1),
        ("代办委托书", "power_of_attorney", 1),
        ("公司章程", None, 0),
        ("香港或澳门特别行政区永久性居民身份证", None, 0),
    ],
)
def test_material_type_for_names(name: str, kind: str | None, count: int) -> None:
    assert material_type_for(name) == kind
    assert expected_count(name) == count


def test_material_needs_both_sides_alternatives_and_roles() -> None:
    parents = material_need("父母的居民身份证")
    assert parents is not None and parents.primary == ("id_card_front", "id_card_back")
    assert (parents.people, parents.role) == (2, "parents")
    either = material_need("孩子的居民户口簿或居民身份证")
    assert either is not None and either.options == (("hukou_booklet",), ("id_card_front", "id_card_back"))
    both = material_need("法定代表人授权委托书及经办人身份证件")
    assert both is not None and both.options == (("power_of_attorney", "id_card_front", "id_card_back"),)
    assert material_need("经营场所使用证明（不动产权证书或租赁合同等）").primary == ("property_certificate",)  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------- assignment


def test_clean_newborn_set_is_all_provided(newborn: ServiceGuide) -> None:
    results, problems, mapping = run(build_checklist(newborn, MARRIED), newborn_files())
    assert {r.material_id: r.status for r in results.values()} == dict.fromkeys(results, "provided")
    assert not problems
    assert mapping == {
        "f0": "application",
        **dict.fromkeys(("f1", "f2", "f3", "f4"), "parent_id"),
        "f5": "birth_medical_cert",
        "f6": "father_hukou_book",
        "f7": "marriage_cert",
    }
    assert results["application"].note == SIGNATURE_NOTE


def test_missing_material_says_what_to_upload(newborn: ServiceGuide) -> None:
    results, _, _ = run(build_checklist(newborn, MARRIED), newborn_files(marriage=None))
    result = results["marriage_cert"]
    assert result.status == "missing" and codes(result) == {"missing_material"}
    assert "结婚证" in result.problems[0].advice and "电子证照" in result.problems[0].advice


def test_deferrable_material_advice_mentions_rongque() -> None:
    guide = make_guide([{"id": "extra", "name": "补充说明材料", "deferrable": True}])
    results, _, _ = run(build_checklist(guide, {}), [])
    assert results["extra"].status == "missing"
    assert "容缺" in results["extra"].problems[0].advice


def test_file_that_matches_nothing_is_unmatched(newborn: ServiceGuide) -> None:
    files = [*newborn_files(), business_license(), ["今天天气晴，适合外出"]]
    results, problems, mapping = run(build_checklist(newborn, MARRIED), files)
    assert mapping["f8"] is None and mapping["f9"] is None
    assert all(r.status == "provided" for r in results.values())
    assert not problems


def test_title_assigns_a_material_without_a_type(newborn: ServiceGuide) -> None:
    checklist = build_checklist(newborn, {"married": "unmarried", "follow": "mother", "insure": "later"})
    statement = [
        "非婚生育情况说明",
        f"本人{MOTHER}，身份证号{MOTHER_ID}",
        "现就孩子出生情况说明如下……",
        "本人签名：",
        "2024年5月10日",
    ]
    files = [
        application_form(MOTHER, MOTHER_ID),
        id_front(MOTHER, MOTHER_ID, "女"),
        id_back(),
        birth_cert(),
        statement,
    ]
    results, _, mapping = run(checklist, files)
    assert mapping["f4"] == "unmarried_statement"
    assert results["unmarried_statement"].status == "provided"
    assert results["unmarried_statement"].note == SIGNATURE_NOTE  # the note asks for a signature
    assert results["parent_id"].status == "provided"  # one parent is enough when not married (note: 一方)


def test_alternative_option_is_used_when_the_main_one_is_absent() -> None:
    guide = make_guide(
        [
            {"id": "child", "name": "孩子的居民户口簿或居民身份证"},
            {"id": "form", "name": "参保登记表", "form": "form"},
        ]
    )
    results, _, mapping = run(build_checklist(guide, {}), [id_front(), id_back(), application_form()])
    assert results["child"].status == "provided" and mapping["f0"] == mapping["f1"] == "child"


def test_power_of_attorney_steers_id_cards_to_holder_and_agent() -> None:
    guide = make_guide(
        [
            {"id": "holder_id", "name": "持卡人居民身份证"},
            {"id": "agent_id", "name": "代办人居民身份证"},
            {"id": "authorization", "name": "代办委托书", "form": "form"},
        ]
    )
    files = [id_front(AGENT, AGENT_ID), id_back(), id_front(), id_back(), power_of_attorney()]
    results, _, mapping = run(build_checklist(guide, {}), files)
    assert mapping["f0"] == "agent_id" and mapping["f2"] == "holder_id"
    assert all(r.status == "provided" for r in results.values())
    assert results["authorization"].note == SIGNATURE_NOTE


# ------------------------------------------------------------------------------------------- defects


def test_wrong_id_check_digit(newborn: ServiceGuide) -> None:
    wrong = MOTHER_ID[:-1] + ("1" if MOTHER_ID[-1] != "1" else "2")
    results, _, _ = run(
        build_checklist(newborn, MARRIED), newborn_files(mother_front=id_front(MOTHER, wrong, "女"))
    )
    assert results["parent_id"].status == "suspect"
    assert "id_check_digit" in codes(results["parent_id"])
    assert MOTHER in results["parent_id"].problems[0].message


def test_expired_id_card(newborn: ServiceGuide) -> None:
    results, _, _ = run(
        build_checklist(newborn, MARRIED), newborn_files(father_back=id_back("2004.05.01-2024.05.01"))
    )
    assert codes(results["parent_id"]) == {"id_expired"}
    assert "2024-05-01" in results["parent_id"].problems[0].message


def test_id_valid_until_today_is_not_expired(newborn: ServiceGuide) -> None:
    results, _, _ = run(
        build_checklist(newborn, MARRIED), newborn_files(father_back=id_back("2004.06.01-2024.06.01"))
    )
    assert results["parent_id"].status == "provided"


def test_missing_back_side(newborn: ServiceGuide) -> None:
    results, _, _ = run(build_checklist(newborn, MARRIED), newborn_files(mother_back=None))
    assert codes(results["parent_id"]) == {"id_card_one_side"}
    assert "国徽面" in results["parent_id"].problems[0].message


def test_missing_front_side() -> None:
    guide = make_guide([{"id": "id", "name": "居民身份证"}])
    results, _, _ = run(build_checklist(guide, {}), [id_back()])
    assert codes(results["id"]) == {"id_card_one_side"} and "人像面" in results["id"].problems[0].message


def test_one_parent_only_when_married(newborn: ServiceGuide) -> None:
    results, _, _ = run(build_checklist(newborn, MARRIED), newborn_files(mother_front=None, mother_back=None))
    assert codes(results["parent_id"]) == {"missing_person"}


def test_invalid_credit_code() -> None:
    guide = make_guide([{"id": "license", "name": "营业执照", "e_license": True}])
    code = make_credit_code("91440300MA5F00012")
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    results, _, _ = run(build_checklist(guide, {}), [business_license(wrong)])
    assert codes(results["license"]) == {"credit_code_check"}
    ok, _, _ = run(build_checklist(guide, {}), [business_license(code)])
    assert ok["license"].status == "provided"


def test_name_disagrees_with_the_same_id_elsewhere(newborn: ServiceGuide) -> None:
    results, problems, _ = run(
        build_checklist(newborn, MARRIED), newborn_files(birth=birth_cert(mother="李秀芝"))
    )
    assert [p.code for p in problems] == ["name_mismatch"]
    assert "name_mismatch" in codes(results["parent_id"]) and "name_mismatch" in codes(
        results["birth_medical_cert"]
    )
    assert "李秀芝" in problems[0].message and MOTHER in problems[0].message


def test_same_name_with_different_ids(newborn: ServiceGuide) -> None:
    other = make_id_number("110101", date(1988, 6, 12), 791)
    results, problems, _ = run(
        build_checklist(newborn, MARRIED), newborn_files(form=application_form(FATHER, other))
    )
    assert "id_mismatch" in {p.code for p in problems}
    assert results["application"].status == "suspect"


def test_parent_id_card_of_someone_else(newborn: ServiceGuide) -> None:
    files = newborn_files(mother_front=id_front(AGENT, AGENT_ID))
    results, problems, _ = run(build_checklist(newborn, MARRIED), files)
    assert "parent_mismatch" in codes(results["parent_id"])
    assert any(AGENT in p.message for p in problems)


def test_birth_certificate_parent_not_on_the_marriage_certificate(newborn: ServiceGuide) -> None:
    stranger = make_id_number("110108", date(1991, 1, 1), 402, female=True)
    files = newborn_files(birth=birth_cert(mother="周雨", mother_id=stranger))
    results, _, _ = run(build_checklist(newborn, MARRIED), files)
    assert "parent_mismatch" in codes(results["marriage_cert"])
    assert "parent_mismatch" in codes(results["parent_id"])  # the mother's card is not the mother on it


def test_name_one_character_off_the_id_card() -> None:
    guide = make_guide([{"id": "form", "name": "申请表", "form": "form"}, {"id": "id", "name": "居民身份证"}])
    checklist = build_checklist(guide, {})
    misspelt = [line.replace(f"身份证号码{FATHER_ID}", "") for line in application_form("王建民", "")]
    results, problems, _ = run(checklist, [misspelt, id_front(), id_back()])
    assert [p.code for p in problems] == ["name_mismatch"]
    assert "王建民" in problems[0].message and FATHER in problems[0].message
    assert results["form"].status == "suspect" and results["id"].status == "provided"
    someone_else = [line.replace(f"身份证号码{FATHER_ID}", "") for line in application_form("孙丽华", "")]
    _, problems, _ = run(checklist, [someone_else, id_front(), id_back()])
    assert not problems  # a form may name someone without an ID card here (a company contact)


def test_applicant_in_context() -> None:
    guide = make_guide([{"id": "id", "name": "居民身份证"}])
    checklist = build_checklist(guide, {})
    _, problems, _ = run(checklist, [id_front(), id_back()], {"applicant_name": FATHER})
    assert not problems
    results, problems, _ = run(checklist, [id_front(), id_back()], {"applicant_id_number": AGENT_ID})
    assert [p.code for p in problems] == ["id_mismatch"] and results["id"].status == "suspect"


def test_hukou_with_only_the_index_page(newborn: ServiceGuide) -> None:
    results, _, _ = run(build_checklist(newborn, MARRIED), newborn_files(hukou=hukou_index()))
    assert codes(results["father_hukou_book"]) == {"missing_page"}


def test_hukou_without_the_fathers_own_page(newborn: ServiceGuide) -> None:
    hukou = [hukou_index(), hukou_person("王德明", make_id_number("110101", date(1960, 2, 2), 11), "户主")]
    results, _, _ = run(build_checklist(newborn, MARRIED), newborn_files(hukou=hukou))
    assert codes(results["father_hukou_book"]) == {"missing_page"}
    assert FATHER in results["father_hukou_book"].problems[0].message
    with_father = [*hukou, hukou_person(FATHER, FATHER_ID, "子")]
    results, _, _ = run(build_checklist(newborn, MARRIED), newborn_files(hukou=with_father))
    assert results["father_hukou_book"].status == "provided"


def test_hukou_member_name_with_relation_glued_on() -> None:
    page = ["常住人口登记卡", "户主或与户主关", f"姓名{MOTHER}妻", "系", f"公民身份号码{MOTHER_ID}"]
    guide = make_guide([{"id": "hukou", "name": "居民户口簿"}])
    inputs = make_file([hukou_index(), page])
    fields = extract_fields("hukou_booklet", inputs)
    assert fields.names["holder"] == MOTHER and fields.id_numbers["holder"] == MOTHER_ID
    results, _, _ = run(build_checklist(guide, {}), [[hukou_index(), page]])
    assert results["hukou"].status == "provided"


def test_pdf_with_fewer_pages_than_it_states() -> None:
    guide = make_guide([{"id": "form", "name": "申请表", "form": "form"}])
    form = [[*application_form(), "第1页 共3页"], ["补充信息……", "第2页 共3页"]]
    results, _, _ = run(build_checklist(guide, {}), [form])
    assert codes(results["form"]) == {"missing_page"}
    assert "共3页" in results["form"].problems[0].message
    complete = [*form, ["附件……", "第3页 共3页"]]
    results, _, _ = run(build_checklist(guide, {}), [complete])
    assert results["form"].status == "provided"


def test_newborn_birth_date_must_be_recent(newborn: ServiceGuide) -> None:
    checklist = build_checklist(newborn, MARRIED)
    old = newborn_files(birth=birth_cert(born="2022年03月01日"))
    results, _, _ = run(checklist, old)
    assert codes(results["birth_medical_cert"]) == {"implausible_birth_date"}
    future = newborn_files(birth=birth_cert(born="2024年07月01日"))
    results, _, _ = run(checklist, future)
    assert codes(results["birth_medical_cert"]) == {"implausible_birth_date"}
    results, _, _ = run(checklist, old, {"newborn": False})
    assert results["birth_medical_cert"].status == "provided"


def test_low_ocr_confidence_is_unreadable() -> None:
    guide = make_guide([{"id": "marriage", "name": "结婚证"}])
    results, _, _ = run(build_checklist(guide, {}), [marriage()], score=0.3)
    assert results["marriage"].status == "unreadable"
    assert "重新" in results["marriage"].problems[0].advice


def test_blank_file_goes_to_the_missing_material_it_most_likely_is() -> None:
    guide = make_guide(
        [{"id": "form", "name": "申请表", "form": "form"}, {"id": "marriage", "name": "结婚证"}]
    )
    results, problems, mapping = run(build_checklist(guide, {}), [application_form(), []])
    assert mapping == {"f0": "form", "f1": "marriage"}
    assert results["marriage"].status == "unreadable" and not problems
    assert "光线" in results["marriage"].problems[0].advice


def test_blank_file_with_nothing_missing_is_unmatched() -> None:
    guide = make_guide([{"id": "marriage", "name": "结婚证"}])
    results, problems, mapping = run(build_checklist(guide, {}), [marriage(), []])
    assert mapping == {"f0": "marriage", "f1": None}
    assert [p.code for p in problems] == ["unreadable_file"] and "光线" in problems[0].advice
    assert results["marriage"].status == "provided"


def test_missing_material_mentions_unrecognised_uploads() -> None:
    guide = make_guide([{"id": "marriage", "name": "结婚证"}])
    results, _, mapping = run(build_checklist(guide, {}), [["一段无关的文字内容"]])
    assert mapping == {"f0": None} and results["marriage"].status == "missing"
    assert "未被识别" in results["marriage"].problems[0].advice


def test_is_unreadable() -> None:
    assert is_unreadable(make_file([]))
    assert is_unreadable(make_file(["…"]))
    assert is_unreadable(make_file(marriage(), score=0.2))
    assert not is_unreadable(make_file(marriage(), score=0.9))


def test_signature_named_in_the_material() -> None:
    guide = make_guide([{"id": "consent", "name": "股东会决议", "note": "需全体股东签字并加盖公章"}])
    results, _, _ = run(build_checklist(guide, {}), [])
    assert results["consent"].note == SIGNATURE_NOTE


def test_unreadable_file_is_taken_as_the_page_a_material_lacks() -> None:
    guide = make_guide([{"id": "hukou", "name": "居民户口簿"}])
    pages = [[*hukou_index(), "第1页共2页"], []]
    results, problems, mapping = run(build_checklist(guide, {}), pages)
    assert mapping == {"f0": "hukou", "f1": "hukou"} and not problems
    assert results["hukou"].status == "unreadable"
    assert codes(results["hukou"]) == {"unreadable"}  # the unreadable file is the missing page


def test_credit_code_on_a_form_is_checked_and_compared() -> None:
    guide = make_guide(
        [{"id": "form", "name": "变更登记申请书", "form": "form"}, {"id": "license", "name": "营业执照"}]
    )
    checklist = build_checklist(guide, {})
    other = make_credit_code("91440300MA5F00012")
    wrong = CREDIT_CODE[:-1] + ("A" if CREDIT_CODE[-1] != "A" else "B")
    form = [
        "企业变更登记申请书",
        "企业名称北京示例餐饮有限公司",
        f"统一社会信用代码{wrong}",
        f"申请人签字：{FATHER}",
    ]
    results, _, _ = run(checklist, [form, business_license()])
    assert codes(results["form"]) == {"credit_code_check"} and results["license"].status == "provided"
    form[2] = f"统一社会信用代码{other}"
    results, problems, _ = run(checklist, [form, business_license()])
    assert [p.code for p in problems] == ["credit_code_mismatch"]
    assert results["form"].status == results["license"].status == "suspect"


def test_title_that_is_part_of_the_material_name() -> None:
    guide = make_guide([{"id": "charter", "name": "公司章程修正案或修改后的公司章程"}])
    results, _, mapping = run(
        build_checklist(guide, {}), [["章程修正案", "根据股东会决议，对公司章程作如下修改", "签字："]]
    )
    assert mapping == {"f0": "charter"} and results["charter"].status == "provided"


def test_unreadable_file_is_taken_as_the_missing_id_side() -> None:
    guide = make_guide([{"id": "id", "name": "居民身份证"}])
    results, problems, mapping = run(build_checklist(guide, {}), [[], id_back()])
    assert mapping == {"f0": "id", "f1": "id"} and not problems
    assert results["id"].status == "unreadable"


def test_document_the_note_asks_for_joins_the_material() -> None:
    guide = make_guide(
        [
            {
                "id": "handler",
                "name": "经办人身份证件",
                "note": "委托他人办理的，一并提交授权委托书；使用电子营业执照在线办理的无需提交",
            }
        ]
    )
    results, _, mapping = run(
        build_checklist(guide, {}),
        [id_front(AGENT, AGENT_ID), id_back(), power_of_attorney(), business_license()],
    )
    assert mapping == {"f0": "handler", "f1": "handler", "f2": "handler", "f3": None}
    assert results["handler"].status == "provided"


def test_child_named_like_a_parent_is_not_a_mismatch() -> None:
    guide = make_guide([{"id": "form", "name": "申请表", "form": "form"}, {"id": "id", "name": "居民身份证"}])
    form = [line.replace(CHILD, "王建军") for line in application_form()]  # father 王建国, son 王建军
    results, problems, _ = run(build_checklist(guide, {}), [form, id_front(), id_back()])
    assert not problems and all(r.status == "provided" for r in results.values())


def test_picture_without_text_is_the_photo_a_material_asks_for() -> None:
    guide = make_guide(
        [
            {"id": "id", "name": "居民身份证"},
            {"id": "photo", "name": "近期免冠彩色证件照", "form": "electronic"},
        ]
    )
    results, problems, mapping = run(build_checklist(guide, {}), [id_front(), id_back(), []])
    assert mapping["f2"] == "photo" and not problems
    assert results["photo"].status == "provided" and "照片" in results["photo"].note
