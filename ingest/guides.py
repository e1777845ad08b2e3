"""Service guides as retrievable documents, so plain questions are answered with the guide cited.

Each catalogue item becomes one document: one paragraph per part (【受理条件】, 【申请材料】 …), with
no numbered headings, so that a typical guide stays one or two chunks rather than one per part.
"""

from __future__ import annotations

from pathlib import Path

from assistant.guide.checklist import CHANNEL_LABELS, FORM_LABELS
from assistant.guide.loader import load_guide_file
from assistant.guide.models import Material, ServiceGuide, Situation
from ingest.models import LoadError, SourceDocument


def guide_text(guide: ServiceGuide) -> str:
    """The guide rendered as plain text, one paragraph per part (【申请材料】（1）…；（2）…。)."""
    lead = [f"实施主体：{guide.department}。"]
    if guide.service_object:
        lead.append(f"服务对象：{'、'.join(guide.service_object)}。")
    if guide.category:
        lead.append(f"事项类型：{guide.category}。")
    if guide.aliases:
        lead.append(f"又称：{'、'.join(guide.aliases)}。")
    # Short key facts first, so that a guide split into chunks keeps them in its first one.
    sections: list[tuple[str, list[str]]] = [
        ("办理地点", list(guide.locations)),
        ("办理时限", _time_limit_lines(guide)),
        ("收费标准", [guide.fee] if guide.fee else []),
        ("咨询电话", [guide.consult_phone] if guide.consult_phone else []),
        ("办理渠道", [f"{CHANNEL_LABELS[c.kind]}：{c.detail}".rstrip("：") for c in guide.channels]),
        ("包含事项", [f"{i.name}（{i.department}）" for i in guide.sub_items]),
        ("受理条件", list(guide.conditions)),
        ("需要确认的情形", [_situation_line(q) for q in guide.situations]),
        ("申请材料", [_material_line(m) for m in guide.materials]),
        ("办理流程", [f"{s.title}：{s.detail}".rstrip("：") for s in guide.steps]),
        ("设定依据", list(guide.basis)),
    ]
    lines = [guide.name, "".join(lead)]
    for title, body in sections:
        if body:
            items = [f"（{i}）{_clause(b)}" for i, b in enumerate(body, start=1)] if len(body) > 1 else body
            lines.append(f"【{title}】{'；'.join(_clause(b) for b in items)}。")
    lines.append(f"信息来源：{guide.source.name}（{guide.as_of.isoformat()}）。{guide.local_rules_note}")
    return "\n".join(lines)


def guide_document(guide: ServiceGuide, source: str) -> SourceDocument:
    """One guide as a document (doc id = guide id, title = its name)."""
    metadata = {
        "kind": "service_guide",
        "guide_kind": guide.kind,
        "department": guide.department,
        "region": guide.region,
        "as_of": guide.as_of.isoformat(),
        "source_name": guide.source.name,
        "source": source,
        "source_format": "guide",
    }
    if guide.source.url:
        metadata["url"] = guide.source.url
    return SourceDocument(
        doc_id=guide.id, title=guide.name, text=guide_text(guide), source=source, metadata=metadata
    )


def load_guide_documents(path: Path, source: str) -> list[SourceDocument]:
    """The guides of one catalogue YAML file as documents; invalid items are skipped with a warning."""
    guides, errors = load_guide_file(path, shown=source)
    if not guides:
        detail = "; ".join(str(e) for e in errors[:3]) or "no guides"
        raise LoadError(f"{source}: no valid service guide ({detail})")
    documents = [guide_document(guide, source) for guide in guides]
    if errors:
        documents[0].warnings.extend(f"{e}; skipped" for e in errors)
    return documents


def _material_line(material: Material) -> str:
    detail = FORM_LABELS[material.form]
    if material.copies > 1:
        detail += f"{material.copies}份"
    extras = [detail]
    if material.e_license:
        extras.append("可用电子证照")
    if material.deferrable:
        extras.append("可容缺后补")
    line = f"{material.name}（{'，'.join(extras)}）"
    return f"{line}，{material.note}" if material.note else line


def _situation_line(situation: Situation) -> str:
    return f"{situation.question}（{'／'.join(o.label for o in situation.options)}）"


def _time_limit_lines(guide: ServiceGuide) -> list[str]:
    limits = guide.time_limits
    lines = []
    if limits.statutory:
        lines.append(f"法定时限：{limits.statutory}")
    if limits.promised:
        lines.append(f"承诺时限：{limits.promised}")
    return lines


def _clause(text: str) -> str:
    return text.strip().rstrip("。；;.")
