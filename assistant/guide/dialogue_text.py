"""What the guided dialogue says: short, polite Simplified Chinese for every citizen, elderly included."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.guide.models import ServiceGuide, Situation

BACK = "上一步"
SWITCH = "重新选择事项"
EDIT = "修改回答"
NONE_OF_THEM = "都不是"

LEFT = "好的，已退出办事引导。您有其他问题，随时可以问我。"
NONE_OF_THEM_LEFT = "好的。请换个说法告诉我您想办的事，我再帮您找找。"
NOT_UNDERSTOOD = "抱歉，我没有听明白。"
CONFUSED = "没关系，如果不确定，可以先选最接近的一项，之后还能修改。"
HELP = "如果不方便选择，可以回复“转人工”，或拨打12345政务服务便民热线咨询。"
FIRST_QUESTION = "这已经是第一个问题了。"
ASK_ITEM = "请告诉我您想办理的事项，比如“新生儿出生”“开办餐饮店”。"
EDIT_WHICH = "您想修改哪一项的回答？请点选或回复序号："
CHECKLIST_LEAD = "根据您的情况，为您整理了办事清单："


def numbered(labels: Sequence[str]) -> str:
    """``1. 甲`` one per line, so that a reply by number works without buttons."""
    return "\n".join(f"{index}. {label}" for index, label in enumerate(labels, 1))


def clarify_item(guides: Sequence[ServiceGuide], *, again: bool = False) -> str:
    """Which of these items?"""
    lead = NOT_UNDERSTOOD + "请" if again else "请问"
    return f"{lead}您想办理的是下面哪一项？请点选或回复序号：\n" + numbered([g.name for g in guides])


def begin(guide: ServiceGuide) -> str:
    """The first words once the item is known."""
    return f"好的，我们来办理【{guide.name}】。"


def understood(labels: Sequence[str]) -> str:
    """What the citizen's own words already answered."""
    return "根据您的描述，已了解：" + "；".join(labels) + "。" if labels else ""


def noted(labels: Sequence[str], *, changed: bool) -> str:
    """Acknowledge answers read from a reply."""
    if not labels:
        return ""
    return ("好的，已修改为：" if changed else "好的，已记下：") + "；".join(labels) + "。"


def question(situation: Situation, *, first: bool) -> str:
    """One 情形 question with its numbered options."""
    lead = "为了列出您需要的材料，请回答几个简单的问题。\n" if first else ""
    return f"{lead}{situation.question}\n" + numbered([o.label for o in situation.options])


def reask(situation: Situation, *, reasks: int, confused: bool) -> str:
    """The same question again, after a reply that chose no option."""
    lead = CONFUSED if confused else NOT_UNDERSTOOD + "请从下面选一项，或回复序号："
    text = f"{lead}\n{situation.question}\n" + numbered([o.label for o in situation.options])
    return text + ("\n" + HELP if reasks >= 2 else "")


def short_question(situation: Situation) -> str:
    """The question without its parenthesised explanation, for a button."""
    text = situation.question.split("（")[0].strip()
    return text if text.endswith(("？", "?")) else text + "？"
