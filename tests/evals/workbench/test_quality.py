"""Answer-quality metrics: facts found in answers, unsupported facts, citation precision."""

from __future__ import annotations

from evals.workbench.quality import answer_quality, citation_precision, facts_in, supports


def _citation(index: int, snippet: str) -> dict[str, object]:
    return {"index": index, "doc_id": f"d{index}", "title": "t", "snippet": snippet}


def test_facts_cover_phones_dates_addresses_and_numbers() -> None:
    text = "请拨打010-12345678或12345 [1]，地址：朝阳区建国路88号3层，2024年1月9日起施行，5个工作日内办结。"
    kinds = {(f.kind, f.value) for f in facts_in(text)}
    assert ("phone", "010-12345678") in kinds and ("phone", "12345") in kinds
    assert ("date", "2024年1月9日") in kinds
    assert any(kind == "address" and value.endswith("建国路88号3层") for kind, value in kinds)
    assert ("number", "5个工作日") in kinds
    assert not any(value == "1" for _, value in kinds)  # the [1] marker is not a fact


def test_invented_facts_are_unsupported_and_copied_ones_are_not() -> None:
    snippet = "申请人应当在5个工作日内提交材料，咨询电话010-87654321。"
    copied = "申请人应当在5个工作日内提交材料 [1]。"
    invented = "申请人应当在15个工作日内提交材料，电话010-11112222 [1]。"
    assert answer_quality(copied, [_citation(1, snippet)])["unsupported"] == []
    unsupported = answer_quality(invented, [_citation(1, snippet)])["unsupported"]
    assert "phone:010-11112222" in unsupported and "number:15个工作日" in unsupported


def test_citation_precision_counts_statement_citation_pairs() -> None:
    citations = [
        _citation(1, "企业开办时间压减至4个工作日以内。"),
        _citation(2, "推行电子证照全国互通互认。"),
    ]
    answer = "企业开办时间压减至4个工作日以内 [1]。电子证照全国互通互认 [1][2]。驾照可以网上换领 [3]。"
    assert citation_precision(answer, citations) == (2, 4)  # [1] does not support the second; [3] unknown
    assert supports("材料齐全的，当场办结。", "材料齐全的当场办结")
    assert not supports("材料齐全的，当场办结。", "材料齐全的，3日内办结")


def test_a_template_lead_in_is_not_part_of_the_cited_claim() -> None:
    answer = "关于【出生登记】，办事指南中的相关内容如下：\n- 实施主体：市公安局 [1]"
    assert citation_precision(answer, [_citation(1, "实施主体：市公安局（信息来源：政务服务网）")]) == (1, 1)


def test_a_number_at_the_end_of_a_line_is_supported_by_its_source() -> None:
    snippet = "到2023年底前，政务服务事项全面实现标准化管理。"
    answer = "政务服务事项全面实现标准化管理的期限是2023 [1]\n详见原文。"
    assert answer_quality(answer, [_citation(1, snippet)])["unsupported"] == []


def test_a_space_between_two_numbers_keeps_them_apart() -> None:
    snippet = "咨询电话：12345，受理时间8:30至17:00。"
    answer = "咨询电话 12345 8:30 至 17:00 受理。[1]"  # copied, spaced differently
    assert answer_quality(answer, [_citation(1, snippet)])["unsupported"] == []
