"""Material recognition from OCR-like text, and the sample builders the other pre-review tests share.

Every person, number and organisation here is made up; ID numbers and credit codes get valid check
characters from the validators' own helpers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import cast

import pytest

from assistant.prereview.classify import classify, find_cue, make_line, text_lines
from assistant.prereview.models import ExtractedFile, OcrLine, PageText, StoredUpload
from assistant.prereview.validators import make_credit_code, make_id_number

# --------------------------------------------------------------------------------------- made-up people

FATHER = "王建国"
MOTHER = "李秀兰"
CHILD = "王小宝"
FATHER_ID = make_id_number("110101", date(1988, 6, 12), 135)
MOTHER_ID = make_id_number("110105", date(1990, 9, 3), 246, female=True)
AGENT = "赵明远"
AGENT_ID = make_id_number("310104", date(1975, 1, 20), 317)
CREDIT_CODE = make_credit_code("91110105MA01ABCD2")


# -------------------------------------------------------------------------------------------- builders


def make_file(
    lines: list[str] | list[list[str]],
    file_id: str = "f1",
    name: str = "scan.jpg",
    score: float = 0.95,
    boxes: bool = True,
) -> ExtractedFile:
    """An ``ExtractedFile`` from OCR-like lines (a list of lists for several pages)."""
    several = bool(lines) and isinstance(lines[0], list)
    pages_lines = cast("list[list[str]]", lines if several else [lines])
    pages = []
    for page in pages_lines:
        ocr = [OcrLine(text, _row_box(i) if boxes else (), score) for i, text in enumerate(page)]
        pages.append(PageText("\n".join(page), "ocr", ocr))
    upload = StoredUpload(file_id, name, "jpeg", 1000, Path("/nonexistent") / file_id)
    return ExtractedFile(upload, pages)


def _row_box(row: int) -> tuple[tuple[float, float], ...]:
    top = 40.0 * row
    return ((10.0, top), (300.0, top), (300.0, top + 30), (10.0, top + 30))


def id_front(name: str = FATHER, number: str = FATHER_ID, gender: str = "男") -> list[str]:
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return [
        f"姓名{name}",
        f"性别{gender} 民族汉",
        f"出生{born.year}年{born.month}月{born.day}日",
        "住址北京市东城区示例街道",
        "幸福路1号院2号楼301",
        f"公民身份号码{number}",
    ]


def id_back(valid: str = "2016.05.01-2036.05.01") -> list[str]:
    return ["中华人民共和国", "居民身份证", "签发机关北京市公安局东城分局", f"有效期限{valid}"]


def hukou_index(head: str = FATHER) -> list[str]:
    return [
        "居民户口簿",
        f"户别家庭户 户主姓名{head}",
        "户号012345678",
        "住址北京市东城区示例街道幸福路1号院",
        "户口登记机关北京市公安局东城分局",
    ]


def hukou_person(name: str = FATHER, number: str = FATHER_ID, relation: str = "户主") -> list[str]:
    return [
        "常住人口登记卡",
        f"姓名{name} 户主或与户主关系{relation}",
        "性别男 出生地北京市 民族汉",
        "出生日期1988年06月12日",
        f"公民身份证件编号{number}",
        "登记日期2010年01月05日",
    ]


def marriage(husband: str = FATHER, wife: str = MOTHER) -> list[str]:
    return [
        "结婚证",
        f"持证人{husband}",
        "登记日期2018年05月20日",
        "结婚证字号J110101-2018-001234",
        f"姓名{husband} 性别男",
        "国籍中国 出生日期1988年06月12日",
        f"身份证件号{FATHER_ID}",
        f"姓名{wife} 性别女",
        "国籍中国 出生日期1990年09月03日",
        f"身份证件号{MOTHER_ID}",
    ]


def birth_cert(
    born: str = "2024年05月06日", mother: str = MOTHER, father: str = FATHER, mother_id: str = MOTHER_ID
) -> list[str]:
    return [
        "出生医学证明",
        "出生证编号Q110012345",
        f"新生儿姓名{CHILD} 性别男",
        f"出生时间{born}10时20分",
        "出生地点北京市东城区",
        "出生孕周39周 健康状况良好 身长50厘米 体重3300克",
        f"母亲姓名{mother} 父亲姓名{father}",
        "年龄33 年龄35",
        "国籍中国 国籍中国",
        "民族汉 民族汉",
        f"身份证件号码{mother_id} 身份证件号码{FATHER_ID}",
        "接生机构名称北京市示例妇产医院",
        "签发日期2024年05月08日",
    ]


def business_license(code: str = CREDIT_CODE) -> list[str]:
    return [
        "营业执照",
        f"统一社会信用代码{code}",
        "名称北京示例餐饮有限公司",
        "类型有限责任公司（自然人投资或控股）",
        f"法定代表人{FATHER}",
        "经营范围餐饮服务；食品销售",
        "注册资本壹佰万元整",
        "成立日期2020年01月15日",
        "营业期限2020年01月15日至长期",
        "住所北京市朝阳区示例路8号",
        "登记机关",
        "2020年01月15日",
        "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn",
    ]


def social_security_card(name: str = FATHER, number: str = FATHER_ID) -> list[str]:
    return [
        "中华人民共和国社会保障卡",
        f"姓名{name}",
        f"社会保障号码{number}",
        "卡号A12345678",
        "发卡日期2019年08月",
        "银联",
    ]


def property_cert() -> list[str]:
    return [
        "不动产权证书",
        "京(2021)朝阳区不动产权第0012345号",
        f"权利人{FATHER}、{MOTHER}",
        "共有情况共同共有",
        "坐落朝阳区示例路8号院3号楼2单元501",
        "不动产单元号110105001001GB00001F00010001",
        "权利类型国有建设用地使用权/房屋所有权",
        "权利性质出让/商品房",
        "用途住宅",
        "面积89.5平方米",
        "使用期限2070年12月31日止",
    ]


def application_form(name: str = FATHER, number: str = FATHER_ID) -> list[str]:
    return [
        "新生儿出生“一件事”联办申请表",
        f"申请人姓名{name} 联系电话13800138000",
        f"身份证号码{number}",
        f"新生儿姓名{CHILD}",
        "申请事项出生登记、医保参保、社保卡申领",
        "本人承诺以上信息真实有效",
        f"申请人（签字）：{name}",
        "日期：2024年05月10日",
    ]


def power_of_attorney() -> list[str]:
    return [
        "授权委托书",
        f"委托人：{FATHER} 身份证号：{FATHER_ID}",
        f"受托人：{AGENT} 身份证号：{AGENT_ID}",
        "委托事项：代为办理社会保障卡申领",
        "委托期限：2024年05月10日至2024年06月10日",
        "特此委托。",
        "委托人（签字）：",
        "2024年05月10日",
    ]


SAMPLES: dict[str, Callable[[], list[str]]] = {
    "id_card_front": id_front,
    "id_card_back": id_back,
    "hukou_booklet": lambda: hukou_index() + hukou_person(),
    "marriage_certificate": marriage,
    "birth_certificate": birth_cert,
    "business_license": business_license,
    "social_security_card": social_security_card,
    "property_certificate": property_cert,
    "application_form": application_form,
    "power_of_attorney": power_of_attorney,
}


def noisy(lines: list[str], seed: int = 7) -> list[str]:
    """OCR-like damage: spaces inserted between characters, some full-width digits, lines shuffled."""
    rng = random.Random(seed)
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    out = []
    for line in lines:
        line = " ".join(line) if rng.random() < 0.3 else line
        out.append(line.translate(full) if rng.random() < 0.3 else line)
    rng.shuffle(out)
    return out


# ----------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_type_is_recognised(kind: str) -> None:
    result = classify(make_file(SAMPLES[kind]()))
    assert result.material_type == kind
    assert 0.5 <= result.confidence <= 1.0
    assert result.cues


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_recognised_through_spaces_full_width_digits_and_shuffled_lines(kind: str) -> None:
    result = classify(make_file(noisy(SAMPLES[kind]()), boxes=False))
    assert result.material_type == kind


def test_traditional_characters_are_recognised() -> None:
    lines = ["結婚證", f"持證人{FATHER}", "登記日期2018年05月20日", "結婚證字號J110101-2018-001234"]
    assert classify(make_file(lines)).material_type == "marriage_certificate"
    front = ["姓名陳小明", "性別男 民族漢", "出生1990年3月7日", "住址臺北路1號", f"公民身份號碼{FATHER_ID}"]
    assert classify(make_file(front)).material_type == "id_card_front"


def test_one_wrong_character_in_a_long_cue_still_counts() -> None:
    assert find_cue("公民身份号玛110", "公民身份号码") == pytest.approx(0.8)
    assert find_cue("户口", "户口簿") == 0.0
    lines = ["姓名张小明", "性别男 民族汉", "出生1990年3月7日", "住址北京市", f"公民身份號玛{FATHER_ID}"]
    assert classify(make_file(lines)).material_type == "id_card_front"


def test_front_and_back_in_one_file_reads_as_the_front() -> None:
    result = classify(make_file([id_front(), id_back()]))
    assert result.material_type == "id_card_front"
    assert "双面" in result.cues


def test_form_about_a_card_is_a_form_not_the_card() -> None:
    lines = [
        "社会保障卡申领（补换领）登记表",
        f"姓名{FATHER}",
        f"社会保障号码{FATHER_ID}",
        "申请人签字：",
        "日期：2024年5月1日",
    ]
    assert classify(make_file(lines)).material_type == "application_form"


def test_form_with_id_card_labels_is_still_a_form() -> None:
    lines = [
        "城乡居民基本医疗保险参保登记表",
        f"姓名{FATHER} 性别男 民族汉",
        f"公民身份号码{FATHER_ID}",
        "住址北京市东城区示例街道",
        "联系电话13800138000",
        "参保类别城乡居民 缴费档次一档",
        "申请人签字： 日期：",
    ]
    assert classify(make_file(lines)).material_type == "application_form"


def test_empty_text_is_unrecognised_with_zero_confidence() -> None:
    result = classify(make_file([]))
    assert (result.material_type, result.confidence) == ("unrecognised", 0.0)
    assert classify(make_file(["   "])).confidence == 0.0


@pytest.mark.parametrize(
    "lines",
    [
        ["今天天气晴，最高气温25度", "适合外出散步"],
        ["红烧肉做法", "五花肉500克", "冰糖适量，生抽两勺"],
        ["房屋租赁合同", "出租方（甲方）：某某", "承租方（乙方）：某某", "租金每月3000元"],
        ["姓名"],
    ],
)
def test_other_documents_are_unrecognised(lines: list[str]) -> None:
    assert classify(make_file(lines)).material_type == "unrecognised"


def test_rows_are_rebuilt_from_boxes_left_to_right() -> None:
    label = OcrLine("姓名", ((10, 10), (60, 10), (60, 40), (10, 40)))
    value = OcrLine("张小明", ((80, 12), (200, 12), (200, 42), (80, 42)))
    below = OcrLine("性别男", ((10, 60), (90, 60), (90, 90), (10, 90)))
    page = PageText("", "ocr", [below, value, label])
    extracted = ExtractedFile(StoredUpload("x", "x.jpg", "jpeg", 1, Path("/x")), [page])
    assert [line.display for line in text_lines(extracted)] == ["姓名张小明", "性别男"]


def test_make_line_keeps_original_characters_for_display() -> None:
    line = make_line("姓 名 陳小明 １２３")
    assert line.display == "姓名陳小明123"
    assert line.match == "姓名陈小明123"


def _skewed_box(
    x: float, y0: float, width: float, height: float, slope: float = 0.1
) -> tuple[tuple[float, float], ...]:
    """A text box on a photo turned by ``slope``: its top edge rises along y = y0 + slope·x."""
    top_left, top_right = (x, y0 + slope * x), (x + width, y0 + slope * (x + width))
    return (top_left, top_right, (top_right[0], top_right[1] + height), (x, top_left[1] + height))


def test_rows_follow_the_skew_of_a_photo() -> None:
    lines = [
        OcrLine("姓名", _skewed_box(100, 100, 60, 30)),
        OcrLine("张小明", _skewed_box(300, 95, 120, 40)),
        OcrLine("性别", _skewed_box(100, 160, 60, 30)),
        OcrLine("男", _skewed_box(300, 155, 40, 40)),
    ]
    extracted = ExtractedFile(StoredUpload("x", "x.jpg", "jpeg", 1, Path("/x")), [PageText("", "ocr", lines)])
    assert [line.display for line in text_lines(extracted)] == ["姓名张小明", "性别男"]
