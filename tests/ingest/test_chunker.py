"""Tests for ingest.chunker: heading detection, heading titles and structure-aware chunking."""

from __future__ import annotations

import itertools
import re

import pytest

from assistant.settings import PROJECT_ROOT
from ingest.chunker import ChunkingOptions, chunk_document, heading_level, heading_title, split_sentences
from ingest.models import Chunk, SourceDocument

POLICY_FILE = PROJECT_ROOT / "knowledge" / "policies" / "gf-2022-5.txt"

SECTIONED_TEXT = "\n".join(
    [
        "各区人民政府，市政府各委、办、局：",
        "为方便群众办理户籍业务，现就有关事项通知如下。",
        "一、总体要求",
        "（一）指导思想。坚持以人民为中心，推动户籍业务线上线下融合办理，让群众少跑腿。",
        "各派出所要加强协同配合，按时完成各项任务。",
        "（二）工作目标",
        "到2027年底前，实现新生儿出生登记全程网办。",
        "1. 梳理事项清单，明确办理时限。",
        "二、重点任务",
        "（一）优化办事流程。精简申请材料，推行容缺受理。",
    ]
)


def make_doc(text: str, doc_id: str = "hz-notice") -> SourceDocument:
    return SourceDocument(
        doc_id=doc_id,
        title="某市关于优化户籍业务办理的通知",
        text=text,
        source="notice.txt",
        metadata={"文号": "某政办〔2027〕1号"},
    )


def chunk_containing(chunks: list[Chunk], needle: str) -> Chunk:
    matches = [c for c in chunks if needle in c.text]
    assert len(matches) == 1, f"{needle!r} in {len(matches)} chunks"
    return matches[0]


# --------------------------------------------------------------------------------------------------
# heading_level / heading_title
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "level"),
    [
        ("一、总体要求", 1),
        ("十二、组织保障", 1),
        ("（一）指导思想。以人民为中心。", 2),
        ("(一)指导思想", 2),
        ("第三条 申请人应当提交居民身份证。", 2),
        ("第12条 本办法由市政务服务局负责解释。", 2),
        ("第二章 总则", 0),
        ("第一节 一般规定", 0),
        ("1. 梳理事项清单。", 3),
        ("2、明确办理时限。", 3),
        ("（3）公布咨询电话。", 3),
        ("English text", 0),
        ("II. General Requirements", 1),
        ("  一、前后有空格  ", 1),
    ],
)
def test_heading_level(paragraph: str, level: int) -> None:
    assert heading_level(paragraph) == level


@pytest.mark.parametrize(
    "paragraph",
    [
        "各派出所要加强协同配合，按时完成各项任务。",
        "2022年底前，完成高频事项标准化。",
        "1.5倍以上的办理时限不予受理。",
        "English text follows",
        "第三方机构不得代收材料。",
        "",
    ],
)
def test_body_text_is_not_a_heading(paragraph: str) -> None:
    assert heading_level(paragraph) is None


def test_heading_title_of_a_standalone_heading() -> None:
    assert heading_title("一、总体要求") == "一、总体要求"
    assert heading_title("  （二）工作目标。 ") == "（二）工作目标"


def test_heading_title_of_a_run_in_heading() -> None:
    assert (
        heading_title("（一）指导思想。坚持以人民为中心，推动户籍业务线上线下融合办理。") == "（一）指导思想"
    )
    long_article = "第三条 申请人应当提交以下材料：" + "居民身份证、户口簿、出生医学证明，" * 5
    assert heading_title(long_article) == "第三条 申请人应当提交以下材料"


def test_heading_title_is_truncated_at_40_chars() -> None:
    head = "（三）" + "推进户籍业务跨省通办和就近办理" * 4
    title = heading_title(head + "。正文从这里开始。")
    assert title == head[:40] + "…"
    assert len(title) == 41


def test_split_sentences_keeps_the_sentence_ends() -> None:
    assert split_sentences("先申请。再审核；最后办结！") == ["先申请。", "再审核；", "最后办结！"]


# --------------------------------------------------------------------------------------------------
# chunk_document on a small synthetic document
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def sectioned_chunks() -> list[Chunk]:
    return chunk_document(make_doc(SECTIONED_TEXT))


def test_section_paths(sectioned_chunks: list[Chunk]) -> None:
    assert [c.section for c in sectioned_chunks] == [
        "",
        "一、总体要求 > （一）指导思想",
        "一、总体要求 > （二）工作目标",
        "二、重点任务 > （一）优化办事流程",
    ]
    assert chunk_containing(sectioned_chunks, "各区人民政府").section == ""
    assert chunk_containing(sectioned_chunks, "按时完成").section == "一、总体要求 > （一）指导思想"
    assert chunk_containing(sectioned_chunks, "全程网办").section == "一、总体要求 > （二）工作目标"
    assert chunk_containing(sectioned_chunks, "容缺受理").section == "二、重点任务 > （一）优化办事流程"


def test_chunks_never_cross_level_1_or_2_headings(sectioned_chunks: list[Chunk]) -> None:
    for chunk in sectioned_chunks:
        lines = chunk.text.split("\n")
        # Only a run-in heading, at the very start of the chunk, may be a level-1/2 heading.
        for line in lines[1:]:
            level = heading_level(line)
            assert level is None or level > 2, line
    # Small neighbouring pieces of different sections are not merged together.
    assert chunk_containing(sectioned_chunks, "按时完成") is not chunk_containing(
        sectioned_chunks, "全程网办"
    )


def test_run_in_heading_stays_in_the_text(sectioned_chunks: list[Chunk]) -> None:
    chunk = chunk_containing(sectioned_chunks, "坚持以人民为中心")
    assert chunk.text.startswith("（一）指导思想。坚持以人民为中心")
    assert "各派出所要加强协同配合" in chunk.text  # the following body paragraph joins it


def test_heading_only_lines_are_in_the_section_not_in_the_text(sectioned_chunks: list[Chunk]) -> None:
    for heading in ("一、总体要求", "（二）工作目标", "二、重点任务"):
        assert not any(heading in c.text for c in sectioned_chunks)
        assert any(heading in c.section for c in sectioned_chunks)


def test_level_3_items_stay_in_their_section_chunk(sectioned_chunks: list[Chunk]) -> None:
    chunk = chunk_containing(sectioned_chunks, "梳理事项清单")
    assert chunk.section == "一、总体要求 > （二）工作目标"
    assert chunk.text == "到2027年底前，实现新生儿出生登记全程网办。\n1. 梳理事项清单，明确办理时限。"


def test_chunk_fields(sectioned_chunks: list[Chunk]) -> None:
    assert [c.ordinal for c in sectioned_chunks] == list(range(len(sectioned_chunks)))
    for chunk in sectioned_chunks:
        assert chunk.doc_id == "hz-notice"
        assert chunk.title == "某市关于优化户籍业务办理的通知"
        assert chunk.metadata == {"文号": "某政办〔2027〕1号"}
        assert re.fullmatch(rf"hz-notice:{chunk.ordinal:04d}:[0-9a-f]{{8}}", chunk.chunk_id)
    assert len({c.chunk_id for c in sectioned_chunks}) == len(sectioned_chunks)


def test_chunk_ids_are_stable_across_runs() -> None:
    doc = SourceDocument(
        doc_id="demo", title="示例", text="一、办理条件\n申请人应当年满十八周岁。", source="x.txt"
    )
    chunks = chunk_document(doc)
    # A literal: the id must not depend on the process (e.g. on Python's randomised str hash).
    assert [c.chunk_id for c in chunks] == ["demo:0000:82a4edc5"]
    assert [c.chunk_id for c in chunk_document(doc)] == ["demo:0000:82a4edc5"]


def test_chunk_ids_change_when_text_changes(sectioned_chunks: list[Chunk]) -> None:
    edited = chunk_document(make_doc(SECTIONED_TEXT.replace("2027年底前", "2028年底前")))
    before = {c.section: c.chunk_id for c in sectioned_chunks}
    after = {c.section: c.chunk_id for c in edited}
    assert before.keys() == after.keys()
    changed = {section for section in before if before[section] != after[section]}
    assert changed == {"一、总体要求 > （二）工作目标"}


def test_chunk_ids_change_when_the_section_changes() -> None:
    one = chunk_document(make_doc("一、办理条件\n申请人应当年满十八周岁。"))
    two = chunk_document(make_doc("一、申请条件\n申请人应当年满十八周岁。"))
    assert one[0].text == two[0].text
    assert one[0].chunk_id != two[0].chunk_id


def test_empty_document_gives_no_chunks() -> None:
    assert chunk_document(make_doc("")) == []
    assert chunk_document(make_doc("\n  \n\u3000\n")) == []


# --------------------------------------------------------------------------------------------------
# Size limits, long paragraphs, overlap, merging
# --------------------------------------------------------------------------------------------------

SMALL = ChunkingOptions(max_chars=200, overlap_chars=50, min_chars=30)


def numbered_sentences(count: int) -> list[str]:
    return [f"事项{i:02d}应当在五个工作日内办结并书面告知申请人。" for i in range(count)]


def test_paragraphs_are_packed_up_to_max_chars() -> None:
    paragraphs = [s * 2 for s in numbered_sentences(12)]  # 12 paragraphs of ~50 chars
    chunks = chunk_document(make_doc("一、办理时限\n" + "\n".join(paragraphs)), SMALL)
    assert len(chunks) > 1
    assert all(len(c.text) <= SMALL.max_chars + SMALL.min_chars for c in chunks)
    # Paragraphs are kept whole and in order.
    assert "\n".join(c.text for c in chunks) == "\n".join(paragraphs)


def test_long_paragraph_is_split_at_sentence_ends_with_overlap() -> None:
    sentences = numbered_sentences(40)
    paragraph = "".join(sentences)
    assert len(paragraph) > 4 * SMALL.max_chars
    chunks = chunk_document(make_doc("一、办理时限\n" + paragraph), SMALL)

    assert len(chunks) >= 4
    for chunk in chunks:
        assert len(chunk.text) <= SMALL.max_chars + SMALL.min_chars
        assert chunk.section == "一、办理时限"
        assert chunk.text.endswith("。")  # split at a sentence end
        assert split_sentences(chunk.text)[0] in sentences  # and starts at one
    for previous, following in itertools.pairwise(chunks):
        # Overlap: the next chunk starts with the whole sentences that ended the previous one.
        first_sentence = split_sentences(following.text)[0]
        assert first_sentence in previous.text
        overlap = previous.text[previous.text.rindex(first_sentence) :]
        assert following.text.startswith(overlap)
        assert 0 < len(overlap) <= SMALL.overlap_chars
    # Nothing is lost: every sentence is in some chunk.
    assert all(any(s in c.text for c in chunks) for s in sentences)


def test_tiny_trailing_piece_is_merged_into_the_previous_chunk() -> None:
    body = "申请人" + "应当如实填写申请表并提交相关证明材料" * 10 + "并按要求签字确认。"  # 192 chars
    tail = "具体要求详见附件一。"  # 10 chars: body + tail do not fit in max_chars, tail < min_chars
    assert len(body) + len(tail) > SMALL.max_chars
    chunks = chunk_document(make_doc("一、申请材料\n" + body + "\n" + tail), SMALL)
    assert len(chunks) == 1
    assert chunks[0].text == body + "\n" + tail
    assert chunks[0].chunk_id.startswith("hz-notice:0000:")


def test_tiny_piece_is_not_merged_across_sections() -> None:
    body = "申请人" + "应当如实填写申请表并提交相关证明材料" * 10 + "并按要求签字确认。"
    chunks = chunk_document(make_doc("一、申请材料\n" + body + "\n二、咨询方式\n具体要求详见附件一。"), SMALL)
    assert [c.section for c in chunks] == ["一、申请材料", "二、咨询方式"]
    assert chunks[1].text == "具体要求详见附件一。"


# --------------------------------------------------------------------------------------------------
# The real cleaned policy
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def policy_chunks() -> list[Chunk]:
    text = POLICY_FILE.read_text(encoding="utf-8")
    doc = SourceDocument(
        doc_id="gf-2022-5",
        title="国务院关于加快推进政务服务标准化、规范化、便利化的指导意见",
        text=text,
        source=str(POLICY_FILE),
    )
    return chunk_document(doc)


def test_real_policy_chunks(policy_chunks: list[Chunk]) -> None:
    assert len(policy_chunks) > 20
    assert policy_chunks[0].section == ""  # the preamble
    assert all(c.section for c in policy_chunks[1:])
    assert max(len(c.text) for c in policy_chunks) <= 600
    assert any(c.section.startswith("一、总体要求 > （一）指导思想") for c in policy_chunks)
    assert len({c.chunk_id for c in policy_chunks}) == len(policy_chunks)


# --------------------------------------------------------------------------------------------------
# Known bugs
# --------------------------------------------------------------------------------------------------


def test_short_list_items_and_articles_are_not_lost() -> None:
    text = "\n".join(
        [
            "第五条 申请人应当提交下列材料：",
            "（一）居民身份证；",
            "（二）户口簿；",
            "（三）出生医学证明。",
            "第六条 本办法自2027年1月1日起施行。",
        ]
    )
    chunks = chunk_document(make_doc(text))
    for needle in ("居民身份证", "户口簿", "出生医学证明", "自2027年1月1日起施行"):
        assert any(needle in c.text or needle in c.section for c in chunks), needle


def test_chunk_bound_holds_when_overlap_precedes_a_long_sentence() -> None:
    options = ChunkingOptions()  # 500 / 80 / 60
    paragraph = "甲" * 29 + "。" + "乙" * 39 + "。" + "丙" * 39 + "。" + "丁" * 489 + "。" + "戊" * 99 + "。"
    chunks = chunk_document(make_doc(paragraph), options)
    assert all(len(c.text) <= options.max_chars + options.min_chars for c in chunks)


def test_long_paragraph_without_sentence_ends_is_split() -> None:
    options = ChunkingOptions()
    paragraph = "，".join(["申请人持居民身份证到户籍所在地派出所办理"] * 60)  # about 1,200 chars, only commas
    chunks = chunk_document(make_doc(paragraph), options)
    assert all(len(c.text) <= options.max_chars + options.min_chars for c in chunks)
