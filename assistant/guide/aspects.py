"""What a plain question asks about a service item: 办理地点, 时限, 收费, 流程, 条件, 依据 …

"执业药师首次注册在哪里办理" asks one fact of one guide; it is answered from the guide directly (with
the guide cited) instead of starting the guided dialogue. A question about materials is not an
aspect here: the materials depend on 情形, so the guided dialogue answers it with a checklist.
"""

from __future__ import annotations

import re
from enum import StrEnum

from assistant.textnorm import normalize


class Aspect(StrEnum):
    """One field of a 办事指南 a citizen can ask about."""

    LOCATION = "办理地点"
    CHANNELS = "办理渠道"
    TIME_LIMIT = "办理时限"
    FEE = "收费标准"
    STEPS = "办理流程"
    CONDITIONS = "办理条件"
    BASIS = "设定依据"
    PHONE = "咨询电话"
    DEPARTMENT = "实施主体"


def _cue(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives))


_CUES: dict[Aspect, re.Pattern[str]] = {
    Aspect.LOCATION: _cue(
        r"在哪(里|儿)?(办|申请|交|递交|提交|受理)",
        r"去哪(里|儿)?办",
        "办理地点",
        "地址",
        "哪个窗口",
        "哪个大厅",
    ),
    Aspect.CHANNELS: _cue(
        r"网上(能|可以)?办",
        r"能(不能)?(在)?网上",
        "线上办",
        "网办",
        r"手机上(能|可以)?办",
        "掌上办",
        r"自助(终端|机)",
        "不用跑",
        "跑几次",
        "邮寄",
    ),
    Aspect.TIME_LIMIT: _cue(
        "多久",
        "多长时间",
        "几天",
        "多少天",
        r"多少个?工作日",
        "时限",
        r"什么时候(能|可以)?(办好|办完|拿到|出结果)",
        "办结时间",
    ),
    Aspect.FEE: _cue("收费", "多少钱", "费用", "要钱", "花钱", "免费", "交钱", "缴费"),
    Aspect.STEPS: _cue("流程", "步骤", "程序", "环节", "先办什么"),
    Aspect.CONDITIONS: _cue(
        r"(满足|符合|具备)?(什么|哪些|啥)条件",
        "受理条件",
        "办理条件",
        "申请条件",
        r"符合(什么|哪些)",
        "资格",
        r"谁(能|可以)(办|申请)",
    ),
    Aspect.BASIS: _cue("依据", "法律规定", "法规", "哪个文件规定"),
    Aspect.PHONE: _cue(r"(咨询)?电话", r"(咨询)?热线", "联系方式", "怎么联系"),
    Aspect.DEPARTMENT: _cue(r"哪个(部门|单位|机关)", "什么部门", r"谁(负责|受理|审批)", "归哪", "主管部门"),
}

_MATERIALS = re.compile(r"材料|(什么|哪些|啥)证件|带(什么|啥|哪些)|准备(什么|啥|哪些)|要(什么|啥)东西|清单")
"""Materials depend on 情形: these questions go to the guided dialogue, not to a single field."""


_FILLERS = re.compile(
    r"(是多少|是什么|有哪些|是怎样的|怎么样|能不能|可不可以|可以|需要|要|能|的|吗|呢|啊|？|\?|，|,|。)+$"
)


def without_aspect_words(text: str) -> str:
    """``text`` with the words that ask for a field removed: what is left names the item
    (“注册安全工程师考试报名的咨询电话是多少” → “注册安全工程师考试报名”)."""
    stripped = normalize(text)
    for cue in _CUES.values():
        stripped = cue.sub(" ", stripped)
    parts = [_FILLERS.sub("", part.strip()) for part in stripped.split(" ")]
    return max(parts, key=len) if parts else ""


def asks_for_materials(text: str) -> bool:
    """Whether ``text`` asks what to bring or prepare (answered by a checklist)."""
    return bool(_MATERIALS.search(normalize(text)))


def asked_aspects(text: str) -> list[Aspect]:
    """The aspects ``text`` asks about, in a stable order; [] when it asks none or asks for materials."""
    if asks_for_materials(text):
        return []
    normalized = normalize(text)
    return [aspect for aspect, cue in _CUES.items() if cue.search(normalized)]
