"""A plain question about one field of one guide, answered from the guide itself with citations.

Every statement quotes the guide's own field and cites it (section = the field, snippet = the
quoted text), so the citation check holds by construction. A field the guide leaves empty is said
to be missing, never filled in: the citizen is pointed to the window or 12345 instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.guide.aspects import Aspect
from assistant.guide.checklist import CHANNEL_LABELS
from assistant.guide.models import ServiceGuide

NOT_STATED = "该办事指南未列出，请以当地政务服务窗口的答复为准，或拨打12345咨询。"


@dataclass(frozen=True)
class GuideFacts:
    """The answer to a question about ``aspects`` of ``guide``; ``citations`` follow DESIGN.md §4."""

    guide: ServiceGuide
    aspects: tuple[Aspect, ...]
    text: str
    citations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stated(self) -> bool:
        """Whether the guide states at least one of the facts asked for."""
        return bool(self.citations)


def answer_aspects(guide: ServiceGuide, aspects: list[Aspect]) -> GuideFacts:
    """The facts the guide states for each aspect, one cited line each, with source and caveat."""
    region = f"（{guide.region}）" if guide.region else ""
    lines = [f"关于【{guide.name}】{region}，办事指南中的相关内容如下："]
    citations: list[dict[str, Any]] = []
    for aspect in aspects:
        facts = facts_of(guide, aspect)
        if not facts:
            lines.append(f"- {aspect.value}：{NOT_STATED}")
            continue
        snippet = "；".join(facts)
        index = len(citations) + 1
        citations.append(
            {
                "index": index,
                "doc_id": guide.id,
                "title": guide.name,
                "section": aspect.value,
                "snippet": snippet,
                "score": 1.0,
            }
        )
        lines.append(f"- {aspect.value}：{snippet} [{index}]")
    source = f"信息来源：{guide.source.name}，信息截至{guide.as_of.isoformat()}"
    for citation in citations:  # the source and as-of date belong to every quoted field
        citation["snippet"] = f"{citation['snippet']}（{source}）"
    lines.append(f"{source}。" + (" [1]" if citations else "") + guide.local_rules_note)
    return GuideFacts(guide, tuple(aspects), "\n".join(lines), citations)


def facts_of(guide: ServiceGuide, aspect: Aspect) -> list[str]:
    """The guide's own statements for ``aspect``, as written there; [] when it states none."""
    if aspect is Aspect.LOCATION:
        return list(guide.locations) or _channels(guide)
    if aspect is Aspect.CHANNELS:
        return _channels(guide)
    if aspect is Aspect.TIME_LIMIT:
        limits = guide.time_limits
        return [
            text
            for text in (
                f"法定时限{limits.statutory}" if limits.statutory else "",
                f"承诺时限{limits.promised}" if limits.promised else "",
            )
            if text
        ]
    if aspect is Aspect.FEE:
        return [guide.fee] if guide.fee else []
    if aspect is Aspect.STEPS:
        return [
            f"{i}. {step.title}"
            + (f"（{step.detail}）" if step.detail else "")
            + ("（视情形）" if step.when else "")
            for i, step in enumerate(guide.steps, 1)
        ]
    if aspect is Aspect.CONDITIONS:
        objects = [f"服务对象：{'、'.join(guide.service_object)}"] if guide.service_object else []
        return objects + list(guide.conditions)
    if aspect is Aspect.BASIS:
        return list(guide.basis)
    if aspect is Aspect.PHONE:
        return [guide.consult_phone] if guide.consult_phone else []
    if aspect is Aspect.DEPARTMENT:
        return [guide.department] + [f"{item.name}：{item.department}" for item in guide.sub_items]
    raise ValueError(f"unknown aspect {aspect!r}")


def _channels(guide: ServiceGuide) -> list[str]:
    return [
        CHANNEL_LABELS[channel.kind] + (f"（{channel.detail}）" if channel.detail else "")
        for channel in guide.channels
    ]
