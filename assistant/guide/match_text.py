"""Text rules of the catalogue matcher: query cleaning, request cues, item stages, matching units.

Citizens wrap what they need in filler (“请问”, “我想”, “需要什么材料”, “在哪里办”) and talk about the
service system itself (“窗口”, “平台”, “一件事”); neither says *which* service they mean, so both are
cut out (replaced by a break, so that no character bigram spans the cut) before tokenising. Cues read
from the whole text:

- *generic*: life-event talk that asks for everything to do (“要办哪些手续”, “能一起办吗”): a 一件事
  bundle fits it better than one of its items;
- *informational*: a question about what something is, about policy, or about a fact (fee, time,
  telephone): answered, not guided, so a guided flow needs a much stronger match;
- *about services*: a question about how services are delivered (the window, the hall, the platform,
  the hotline, 办事 in general) or about what a policy offers (能享受哪些…, 有什么优惠), and no request:
  informational too, unless the item the text names holds the system word itself (…窗口地址查询);
- *request*: wanting to do something (我要, 想申请), asking how to do it, what to bring or where to go:
  the cue above does not hold when the text also makes a request (“我想去窗口办护照，要带什么”);
- *stages*: the later stage of a service a text names (变更, 补领, 注销 …): an item for a later stage is
  unlikely when the request names none, and wrong when it names another;
- *lookup*: whether the request asks to look something up (an item “…查询” is for those only).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.textnorm import normalize
from assistant.tokenization import cjk_bigrams


def _words(text: str) -> tuple[str, ...]:
    """The space-separated words of a literal (long word lists read better this way)."""
    return tuple(text.split())


def _alternation(words: str) -> re.Pattern[str]:
    """A pattern matching any of the space-separated ``words``, longest first."""
    return re.compile("|".join(re.escape(w) for w in sorted(set(words.split()), key=len, reverse=True)))


#: Politeness, wishes and question frames.
_FILLER = _alternation(
    """
    请问一下 请问 想问一下 想问下 问一下 我想问 咨询一下 你好 您好 在吗 哈喽
    我们想 我们要 我想要 我想 我要 想要 打算 准备 想 听说
    需要准备哪些材料 需要准备什么材料 要准备哪些材料 要准备什么材料 需要哪些材料 需要什么材料
    要哪些材料 要什么材料 要交什么材料 交什么材料 准备什么材料 需要带什么 要带什么 带什么材料
    需要准备什么 要准备什么 要交什么 要什么证件
    在哪里办理 在哪里办 在哪儿办 在哪办 去哪里办 去哪儿办 去哪办 到哪里办 到哪办 哪里办 哪里能办
    在哪里 去哪里 在哪儿 去哪儿 在哪 去哪 哪里
    怎么办理 如何办理 怎样办理 怎么申请 如何申请 怎么操作 怎么办 怎么弄 怎么搞 咋办 咋弄 该怎么
    怎么 如何 怎样
    要办哪些手续 要办什么手续 需要办什么 要办什么 办哪些手续 有哪些手续 哪些手续 什么手续 手续
    能不能 可不可以 可以吗 能否 行不行 是不是 有没有 可以
    一下 什么 哪些 啥 吗 呢 啊 呀 吧 嘛
    """
)
#: The government-service system itself, not a service item: cut out, but still counted as content
#: the catalogue cannot explain (“窗口工作人员是谁派的” is no request for a 工作人员 item).
_SYSTEM = _alternation(
    "政务服务中心 便民服务中心 政务服务 政务大厅 一网通办 高效办成 一件事 平台 窗口 大厅 热线 12345 办事"
)

_GENERIC = re.compile(
    r"(要|需要|得|都|还)?办(哪些|什么|啥)|哪些(手续|证|事)|什么手续|一起办|(?<!第)一次办|一起申请|"
    r"(?<!第)一次申请|合并办|一站式|一件事|都要办|几个部门|跑几|一次性办|同时办|打包办"
)

_INFORMATIONAL = re.compile(
    # what a thing is, who does it, when, how policy develops
    r"是什么|是啥|是干什么|是干嘛|干什么的|干嘛的|做什么的|什么意思|啥意思|指的是|指什么|有啥用|有什么用|"
    r"哪年|哪天|什么时候发|何时|谁来|谁负责|归谁|由谁|谁派|谁编|谁审|谁保障|以后会|将来|会不会|"
    r"什么区别|有何区别|什么关系|多少种|多少次|多少条|多少个|几类|几级|文件|意见|政策解读|(?<!按)规定|"
    r"什么样|怎么回事|什么程度|啥程度|什么作用|起什么|怎么落实|怎么管|有什么要求|有啥要求|这些事|"
    r"改革|机制|体系|目录|标准化|国家标准|试点|推广|\d{4}年|"
    # facts about a service (fee, time, contact, opening hours): to be answered, not guided
    r"多少钱|工本费|收费标准|要钱吗|几天能|多久能|多长时间|电话|几点|上班吗|下班|休息吗|排队|地址和"
)

#: The service system itself (where and through whom services are delivered): a question that talks
#: about it and makes no request asks how services work, not for an item.
_SYSTEM_TALK = re.compile(
    r"政务服务中心|便民服务中心|政务服务|便民服务|服务中心|政务大厅|办事大厅|大厅|窗口|平台|热线|(?<!\d)12345(?!\d)|一网通办|"
    r"办事(?!指南|清单|处)"  # an item's 办事指南 or 办事清单 is asked for by name; a 办事处 is an office
)
#: What a policy offers a group of people: a question about policy, not about one item.
_OFFERS = re.compile(
    r"享受(哪些|什么|啥)|(有|提供)(哪些|什么|啥)[^，。？！,.?!\s]{0,6}"
    r"(服务|优惠|政策|措施|改造|便利|帮助|帮扶|支持|扶持|福利|待遇|照顾|保障)"
)
#: An explicit request: wanting to do something, asking how to do it, what to bring or where to go.
_REQUEST = re.compile(
    r"(?<!不)我们?(想|要)(?!问|咨询|了解|知道)|(?<!不)想要?(办|申请|申领|补|换|开|领|交|登记|注册|报名|预约)|"
    r"(要|需要|得)(办|申请|申领)|(怎么|如何|怎样|咋)(办|申请|申领|弄|搞|操作|开通|补|换|登记|注册|报名|预约|交|缴|领|开)|"
    r"材料|证件|带什么|手续|(在|去|到)哪[里儿]?(办|申请|领|交|开)|哪里能办"
)

#: Actions that make an item a *later stage* of a service (change, renew, replace, cancel …).
LATER_STAGE = _words(
    """
    变更 注销 转让 续期 延续 补证 补发 补领 补办 换发 换证 换领 撤销 迁出 迁入 挂失 遗失 延期 再次
    复核 复议 复查 退费 年检 年审 审验 停止 终止 恢复 收回 暂停 重核
    """
)
#: Words of a first-time action: an all-in-one item (“首次、延期、换发、补发…”) is no later stage.
FIRST_STAGE = _words("首次 初次 初始 新办 设立 核发 申领 初审")
#: Items that look something up; 进度 (办证进度查询) counts twice.
LOOKUP = _words("查询 进度 名单 公示")
_LOOKUP_INTENT = re.compile(r"查|看看|看一下|核对|名单|哪家|进度|办到哪|真伪|真的假的|是不是真的|打印")

_VARIANT = re.compile(r"[(（][^()（）]*(?:[(（][^()（）]*[)）][^()（）]*)*[)）]\s*$")
_FUNCTION_CHARS = frozenset("的了吗呢吧啊呀嘛我你您们")
_CJK_PAIR = re.compile(r"[\u4e00-\u9fff]{2}")


def clean_query(text: str) -> tuple[str, int]:
    """The matching form of a query (normalised; filler and system words replaced by breaks) and the
    number of system words cut out."""
    text, system = _SYSTEM.subn(" ", normalize(text))
    return _FILLER.sub(" ", text), system


def is_generic(text: str) -> bool:
    """Whether the (normalised) text asks for everything a situation needs (bundle talk)."""
    return bool(_GENERIC.search(text))


def is_informational(text: str) -> bool:
    """Whether the (normalised) text asks what something is, about policy or about a fact."""
    return bool(_INFORMATIONAL.search(text))


def is_request(text: str) -> bool:
    """Whether the (normalised) text asks to do something: wants it, asks how, what to bring or where."""
    return bool(_REQUEST.search(text))


def system_words(text: str) -> frozenset[str]:
    """The words for the service system itself (窗口, 办事 …) in the (normalised) text."""
    return frozenset(_SYSTEM_TALK.findall(text))


def asks_offers(text: str) -> bool:
    """Whether the (normalised) text asks what a policy offers (能享受哪些…, 有什么优惠)."""
    return bool(_OFFERS.search(text))


def asks_lookup(text: str) -> bool:
    """Whether the (normalised) request asks to look something up."""
    return bool(_LOOKUP_INTENT.search(text))


def stages(text: str) -> frozenset[str]:
    """The later-stage actions named in ``text``."""
    return frozenset(word for word in LATER_STAGE if word in text)


def is_first_stage(text: str) -> bool:
    """Whether ``text`` names a first-time action."""
    return any(word in text for word in FIRST_STAGE)


def base_name(name: str) -> str:
    """An item name without the variant in its final parentheses (“律师执业变更审核(跨市转所)” →
    “律师执业变更审核”)."""
    return _VARIANT.sub("", name).strip()


def item_stages(name: str) -> frozenset[str]:
    """The later stages an item's name stands for, its variant's included (“乡村建设规划许可证核发(…延期
    使用)” is a 延期); a part of the name that names a first-time action names no later stage."""
    variant = _VARIANT.search(name)
    parts = [name[: variant.start()], variant.group(0)] if variant else [name]
    found: set[str] = set()
    for part in parts:
        if not is_first_stage(part):
            found |= stages(part)
    return frozenset(found)


def units_of(words: Sequence[str], bigrams: Sequence[str]) -> list[str]:
    """Matching units: words of two or more characters (single characters have their own field) and the
    bigrams that hold no particle or pronoun (“门的”, “人了” span two words and mean nothing)."""
    return [w for w in words if len(w) > 1] + [b for b in bigrams if not _FUNCTION_CHARS.intersection(b)]


def bigram_units(*texts: str) -> list[str]:
    """The character bigrams of the texts (normalised), without those holding a particle or pronoun."""
    grams = cjk_bigrams(normalize("；".join(texts)))
    return [g for g in grams if len(g) == 2 and not _FUNCTION_CHARS.intersection(g)]


def is_cjk_pair(unit: str) -> bool:
    """Whether ``unit`` is two CJK characters (a candidate abbreviation)."""
    return bool(_CJK_PAIR.fullmatch(unit))
