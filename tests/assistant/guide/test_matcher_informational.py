"""A question about how services work starts no guided flow; a request for a catalogued item still does.

Questions about the service system itself (the window, the hall, the platform, the hotline, 办事 in
general) or about what a policy offers, that make no request, need the much stronger match of an
informational question. The wordings here are written for these tests, not taken from the benchmarks.
"""

from __future__ import annotations

import pytest

from assistant.guide.loader import load_catalogue
from assistant.guide.match_text import asks_offers, is_request, system_words
from assistant.guide.matcher import CatalogueMatcher
from assistant.lexicon import load_lexicon
from assistant.settings import PROJECT_ROOT
from assistant.textnorm import normalize
from assistant.tokenization import ChineseTokenizer


@pytest.mark.parametrize(
    "text",
    [
        "我想给孩子办出生医学证明",
        "我们要申请法律援助",
        "想补办残疾证",
        "残疾证丢了怎么补办",
        "开餐馆需要准备哪些材料",
        "办社保卡去哪里办",
        "还要办什么手续",
    ],
)
def test_requests_are_read_as_requests(text: str) -> None:
    assert is_request(normalize(text))


@pytest.mark.parametrize(
    "text",
    [
        "我不想排队，可以直接过去吗",  # 不想 is no wish to do something
        "我想问一下大厅几点开门",  # 我想问 only frames a question
        "窗口的工作人员是合同工还是公务员",
        "个体工商户能享受哪些减税政策",
    ],
)
def test_questions_are_not_read_as_requests(text: str) -> None:
    assert not is_request(normalize(text))


def test_system_words_and_offers() -> None:
    assert system_words(normalize("晚上去便民服务中心还能办事吗")) == {"便民服务中心", "办事"}
    assert system_words(normalize("想给公司办食品经营许可证")) == set()
    assert asks_offers(normalize("退役军人有哪些就业扶持政策"))
    assert asks_offers(normalize("低保户能享受哪些照顾"))
    assert not asks_offers(normalize("低保怎么申请"))


@pytest.fixture(scope="module")
def real() -> CatalogueMatcher:
    tokenizer = ChineseTokenizer(load_lexicon(PROJECT_ROOT / "knowledge" / "lexicon"))
    return CatalogueMatcher(load_catalogue(PROJECT_ROOT / "knowledge" / "guides").guides, tokenizer)


@pytest.mark.parametrize(
    "text",
    [
        # how services are delivered: the hall, the window, its staff, the platform, the hotline
        "网上约不上号，直接去大厅排队可以办吗",
        "晚上下班以后去便民服务中心还能办事吗",
        "不识字的老人去窗口办事，有工作人员帮着填吗",
        "政务大厅的引导员归哪个单位管",
        "窗口的工作人员是合同工还是公务员",
        "视力不好的人在网上办事有什么辅助功能",
        "热线打不通，还有别的渠道反映问题吗",
        "残疾人到政务服务中心办事有专门的通道吗",  # triggered 残疾人服务 before
        # what a policy offers a group of people
        "个体工商户能享受哪些减税政策",
        "退役军人有哪些就业扶持政策",  # triggered 退役军人接收预报到 before
        "低保户能享受哪些照顾",  # triggered 最低生活保障业务申请预约 before
    ],
)
def test_questions_about_services_start_no_guided_flow(real: CatalogueMatcher, text: str) -> None:
    assert real.decide(text) == [], [m.guide.name for m in real.decide(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我想给孩子办出生医学证明", "yjs-newborn"),
        ("残疾证丢了怎么补办", "gd-13440000455857174Y2442169058000"),
        ("开餐馆需要准备哪些材料", "yjs-restaurant"),
        ("我要申请法律援助", "gd-114400000069401674244050900100901"),
        ("办社保卡在哪里办", "yjs-social-security-card"),
        ("营业执照和食品经营许可证可以一起办吗", "yjs-restaurant"),
        ("员工入职的社保和公积金能一起办吗", "yjs-employee-hiring"),
        # a request that mentions the window or the service centre is still a request
        ("想去窗口办港澳通行证，要带什么", "gd-11440100007483172Q3440106043001"),
        ("在政务服务中心申请低保要带什么证件", "gd-11440000006940175Y2442108006000"),
        # a system word the item's own name holds names the item
        ("电子监控违章有异议，受理窗口地址", "gd-11440000006940140C2442106370000"),
    ],
)
def test_requests_still_start_the_guided_flow(real: CatalogueMatcher, text: str, expected: str) -> None:
    assert expected in [m.guide.id for m in real.decide(text)]
