"""The personalised checklist (一次告知清单): what applies to a guide given the citizen's 情形 answers.

``answers`` map situation ids to option ids. An answer to a question whose ``ask_when`` does not
hold is ignored (it would not have been asked). In a 一件事 bundle a material applies only when at
least one sub-item it serves (``for_items``) applies; materials with the same name and form are
merged into one line serving all their sub-items.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from assistant.guide.models import Material, ServiceGuide, Situation, holds

FORM_LABELS = {
    "original": "原件",
    "copy": "复印件",
    "original_and_copy": "原件及复印件",
    "electronic": "电子件",
    "form": "申请表",
}
CHANNEL_LABELS = {
    "online": "网上办理",
    "window": "窗口办理",
    "terminal": "自助终端",
    "mobile": "移动端办理",
    "mail": "邮寄办理",
}
#: Channel kinds through which the application itself can be made without going to a window.
ONLINE_KINDS = frozenset({"online", "mobile"})


@dataclass(frozen=True)
class AnswerLine:
    situation_id: str
    question: str
    option_id: str
    label: str


@dataclass(frozen=True)
class SubItemLine:
    id: str
    name: str
    department: str


@dataclass(frozen=True)
class MaterialLine:
    id: str
    name: str
    form: str
    form_label: str
    copies: int
    e_license: bool
    deferrable: bool
    note: str
    for_items: tuple[str, ...]  # ids of the applying sub-items that need it (bundles)
    for_item_names: tuple[str, ...]  # their names, in the same order
    shared: bool  # needed by more than one applying sub-item

    def describe(self) -> str:
        """``居民身份证（原件1份；可用电子证照）``, then its note and the sub-items it serves."""
        if self.form == "electronic":
            amount = "电子件"
        elif self.copies:
            amount = f"{self.form_label}{self.copies}份"
        else:
            amount = f"{self.form_label}核验"
        details = [amount]
        if self.e_license:
            details.append("可用电子证照")
        if self.deferrable:
            details.append("可容缺后补")
        text = f"{self.name}（{'；'.join(details)}）"
        if self.note:
            text += f"。{self.note.rstrip('。')}"
        if self.for_item_names:
            text += f"。用于：{'、'.join(self.for_item_names)}"
        return text


@dataclass(frozen=True)
class StepLine:
    title: str
    detail: str


@dataclass(frozen=True)
class ChannelLine:
    kind: str
    label: str
    detail: str
    online: bool


@dataclass(frozen=True)
class Checklist:
    """Everything a citizen needs for one guide in their situation; ``to_dict`` is JSON-ready."""

    guide_id: str
    name: str
    kind: str
    department: str
    region: str
    answers: tuple[AnswerLine, ...]
    pending: tuple[str, ...]  # 情形 questions still to ask: the list is provisional until empty
    sub_items: tuple[SubItemLine, ...]
    materials: tuple[MaterialLine, ...]
    steps: tuple[StepLine, ...]
    channels: tuple[ChannelLine, ...]
    locations: tuple[str, ...]
    conditions: tuple[str, ...]
    time_limit_statutory: str
    time_limit_promised: str
    fee: str
    basis: tuple[str, ...]
    consult_phone: str
    source_name: str
    source_url: str
    source_note: str
    as_of: date
    sample: bool
    local_rules_note: str

    @property
    def complete(self) -> bool:
        """Whether every question that applies has been answered."""
        return not self.pending

    @property
    def online(self) -> bool:
        """Whether the application can be made online (website or mobile)."""
        return any(channel.online for channel in self.channels)

    @property
    def material_ids(self) -> list[str]:
        """The ids of the listed materials, in order."""
        return [material.id for material in self.materials]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (dates as ISO strings, tuples as lists)."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["complete"] = self.complete
        data["online"] = self.online
        return _listify(data)  # type: ignore[no-any-return]

    def to_text(self) -> str:
        """The checklist as plain Chinese text, as the chat shows it."""
        kind = "“一件事”" if self.kind == "bundle" and not self.name.endswith("一件事") else ""
        lines = [f"【{self.name}】{kind}办事清单" + (f"｜{self.region}" if self.region else "")]
        if self.answers:
            lines.append("您的情况：")
            lines += [f"- {a.question.rstrip('？?')}：{a.label}" for a in self.answers]
        if self.pending:
            lines.append("还需确认：" + "；".join(self.pending) + "（以下清单可能随回答调整）")
        if self.sub_items:
            lines.append("一次申请，联办以下事项：")
            lines += [f"{i}. {s.name}（{s.department}）" for i, s in enumerate(self.sub_items, 1)]
        if self.conditions:
            lines.append("办理条件：")
            lines += [f"- {condition}" for condition in self.conditions]
        lines.append("需要准备的材料：")
        if self.materials:
            lines += [f"{i}. {m.describe()}" for i, m in enumerate(self.materials, 1)]
        else:
            lines.append("无需提交材料。")
        if self.steps:
            lines.append("办理流程：")
            lines += [_numbered(i, s.title, s.detail) for i, s in enumerate(self.steps, 1)]
        if self.channels:
            lines.append("办理渠道：")
            lines += [f"- {c.label}" + (f"：{c.detail}" if c.detail else "") for c in self.channels]
        if self.locations:
            lines.append("办理地点：" + "；".join(self.locations))
        lines += self._time_limits()
        lines.append("收费标准：" + (self.fee or "以当地办事指南为准"))
        if self.basis:
            lines.append("办理依据：" + "；".join(self.basis))
        if self.consult_phone:
            lines.append(f"咨询电话：{self.consult_phone}")
        source = self.source_name + (f"（{self.source_url}）" if self.source_url else "")
        lines.append(f"信息来源：{source}，信息截至{self.as_of.isoformat()}。" + self.source_note)
        if self.local_rules_note:
            lines.append(self.local_rules_note)
        return "\n".join(lines)

    def _time_limits(self) -> list[str]:
        lines = []
        if self.time_limit_statutory:
            lines.append(f"办理时限（法定）：{self.time_limit_statutory}")
        if self.time_limit_promised:
            lines.append(f"办理时限（承诺）：{self.time_limit_promised}")
        return lines or ["办理时限：以当地办事指南公布的时限为准"]


def pending_situations(guide: ServiceGuide, answers: dict[str, str]) -> list[Situation]:
    """The 情形 questions to ask next, in order: unanswered ones whose ``ask_when`` holds now.

    A question whose condition depends on an unanswered question appears once that one is answered.
    """
    effective = effective_answers(guide, answers)
    return [s for s in guide.situations if s.id not in effective and holds(s.ask_when, effective)]


def effective_answers(guide: ServiceGuide, answers: dict[str, str]) -> dict[str, str]:
    """``answers`` checked against the guide, without those to questions that would not be asked.

    Raises ``ValueError`` naming an unknown situation or option.
    """
    for situation_id, option_id in answers.items():
        situation = guide.situation(situation_id)
        if situation is None:
            known = ", ".join(s.id for s in guide.situations) or "none"
            raise ValueError(f"guide {guide.id}: unknown situation '{situation_id}' (known: {known})")
        if option_id not in {option.id for option in situation.options}:
            known = ", ".join(option.id for option in situation.options)
            raise ValueError(
                f"guide {guide.id}: situation '{situation_id}' has no option '{option_id}' (options: {known})"
            )
    kept: dict[str, str] = {}
    changed = True
    while changed:  # an answer may make another question askable; grow until nothing changes
        changed = False
        for situation in guide.situations:
            if situation.id in answers and situation.id not in kept and holds(situation.ask_when, kept):
                kept[situation.id] = answers[situation.id]
                changed = True
    return {s.id: kept[s.id] for s in guide.situations if s.id in kept}


def build_checklist(guide: ServiceGuide, answers: dict[str, str]) -> Checklist:
    """The checklist of ``guide`` for ``answers`` (situation id → option id)."""
    effective = effective_answers(guide, answers)
    answer_lines = []
    for situation_id, option_id in effective.items():
        situation = guide.situation(situation_id)
        assert situation is not None  # checked by effective_answers
        label = next(o.label for o in situation.options if o.id == option_id)
        answer_lines.append(AnswerLine(situation_id, situation.question, option_id, label))
    pending = [s.question for s in pending_situations(guide, effective)]
    sub_items = [s for s in guide.sub_items if holds(s.when, effective)]
    names = {s.id: s.name for s in sub_items}
    return Checklist(
        guide_id=guide.id,
        name=guide.name,
        kind=guide.kind,
        department=guide.department,
        region=guide.region,
        answers=tuple(answer_lines),
        pending=tuple(pending),
        sub_items=tuple(SubItemLine(s.id, s.name, s.department) for s in sub_items),
        materials=tuple(_materials(guide.materials, effective, names)),
        steps=tuple(StepLine(s.title, s.detail) for s in guide.steps if holds(s.when, effective)),
        channels=tuple(_channel(c.kind, c.detail) for c in guide.channels),
        locations=tuple(guide.locations),
        conditions=tuple(guide.conditions),
        time_limit_statutory=guide.time_limits.statutory,
        time_limit_promised=guide.time_limits.promised,
        fee=guide.fee,
        basis=tuple(guide.basis),
        consult_phone=guide.consult_phone,
        source_name=guide.source.name,
        source_url=guide.source.url,
        source_note=guide.source.note,
        as_of=guide.as_of,
        sample=guide.sample,
        local_rules_note=guide.local_rules_note,
    )


def _materials(
    materials: list[Material], answers: dict[str, str], sub_item_names: dict[str, str]
) -> list[MaterialLine]:
    """Applying materials, one line per (name, form), with the applying sub-items each serves."""
    merged: dict[tuple[str, str], MaterialLine] = {}
    for material in materials:
        if not holds(material.when, answers):
            continue
        items = tuple(i for i in material.for_items if i in sub_item_names)
        if material.for_items and not items:
            continue  # every sub-item it serves is out of this situation
        line = MaterialLine(
            id=material.id,
            name=material.name,
            form=material.form,
            form_label=FORM_LABELS[material.form],
            copies=material.copies,
            e_license=material.e_license,
            deferrable=material.deferrable,
            note=material.note,
            for_items=items,
            for_item_names=tuple(sub_item_names[i] for i in items),
            shared=len(items) > 1,
        )
        key = (material.name, material.form)
        merged[key] = _merge(merged[key], line) if key in merged else line
    return list(merged.values())


def _merge(first: MaterialLine, other: MaterialLine) -> MaterialLine:
    """One line for the same material listed twice: all sub-items, the most copies, the strictest terms."""
    pairs = zip(other.for_items, other.for_item_names, strict=True)
    extra = [(i, n) for i, n in pairs if i not in first.for_items]
    notes = [n for n in dict.fromkeys((first.note, other.note)) if n]
    return MaterialLine(
        id=first.id,
        name=first.name,
        form=first.form,
        form_label=first.form_label,
        copies=max(first.copies, other.copies),
        e_license=first.e_license and other.e_license,
        deferrable=first.deferrable and other.deferrable,
        note="；".join(n.rstrip("。") for n in notes),
        for_items=first.for_items + tuple(i for i, _ in extra),
        for_item_names=first.for_item_names + tuple(n for _, n in extra),
        shared=len(first.for_items) + len(extra) > 1,
    )


def _channel(kind: str, detail: str) -> ChannelLine:
    return ChannelLine(kind, CHANNEL_LABELS[kind], detail, kind in ONLINE_KINDS)


def _numbered(index: int, title: str, detail: str) -> str:
    return f"{index}. {title}" + (f"：{detail}" if detail else "")


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _listify(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_listify(item) for item in value]
    return value
