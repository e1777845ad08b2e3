"""Tests for assistant.citations: citation markers, statement splitting and the citation check."""

from __future__ import annotations

import pytest

from assistant.citations import Citation, check_citations, cited_indexes, statements, values_in

SNIPPET_1 = "推进政务服务事项跨省通办，办理时限压缩至5个工作日。"
SNIPPET_2 = "2024年，实现第一批重点事项高效办理，工本费100元。"


def cite(index: int, snippet: str) -> Citation:
    return Citation(
        index=index, doc_id=f"doc{index}", title="标题", section="一、总体要求", snippet=snippet, score=0.5
    )


CITATIONS = [cite(1, SNIPPET_1), cite(2, SNIPPET_2)]


def kinds(answer: str, citations: list[Citation] = CITATIONS, **kwargs: bool) -> list[str]:
    return [p.kind for p in check_citations(answer, citations, **kwargs)]


# ------------------------------------------------------------------------------------ markers


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("甲 [2]。乙 [1]。丙 [2]。", [2, 1]),  # distinct, in order of first use
        ("甲 [1][3] 乙 [3][1]", [1, 3]),
        ("没有任何引用。", []),
        ("编号[12]和[1]", [12, 1]),
        ("不是引用：【1】 (2) [a]", []),
        ("依据京发改[2018]12号和粤人社发[12]37号文件 [1]", [1]),  # document numbers are not markers
    ],
)
def test_cited_indexes(answer: str, expected: list[int]) -> None:
    assert cited_indexes(answer) == expected


def test_statements_split_on_marker_runs() -> None:
    answer = "甲事项可以网上办理。[1][2] 乙事项就近办理 [3]。丙没有出处"
    assert statements(answer) == [
        ("甲事项可以网上办理。", [1, 2]),  # a run of markers is one boundary carrying every number
        ("乙事项就近办理", [3]),  # the punctuation after the run belongs to the run, not the next statement
        ("丙没有出处", []),  # the tail after the last run is uncited
    ]


def test_a_document_number_is_part_of_its_statement() -> None:
    """An answer quoting 京发改[2018]12号 is one statement citing [1], not a citation of source 2018."""
    snippet = "按照京发改[2018]12号文件执行，办理时限为5个工作日。"
    answer = f"{snippet} [1]"
    assert statements(answer) == [(snippet, [1])]
    assert check_citations(answer, [cite(1, snippet)], require_verbatim=True) == []


def test_statements_of_an_answer_with_one_per_line() -> None:
    answer = "第一句 [1]\n第二句 [2]\n"
    assert statements(answer) == [("第一句", [1]), ("第二句", [2])]
    assert statements("") == []


def test_values_are_normalised() -> None:
    assert values_in("办理时限为５个工作日") == ["5个工作日"]  # full-width digits → ASCII
    assert values_in("2024 年底前") == ["2024年"]
    assert values_in("三个工作日内办结") == ["三个工作日"]
    assert values_in("推进跨省通办") == []
    assert values_in("到2023\n下一句") == ["2023"]  # a line break after a bare number is not part of it


# ------------------------------------------------------------------------------- the check


def test_a_clean_answer_passes() -> None:
    answer = "推进政务服务事项跨省通办 [1]。办理时限压缩至5个工作日 [1]。实现第一批重点事项高效办理 [2]。工本费100元 [2]。"
    assert check_citations(answer, CITATIONS) == []
    assert check_citations(answer, CITATIONS, require_verbatim=True) == []


def test_an_answer_without_citations_is_rejected() -> None:
    problems = check_citations("可以跨省通办。", CITATIONS)
    assert [p.kind for p in problems] == ["no_citation"]
    assert kinds("") == ["no_citation"]


def test_an_unknown_citation_number_is_rejected() -> None:
    problems = check_citations("可以跨省通办 [1]。也可以就近办 [9]。", CITATIONS)
    assert [p.kind for p in problems] == ["unknown_index"]
    assert "[9]" in problems[0].detail
    assert kinds("可以跨省通办 [3]。", []) == ["unknown_index"]


@pytest.mark.parametrize(
    "answer",
    [
        "办理时限压缩至7个工作日 [1]。",  # a duration not in the cited snippet
        "2025年实现第一批重点事项高效办理 [2]。",  # a date not in the cited snippet
        "工本费200元 [2]。",  # a fee not in the cited snippet
        "工本费100元 [1]。",  # the fee is in a snippet, but not the one cited
    ],
)
def test_a_value_missing_from_its_cited_snippet_is_rejected(answer: str) -> None:
    assert kinds(answer) == ["unsupported_value"]


def test_a_value_in_one_of_several_cited_snippets_is_accepted() -> None:
    assert kinds("工本费100元，时限5个工作日 [1][2]。") == []


def test_an_uncited_statement_may_not_carry_a_value() -> None:
    problems = check_citations("推进跨省通办 [1]。办理时限为5个工作日。", CITATIONS)
    assert [p.kind for p in problems] == ["unsupported_value"]
    assert "uncited" in problems[0].detail
    # an uncited statement without values (a polite closing) is fine
    assert kinds("推进跨省通办 [1]。如有疑问请咨询当地政务服务中心。") == []


def test_verbatim_mode_requires_the_statement_in_its_snippet() -> None:
    paraphrase = "政务服务事项将实现跨省办理 [1]。"
    assert kinds(paraphrase) == []  # a paraphrase without values passes the ordinary check
    assert kinds(paraphrase, require_verbatim=True) == ["unsupported_text"]
    verbatim = "推进政务服务事项跨省通办，办理时限压缩至5个工作日。 [1]"
    assert kinds(verbatim, require_verbatim=True) == []
    # verbatim is checked against the cited snippet only
    assert kinds("2024年，实现第一批重点事项高效办理 [1]", require_verbatim=True) == [
        "unsupported_value",
        "unsupported_text",
    ]


def test_matching_ignores_width_and_script() -> None:
    traditional = [cite(1, "推進政務服務事項跨省通辦，辦理時限壓縮至５個工作日。")]
    assert (
        kinds("推进政务服务事项跨省通办，办理时限压缩至5个工作日 [1]", traditional, require_verbatim=True)
        == []
    )


def test_citation_to_dict_round_trips() -> None:
    citation = cite(1, SNIPPET_1)
    assert Citation(**citation.to_dict()) == citation


@pytest.mark.parametrize("answer", ["办理时限压缩至5个工作日 [1]。", "工本费0元 [1]。"])
def test_a_value_that_is_only_a_suffix_of_a_sourced_number_is_rejected(answer: str) -> None:
    citations = [cite(1, "办理时限为15个工作日，工本费100元。")]
    assert kinds(answer, citations) == ["unsupported_value"]


def test_numbers_a_space_separates_in_the_snippet_stay_separate() -> None:
    # A table row or a time stamp: the space between two numbers is kept, so neither runs into the
    # other (“13870934738 2” is not “138709347382”) and a verbatim sentence passes its own check.
    row = "序号 姓名 电话 1 余斌 13870934738 2 陈海波 13970092609"
    stamp = "作者：齐金钊 2020-02-25 16:10来源：中国证券报"
    for sentence in (row, stamp):
        answer = f"{sentence} [1]"
        assert kinds(answer, [cite(1, sentence)], require_verbatim=True) == []
    # a number the snippet does not hold is still caught
    assert kinds("序号 1 余斌 2 陈海波 3 [1]", [cite(1, row)]) == ["unsupported_value"]
    # spaces elsewhere still do not matter for a verbatim statement
    assert kinds("政务 服务 [1]", [cite(1, "政务服务")], require_verbatim=True) == []
