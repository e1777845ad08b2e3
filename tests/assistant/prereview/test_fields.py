"""Field extraction per material type from OCR-like lines (glued labels, noise, 繁体; made-up people)."""

from __future__ import annotations

from datetime import date

from assistant.prereview.field_parsing import clean_name, find_credit_code, find_ids
from assistant.prereview.fields import extract_fields
from assistant.prereview.validators import make_id_number
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
    noisy,
    power_of_attorney,
    property_cert,
    social_security_card,
)


def test_id_front_with_glued_labels_and_wrapped_address() -> None:
    fields = extract_fields("id_card_front", make_file(id_front()))
    assert fields.names == {"holder": FATHER}
    assert fields.id_numbers == {"holder": FATHER_ID}
    assert fields.dates["birth"] == "1988-06-12"
    assert fields.other["gender"] == "男" and fields.other["ethnicity"] == "汉"
    assert fields.address == "北京市东城区示例街道幸福路1号院2号楼301"


def test_id_front_through_spaces_full_width_and_shuffled_lines() -> None:
    fields = extract_fields("id_card_front", make_file(noisy(id_front()), boxes=False))
    assert fields.names["holder"] == FATHER
    assert fields.id_numbers["holder"] == FATHER_ID


def test_id_front_in_traditional_characters_keeps_the_original_name() -> None:
    lines = ["姓名陳志明", "性別男 民族漢", "出生1988年6月12日", "住址臺北路1號", f"公民身份號碼{FATHER_ID}"]
    fields = extract_fields("id_card_front", make_file(lines))
    assert fields.names["holder"] == "陳志明"  # shown as printed; compared after 繁→简
    assert fields.id_numbers["holder"] == FATHER_ID
    assert fields.dates["birth"] == "1988-06-12"


def test_ocr_look_alikes_are_fixed_only_when_that_validates_the_number() -> None:
    assert FATHER_ID[2:4] == "01"
    damaged = FATHER_ID[:2] + "Ol" + FATHER_ID[4:]
    assert find_ids(f"公民身份号码{damaged}") == [FATHER_ID]
    wrong = FATHER_ID[:-1] + ("1" if FATHER_ID[-1] != "1" else "2")
    damaged_wrong = wrong[:2] + "Ol" + wrong[4:]
    assert find_ids(f"公民身份号码{damaged_wrong}") == [damaged_wrong]  # no fix validates it: kept as printed
    assert find_ids(f"公民身份号码{wrong}") == [wrong]


def test_look_alike_zero_and_one_inside_an_id() -> None:
    number = make_id_number("110101", date(2001, 1, 10), 101)
    damaged = number.replace("0", "O", 2).replace("1", "l", 1)
    assert find_ids(f"公民身份号码{damaged}") == [number]


def test_id_back_validity_and_authority() -> None:
    fields = extract_fields("id_card_back", make_file(id_back("2016.05.01-长期")))
    assert fields.other["authority"] == "北京市公安局东城分局"
    assert fields.dates == {"valid_from": "2016-05-01", "valid_until": "长期"}


def test_both_sides_in_one_file() -> None:
    fields = extract_fields("id_card_front", make_file([id_front(), id_back()]))
    assert fields.id_numbers["holder"] == FATHER_ID
    assert fields.dates["valid_until"] == "2036-05-01"


def test_value_on_the_line_after_its_label() -> None:
    fields = extract_fields(
        "id_card_back",
        make_file(
            ["中华人民共和国", "居民身份证", "签发机关", "北京市公安局", "有效期限", "2016.05.01-2036.05.01"]
        ),
    )
    assert fields.other["authority"] == "北京市公安局"
    assert fields.dates["valid_until"] == "2036-05-01"


def test_hukou_members_and_pages() -> None:
    pages = [hukou_index(), hukou_person(), hukou_person(MOTHER, MOTHER_ID, "妻")]
    fields = extract_fields("hukou_booklet", make_file(pages))
    assert fields.names["holder"] == FATHER and fields.names["member_2"] == MOTHER
    assert fields.names["head"] == FATHER
    assert fields.id_numbers == {"holder": FATHER_ID, "member_2": MOTHER_ID}
    assert fields.registration_number == "012345678"
    assert fields.other["hukou_pages"] == "index,person,person"


def test_hukou_index_page_only() -> None:
    fields = extract_fields("hukou_booklet", make_file(hukou_index()))
    assert fields.other["hukou_pages"] == "index"
    assert "holder" not in fields.names


def test_marriage_certificate_spouses() -> None:
    fields = extract_fields("marriage_certificate", make_file(marriage()))
    assert fields.names["husband"] == FATHER and fields.names["wife"] == MOTHER
    assert fields.id_numbers == {"husband": FATHER_ID, "wife": MOTHER_ID}
    assert fields.names["holder"] == FATHER
    assert fields.dates["registered"] == "2018-05-20"
    assert fields.registration_number == "J110101-2018-001234"


def test_marriage_certificate_in_traditional_characters() -> None:
    lines = [
        "結婚證",
        f"持證人{FATHER}",
        "登記日期2018年05月20日",
        f"姓名{FATHER} 性別男",
        f"身份證件號{FATHER_ID}",
        f"姓名{MOTHER} 性別女",
        f"身份證件號{MOTHER_ID}",
    ]
    fields = extract_fields("marriage_certificate", make_file(lines))
    assert fields.id_numbers == {"husband": FATHER_ID, "wife": MOTHER_ID}
    assert fields.dates["registered"] == "2018-05-20"


def test_birth_certificate_two_columns() -> None:
    fields = extract_fields("birth_certificate", make_file(birth_cert()))
    assert fields.names == {"child": CHILD, "mother": MOTHER, "father": FATHER}
    assert fields.id_numbers == {"mother": MOTHER_ID, "father": FATHER_ID}
    assert fields.dates["birth"] == "2024-05-06"
    assert fields.registration_number == "Q110012345"


def test_birth_certificate_one_parent_after_the_other() -> None:
    lines = [
        "出生医学证明",
        f"新生儿姓名{CHILD}",
        "出生时间2024年5月6日",
        f"母亲姓名{MOTHER}",
        f"身份证件号码{MOTHER_ID}",
        f"父亲姓名{FATHER}",
        f"身份证件号码{FATHER_ID}",
    ]
    fields = extract_fields("birth_certificate", make_file(lines))
    assert fields.id_numbers == {"mother": MOTHER_ID, "father": FATHER_ID}


def test_business_license() -> None:
    fields = extract_fields("business_license", make_file(business_license()))
    assert fields.credit_code == CREDIT_CODE
    assert fields.names["legal_representative"] == FATHER
    assert fields.other["company"] == "北京示例餐饮有限公司"
    assert fields.dates["established"] == "2020-01-15" and fields.dates["registered"] == "2020-01-15"
    assert fields.dates["valid_until"] == "长期"


def test_credit_code_look_alike_fixed_when_valid() -> None:
    damaged = CREDIT_CODE.replace("0", "O")
    assert find_credit_code(f"统一社会信用代码{damaged}") == CREDIT_CODE
    wrong = CREDIT_CODE[:-1] + ("A" if CREDIT_CODE[-1] != "A" else "B")
    assert find_credit_code(f"统一社会信用代码{wrong}") == wrong  # kept as printed, for the check to flag


def test_social_security_card() -> None:
    fields = extract_fields("social_security_card", make_file(social_security_card()))
    assert fields.names["holder"] == FATHER and fields.id_numbers["holder"] == FATHER_ID
    assert fields.registration_number == "A12345678"
    assert fields.dates["issue"] == "2019-08-01"


def test_property_certificate() -> None:
    fields = extract_fields("property_certificate", make_file(property_cert()))
    assert fields.names == {"holder": FATHER, "holder_2": MOTHER}
    assert fields.registration_number == "京(2021)朝阳区不动产权第0012345号"
    assert fields.address == "朝阳区示例路8号院3号楼2单元501"
    assert fields.other["sharing"] == "共同共有"


def test_application_form() -> None:
    fields = extract_fields("application_form", make_file(application_form()))
    assert fields.names == {"applicant": FATHER, "child": CHILD}
    assert fields.id_numbers == {"applicant": FATHER_ID}
    assert fields.other["phone"] == "13800138000"
    assert fields.dates["signed"] == "2024-05-10"
    assert fields.other["signature_required"] == "1"


def test_power_of_attorney() -> None:
    fields = extract_fields("power_of_attorney", make_file(power_of_attorney()))
    assert fields.names == {"principal": FATHER, "agent": AGENT}
    assert fields.id_numbers == {"principal": FATHER_ID, "agent": AGENT_ID}
    assert "代为办理" in fields.other["matter"]


def test_page_markers() -> None:
    fields = extract_fields("application_form", make_file([*application_form(), "第1页 共3页"]))
    assert fields.other["pages_total"] == "3" and fields.other["page_numbers"] == "1"
    assert fields.other["page_count"] == "1"


def test_names_are_short_runs_of_characters() -> None:
    assert clean_name("张小明") == "张小明"
    assert clean_name("张小明 男") == "张小明"
    assert clean_name("承诺以上信息真实有效") == ""
    assert clean_name("签字") == ""
    assert clean_name("阿依古丽·买买提") == "阿依古丽·买买提"
    assert clean_name("") == ""


def test_unrecognised_yields_only_page_facts() -> None:
    fields = extract_fields("unrecognised", make_file(["随便一段文字"]))
    assert not fields.names and not fields.id_numbers
    assert fields.other == {"page_count": "1"}


def test_labels_in_parentheses_and_prose() -> None:
    lines = [
        "授权委托书",
        f"法定代表人(委托人):{FATHER}",
        f"受托人:{AGENT}",
        f"身份证号:{AGENT_ID}",
        "受托人在办理过程中所签署的有关文件,委托人均予以承认。",
        f"委托人（签字）：{FATHER}",
    ]
    fields = extract_fields("power_of_attorney", make_file(lines))
    assert fields.names["principal"] == FATHER and fields.names["agent"] == AGENT
    assert fields.id_numbers == {"agent": AGENT_ID}


def test_statement_author_owns_the_id_before_the_child() -> None:
    lines = [
        "非婚生育情况说明",
        f"说明人{MOTHER}",
        f"身份证号{MOTHER_ID}",
        f"新生儿姓名{CHILD}",
        "出生日期2024年05月06日",
    ]
    fields = extract_fields("application_form", make_file(lines))
    assert fields.names == {"applicant": MOTHER, "child": CHILD}
    assert fields.id_numbers == {"applicant": MOTHER_ID}
    assert fields.dates["birth"] == "2024-05-06"
