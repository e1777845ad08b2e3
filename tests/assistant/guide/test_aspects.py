"""Which field of a guide a plain question asks about; materials questions go to the dialogue."""

from __future__ import annotations

import pytest

from assistant.guide.aspects import Aspect, asked_aspects, without_aspect_words


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("执业药师首次注册在哪里办理", [Aspect.LOCATION]),
        ("新生儿出生一件事收费吗", [Aspect.FEE]),
        ("退休手续要多久才能办完", [Aspect.TIME_LIMIT]),
        ("開辦餐飲店的辦理流程是什麼", [Aspect.STEPS]),  # Traditional script
        ("信用修复需要满足什么条件", [Aspect.CONDITIONS]),
        ("社保卡能在网上办吗", [Aspect.CHANNELS]),
        ("这个事项归哪个部门管", [Aspect.DEPARTMENT]),
        ("有没有咨询电话", [Aspect.PHONE]),
        ("办理依据是哪个文件规定的", [Aspect.BASIS]),
        ("多少钱，要多久", [Aspect.TIME_LIMIT, Aspect.FEE]),
    ],
)
def test_the_field_asked_is_recognised(question: str, expected: list[Aspect]) -> None:
    assert asked_aspects(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "执业药师首次注册要什么材料",
        "在哪里办，要带什么",
        "孩子刚出生要办什么手续",
        "高效办成一件事是什么",
        "",
    ],
)
def test_materials_and_general_requests_are_not_field_questions(question: str) -> None:
    assert asked_aspects(question) == []


def test_a_certificate_named_in_the_question_is_not_a_materials_question() -> None:
    assert asked_aspects("无犯罪记录证明去哪里办") == [Aspect.LOCATION]


@pytest.mark.parametrize(
    ("question", "item_words"),
    [
        ("注册安全工程师考试报名的咨询电话是多少", "注册安全工程师考试报名"),
        ("最低生活保障业务申请预约多久能办好", "最低生活保障业务申请预约"),
        ("信用修复需要满足什么条件", "信用修复"),
        ("信用修复收费吗", "信用修复"),
    ],
)
def test_the_words_left_after_the_field_words_name_the_item(question: str, item_words: str) -> None:
    assert without_aspect_words(question) == item_words
