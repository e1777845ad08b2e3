"""Answers from one field of one guide: quoted as written, cited, and never filled in when missing."""

from __future__ import annotations

from typing import Any

from assistant.guide.aspects import Aspect
from assistant.guide.guide_facts import NOT_STATED, answer_aspects, facts_of
from assistant.guide.loader import CatalogueLoad
from assistant.guide.models import ServiceGuide


def _guide(data: dict[str, Any], **changes: Any) -> ServiceGuide:
    return ServiceGuide.model_validate({**data, **changes})


def test_each_stated_fact_is_cited_and_its_snippet_holds_the_text(guide_data: dict[str, Any]) -> None:
    guide = _guide(guide_data, fee="不收费", locations=["市民中心一楼综合窗口"])
    facts = answer_aspects(guide, [Aspect.FEE, Aspect.LOCATION])
    assert facts.stated
    assert [c["section"] for c in facts.citations] == ["收费标准", "办理地点"]
    assert [c["index"] for c in facts.citations] == [1, 2]
    for citation in facts.citations:
        assert citation["doc_id"] == "test-bundle"
        assert citation["snippet"].endswith("（信息来源：测试来源，信息截至2024-10-01）")
    assert "不收费 [1]" in facts.text and "市民中心一楼综合窗口 [2]" in facts.text
    assert "信息来源：测试来源，信息截至2024-10-01。 [1]" in facts.text  # the as-of date is cited too


def test_a_missing_field_is_said_to_be_missing(guide_data: dict[str, Any]) -> None:
    facts = answer_aspects(_guide(guide_data), [Aspect.TIME_LIMIT, Aspect.PHONE])
    assert not facts.stated and facts.citations == []
    assert facts.text.count(NOT_STATED) == 2
    assert "12345" in facts.text
    assert not any(ch.isdigit() for ch in facts.text.replace("12345", "").replace("2024-10-01", ""))


def test_fields_are_quoted_as_the_guide_states_them(guide_data: dict[str, Any]) -> None:
    guide = _guide(
        guide_data,
        time_limits={"statutory": "20个工作日", "promised": "5个工作日"},
        service_object=["自然人"],
        conditions=["本市户籍"],
    )
    assert facts_of(guide, Aspect.TIME_LIMIT) == ["法定时限20个工作日", "承诺时限5个工作日"]
    assert facts_of(guide, Aspect.CONDITIONS) == ["服务对象：自然人", "本市户籍"]
    assert facts_of(guide, Aspect.STEPS) == ["1. 提交申请", "2. 补充步骤（视情形）"]
    assert facts_of(guide, Aspect.DEPARTMENT) == ["牵头部门", "事项甲：甲部门", "事项乙：乙部门"]
    # No 办理地点 listed: the channels say where to apply.
    assert facts_of(guide, Aspect.LOCATION) == ["网上办理（网上专区）", "窗口办理（综合窗口）"]


def test_every_sample_guide_answers_every_aspect_without_error(catalogue: CatalogueLoad) -> None:
    for guide in catalogue.guides:
        facts = answer_aspects(guide, list(Aspect))
        assert guide.name in facts.text
        for citation in facts.citations:
            quoted = citation["snippet"].rsplit("（信息来源：", 1)[0]
            assert quoted and f"{quoted} [{citation['index']}]" in facts.text
