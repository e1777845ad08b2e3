"""The service catalogue schema (办事指南 as data), validated on load.

A guide is either a single service item (``kind: item``) or a 一件事 bundle of items
(``kind: bundle``) with the department of each. 情形 questions (``situations``) have options;
materials, steps and sub-items carry a ``when`` condition saying which answers require them.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LOCAL_RULES_PREVAIL = "以上为参考信息，具体以当地政务服务机构的最新规定和窗口答复为准。"

#: ``{situation_id: [option_id, ...]}``: holds when, for every listed situation, the answer is
#: one of the listed options. An empty condition always holds.
Condition = dict[str, list[str]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SituationOption(_Strict):
    """One answer to a 情形 question; ``phrases`` are how citizens say it in their own words."""

    id: str = Field(min_length=1)
    label: str = Field(min_length=1)
    phrases: list[str] = Field(default_factory=list)


class Situation(_Strict):
    """A 情形 question that changes the materials or steps; asked only when ``ask_when`` holds."""

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    options: list[SituationOption] = Field(min_length=2)
    ask_when: Condition = Field(default_factory=dict)

    @field_validator("options")
    @classmethod
    def _unique_option_ids(cls, options: list[SituationOption]) -> list[SituationOption]:
        ids = [option.id for option in options]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate option ids: {', '.join(duplicates)}")
        return options


MaterialForm = Literal["original", "copy", "original_and_copy", "electronic", "form"]


class Material(_Strict):
    """One application material (申请材料)."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    form: MaterialForm = "original"
    copies: int = Field(default=1, ge=0)
    e_license: bool = False  # an electronic licence (电子证照) is accepted instead
    deferrable: bool = False  # may be supplied later under 容缺受理
    when: Condition = Field(default_factory=dict)
    for_items: list[str] = Field(default_factory=list)  # bundle sub-item ids that need it
    note: str = ""


class SubItem(_Strict):
    """A service item inside a 一件事 bundle, with its department."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    department: str = Field(min_length=1)
    when: Condition = Field(default_factory=dict)


class Step(_Strict):
    """One step of 办理流程."""

    title: str = Field(min_length=1)
    detail: str = ""
    when: Condition = Field(default_factory=dict)


ChannelKind = Literal["online", "window", "terminal", "mobile", "mail"]


class Channel(_Strict):
    """Where and how to apply: 网上办理, 窗口, 自助终端, 移动端, 邮寄."""

    kind: ChannelKind
    detail: str = ""


class TimeLimits(_Strict):
    """法定时限 and 承诺时限, as the source states them (e.g. "20个工作日")."""

    statutory: str = ""
    promised: str = ""


class Source(_Strict):
    """Where the guide's content came from."""

    name: str = Field(min_length=1)
    url: str = ""
    note: str = ""


class ServiceGuide(_Strict):
    """A service item or 一件事 bundle with everything the guided dialogue and checklist need."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    kind: Literal["item", "bundle"] = "item"
    department: str = Field(min_length=1)  # 实施主体
    sub_items: list[SubItem] = Field(default_factory=list)
    service_object: list[str] = Field(default_factory=list)  # 服务对象: 自然人 / 企业法人 …
    conditions: list[str] = Field(default_factory=list)  # 受理条件
    situations: list[Situation] = Field(default_factory=list)
    materials: list[Material] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    locations: list[str] = Field(default_factory=list)  # 办理地点
    steps: list[Step] = Field(default_factory=list)
    time_limits: TimeLimits = Field(default_factory=TimeLimits)
    fee: str = ""  # 收费; "不收费" when free
    basis: list[str] = Field(default_factory=list)  # 设定依据
    consult_phone: str = ""  # only as the source states it
    category: str = ""  # 服务主题 / 事项类型
    region: str = ""  # e.g. 全国 (sample) / 广东省
    source: Source
    as_of: date
    sample: bool = False  # written as sample content from public information
    local_rules_note: str = LOCAL_RULES_PREVAIL

    @model_validator(mode="after")
    def _consistent(self) -> ServiceGuide:
        problems = list(_problems(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def situation(self, situation_id: str) -> Situation | None:
        """The 情形 question with this id, if any."""
        return next((s for s in self.situations if s.id == situation_id), None)


def _problems(guide: ServiceGuide) -> list[str]:
    """Contradictions a field validator cannot see: dangling references and bad bundles."""
    problems: list[str] = []
    options = {s.id: {o.id for o in s.options} for s in guide.situations}
    _duplicates("situations", [s.id for s in guide.situations], problems)
    _duplicates("materials", [m.id for m in guide.materials], problems)
    _duplicates("sub_items", [i.id for i in guide.sub_items], problems)

    def check(where: str, condition: Condition) -> None:
        for situation_id, wanted in condition.items():
            if situation_id not in options:
                problems.append(f"{where}.when: unknown situation '{situation_id}'")
                continue
            if not wanted:
                problems.append(f"{where}.when: no options listed for '{situation_id}'")
            for option_id in wanted:
                if option_id not in options[situation_id]:
                    problems.append(f"{where}.when: '{situation_id}' has no option '{option_id}'")

    for situation in guide.situations:
        check(f"situations[{situation.id}].ask", situation.ask_when)
        if situation.id in situation.ask_when:
            problems.append(f"situations[{situation.id}].ask_when refers to itself")
    sub_item_ids = {i.id for i in guide.sub_items}
    for material in guide.materials:
        check(f"materials[{material.id}]", material.when)
        for item_id in material.for_items:
            if item_id not in sub_item_ids:
                problems.append(f"materials[{material.id}].for_items: unknown sub-item '{item_id}'")
    for index, step in enumerate(guide.steps):
        check(f"steps[{index}]", step.when)
    for sub_item in guide.sub_items:
        check(f"sub_items[{sub_item.id}]", sub_item.when)
    if guide.kind == "bundle" and len(guide.sub_items) < 2:
        problems.append("sub_items: a bundle (一件事) needs at least two sub-items")
    if guide.kind == "item" and guide.sub_items:
        problems.append("sub_items: only a bundle (kind: bundle) has sub-items")
    return problems


def _duplicates(field: str, ids: list[str], problems: list[str]) -> None:
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"{field}: duplicate ids {', '.join(duplicates)}")


def holds(condition: Condition, answers: dict[str, str]) -> bool:
    """Whether ``answers`` (situation id → option id) satisfy ``condition``.

    A condition on a question not yet answered does not hold.
    """
    return all(answers.get(situation_id) in wanted for situation_id, wanted in condition.items())
