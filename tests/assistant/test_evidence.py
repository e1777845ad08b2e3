"""Tests for assistant.evidence: answer types, query terms with synonyms and IDF, sentences and their scores."""

from __future__ import annotations

import pytest

from assistant.evidence import (
    SECTION_SHARE,
    TermWeights,
    answer_types,
    has_value,
    query_terms,
    score_sentences,
    split_sentences,
)
from assistant.lexicon import load_lexicon
from assistant.settings import Settings
from assistant.textnorm import normalize
from assistant.tokenization import ChineseTokenizer
from ingest.models import Chunk

TEXTS = [
    "依托全国一体化政务服务平台推进政务服务事项网上办理。",
    "政务服务中心设置综合窗口，推进政务服务事项集中办理。",
    "政务服务事项实行告知承诺制，减少证明材料。",
    "推进电子证照互通互认，政务服务平台移动端汇聚电子证照。",
]


def chunk(text: str, chunk_id: str = "c0") -> Chunk:
    return Chunk(chunk_id=chunk_id, doc_id="doc", ordinal=0, title="标题", section="一、总体要求", text=text)


@pytest.fixture(scope="module")
def tokenizer() -> ChineseTokenizer:
    settings = Settings(_env_file=None, embedding_mode="hash")  # type: ignore[call-arg]
    return ChineseTokenizer(load_lexicon(settings.lexicon_dir))


@pytest.fixture(scope="module")
def weights(tokenizer: ChineseTokenizer) -> TermWeights:
    return TermWeights(tokenizer, [chunk(t, f"c{i}") for i, t in enumerate(TEXTS)])


# ------------------------------------------------------------------------------- answer types


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("这项政策什么时候开始实施？", ["date"]),
        ("跨省通办要多久才能办好？", ["deadline"]),
        ("办营业执照要多少钱？", ["fee", "number"]),  # specific types first
        ("政务服务中心的电话是多少？", ["phone", "number"]),
        ("便民服务中心地址在哪？", ["address"]),
        ("政务服务大厅几点开门？", ["hours"]),
        ("需要哪些材料？", ["list"]),
        ("中介服务乱收费国家怎么管", []),  # 乱收费 is a topic, not a question about a fee
        ("窗口能不能让我先在网上预约？", ["yesno"]),
        ("部门进驻了大厅但不在那儿办，这种情况允许吗", ["yesno"]),
        ("社保算不算政务服务事项", ["yesno"]),
        ("什么是跨省通办？", []),
    ],
)
def test_answer_types(question: str, expected: list[str]) -> None:
    assert answer_types(normalize(question)) == expected


def test_answer_types_of_english_cues_are_case_insensitive() -> None:
    assert answer_types("What is the FEE?") == ["fee"]


@pytest.mark.parametrize(
    ("answer_type", "text", "expected"),
    [
        ("date", "2024年底前完成", True),
        ("date", "逐步完成", False),
        ("deadline", "5个工作日内办结", True),
        ("deadline", "三个工作日内办结", True),
        ("deadline", "尽快办结", False),
        ("fee", "工本费10元", True),
        ("fee", "不收费", True),
        ("fee", "按规定收取", False),
        ("phone", "请拨打12345热线", True),
        ("phone", "咨询电话010-12345678", True),
        ("phone", "联系电话另行公布", False),
        ("address", "北京市西城区西长安街8号", True),
        ("address", "在政务服务中心办理", False),
        ("hours", "9:00至17:00", True),
        ("hours", "上午9时至下午5时", True),
        ("hours", "开展延时错时服务", False),  # names the practice, not the hours
        ("hours", "按规定时间办理", False),
        ("yesno", "不得强制要求其先到线上预约", True),  # forbids
        ("yesno", "进驻的事项必须在政务服务中心实质运行", True),  # requires
        ("yesno", "鼓励各地区开展延时错时服务", True),  # encourages
        ("yesno", "推进政务服务事项集中办理", False),  # a measure, no yes or no
    ],
)
def test_has_value(answer_type: str, text: str, expected: bool) -> None:
    assert has_value(answer_type, normalize(text)) is expected


# --------------------------------------------------------------------------------- sentences


def test_split_sentences_drops_short_fragments_and_headings_and_keeps_the_script() -> None:
    text = (
        "一、总体要求\n"
        "（二）推广免证办服务提升便利度\n"
        "推進電子證照在政務服務領域應用和全國互通互認。好的。\n"
        "全面推行证明事项告知承诺制，减少证明材料；推动同一事项无差别受理。"
    )
    sentences = split_sentences(chunk(text), chunk_rank=3)
    assert [s.text for s in sentences] == [
        "推進電子證照在政務服務領域應用和全國互通互認。",  # original (Traditional) script kept for display
        "全面推行证明事项告知承诺制，减少证明材料；",
        "推动同一事项无差别受理。",
    ]
    first = sentences[0]
    assert first.normalized == "推进电子证照在政务服务领域应用和全国互通互认。"  # matching form is Simplified
    assert first.chunk_rank == 3 and first.chunk.chunk_id == "c0"
    positions = [s.position for s in sentences]
    assert positions == sorted(positions) and len(set(positions)) == 3


def test_a_long_numbered_sentence_is_not_a_heading() -> None:
    text = "（一）加强政务服务标准化建设，推动同一政务服务事项在全国范围内无差别受理、同标准办理。"
    assert len(split_sentences(chunk(text), 0)) == 1


def test_a_sentence_that_begins_with_a_date_is_kept() -> None:
    """Only list markers are discounted from a sentence's length, not the digits of a date."""
    text = "国务院\n2024年1月9日\n1. 好的。\n（三）是。"
    assert [s.text for s in split_sentences(chunk(text), 0)] == ["2024年1月9日"]


def test_a_paragraphs_short_title_sentence_is_not_an_answer() -> None:
    text = "规范政务服务窗口设置。政务服务中心要设置综合咨询窗口，统一提供咨询服务。\n短句独占一行也算答案。"
    assert [s.text for s in split_sentences(chunk(text), 0)] == [
        "政务服务中心要设置综合咨询窗口，统一提供咨询服务。",
        "短句独占一行也算答案。",  # alone on its line: a statement, not a paragraph's title
    ]


def test_english_sentences_are_split_where_a_space_is_missing() -> None:
    text = "Improve the satisfaction of the public.For the purposes of this opinion, see below."
    assert [s.text for s in split_sentences(chunk(text), 0)] == [
        "Improve the satisfaction of the public.",
        "For the purposes of this opinion, see below.",
    ]


# ----------------------------------------------------------------------------- query terms


def test_term_weights_rank_rare_terms_above_common_ones(weights: TermWeights) -> None:
    common = weights.idf("政务服务")  # in every chunk
    rare = weights.idf("告知承诺制")  # in one chunk
    absent = weights.idf("居住证")  # in none
    assert absent > rare > common > 0
    assert weights.doc_count == len(TEXTS)
    # a term that is not a segmented word is looked up as a substring
    assert weights.idf("平台移动端汇聚") == pytest.approx(rare)


def test_query_terms_add_the_lexicon_synonyms(tokenizer: ChineseTokenizer, weights: TermWeights) -> None:
    terms = query_terms("一网通办怎么办理？", tokenizer, weights)
    groups = {g.alternatives[0]: g for g in terms.groups}
    assert "一网通办" in groups
    synonym_group = groups["一网通办"]
    assert (
        "全国一体化政务服务平台" in synonym_group.alternatives
        and "政务服务平台" in synonym_group.alternatives
    )
    # the group is weighted by its rarest alternative
    assert synonym_group.weight == pytest.approx(max(weights.idf(a) for a in synonym_group.alternatives))
    # a text with only the official term satisfies the colloquial one
    assert synonym_group.found_in(normalize(TEXTS[0]))
    # the colloquial term is not counted a second time as a plain word
    assert sum("一网通办" in g.alternatives for g in terms.groups) == 1


def test_query_terms_drop_stop_words_and_normalise(tokenizer: ChineseTokenizer, weights: TermWeights) -> None:
    terms = query_terms("請問電子證照是什麼呢？", tokenizer, weights)
    words = {alt for g in terms.groups for alt in g.alternatives}
    assert "电子证照" in words  # Traditional question, Simplified terms
    assert not words & {"请问", "什么", "是", "呢", "?"}


def test_words_the_segmenter_invents_are_cut_into_dictionary_words(
    tokenizer: ChineseTokenizer, weights: TermWeights
) -> None:
    """jieba's hidden Markov model joins characters of a colloquial question into words no dictionary
    has (还卡 of 还卡在哪, 码能 of 码能用来): as rare query terms they would weigh most and match nothing."""
    words = {
        g.alternatives[0]
        for g in query_terms("政务服务从能办到好办，现在还卡在哪？", tokenizer, weights).groups
    }
    assert "政务服务" in words and "好办" in words
    assert not words & {"从能", "还卡"}
    words = {g.alternatives[0] for g in query_terms("政务服务的码能用来干啥？", tokenizer, weights).groups}
    assert "码能" not in words and "政务服务" in words


def test_a_new_word_the_knowledge_holds_is_kept(tokenizer: ChineseTokenizer) -> None:
    """堵点 is in no dictionary either, but the policies use it: it names what the question is about."""
    assert "堵点" not in {
        g.alternatives[0]
        for g in query_terms("办事遇到堵点了", tokenizer, TermWeights(tokenizer, [chunk(TEXTS[0])])).groups
    }
    held = TermWeights(tokenizer, [chunk("及时发现和解决办事堵点。")])
    assert "堵点" in {g.alternatives[0] for g in query_terms("办事遇到堵点了", tokenizer, held).groups}


def test_english_function_words_are_not_query_terms(
    tokenizer: ChineseTokenizer, weights: TermWeights
) -> None:
    terms = query_terms("What does the opinion say about the hotline?", tokenizer, weights)
    assert [g.alternatives[0] for g in terms.groups] == ["opinion", "say", "hotline"]


def test_coverage_is_idf_weighted(tokenizer: ChineseTokenizer, weights: TermWeights) -> None:
    terms = query_terms("告知承诺制 政务服务", tokenizer, weights)
    rare_only = terms.coverage("告知承诺制")
    common_only = terms.coverage("政务服务")
    assert 0 < common_only < rare_only < 1
    assert terms.coverage(normalize("政务服务事项实行告知承诺制")) == pytest.approx(1.0)
    assert terms.coverage("居住证") == 0.0


def test_search_mode_sub_words_are_not_counted_beside_the_longer_word(
    tokenizer: ChineseTokenizer, weights: TermWeights
) -> None:
    terms = query_terms("电子证照怎么用", tokenizer, weights)
    words = [alt for g in terms.groups for alt in g.alternatives]
    assert "电子证照" in words
    assert "电子" not in words and "证照" not in words


# ----------------------------------------------------------------------------------- scoring


def test_score_sentences_prefers_coverage_and_the_wanted_value(
    tokenizer: ChineseTokenizer, weights: TermWeights
) -> None:
    text = "告知承诺制适用于风险可控的事项。告知承诺制事项一般在5个工作日内办结。居住证由公安机关签发。"
    sentences = split_sentences(chunk(text), 0)
    terms = query_terms("告知承诺制要多久", tokenizer, weights)
    ranked = score_sentences(sentences, terms, ["deadline"])
    assert ranked[0].sentence.text == "告知承诺制事项一般在5个工作日内办结。"
    assert ranked[0].answers_type and not ranked[1].answers_type
    assert ranked[-1].sentence.text == "居住证由公安机关签发。" and ranked[-1].coverage == 0.0


def test_a_sub_word_alone_earns_partial_credit(tokenizer: ChineseTokenizer, weights: TermWeights) -> None:
    terms = query_terms("监管部门怎么分工", tokenizer, weights)
    group = next(g for g in terms.groups if g.alternatives[0] == "监管部门")
    assert group.credit("谁审批、谁监管") == pytest.approx(0.5)
    assert group.credit("监管部门要加强协同") == 1.0
    assert group.credit("与此无关的句子") == 0.0


def test_a_term_no_evidence_has_does_not_dilute_coverage(
    tokenizer: ChineseTokenizer, weights: TermWeights
) -> None:
    """啥时候 is in no sentence: it cannot tell sentences apart, so coverage is over the other terms."""
    sentences = split_sentences(chunk("推进电子证照互通互认。\n政务服务中心设置综合窗口。"), 0)
    terms = query_terms("电子证照互通互认啥时候", tokenizer, weights)
    assert terms.coverage(sentences[0].normalized) < 1.0  # the refusal's strength still counts it
    ranked = score_sentences(sentences, terms, [])
    assert ranked[0].sentence.text == "推进电子证照互通互认。" and ranked[0].coverage == pytest.approx(1.0)
    assert ranked[1].coverage == 0.0


def test_a_term_in_the_section_heading_earns_half_credit(
    tokenizer: ChineseTokenizer, weights: TermWeights
) -> None:
    under = Chunk(
        chunk_id="h",
        doc_id="doc",
        ordinal=0,
        title="标题",
        section="（二）推广告知承诺制",
        text="减少证明材料，方便企业群众。\n",
    )
    elsewhere = chunk("统一政务服务场所名称。", "o")
    sentences = split_sentences(under, 0) + split_sentences(elsewhere, 0)
    terms = query_terms("告知承诺制", tokenizer, weights)
    by_text = {s.sentence.text: s for s in score_sentences(sentences, terms, [])}
    assert by_text["减少证明材料，方便企业群众。"].coverage == pytest.approx(SECTION_SHARE)
    assert by_text["统一政务服务场所名称。"].coverage == 0.0


def test_the_exact_date_is_a_day_a_month_or_a_years_end_not_a_bare_year(
    tokenizer: ChineseTokenizer, weights: TermWeights
) -> None:
    texts = "国发〔2024〕3号文件印发。\n该意见于2024年1月9日印发。\n2025年底前基本建成。"
    sentences = split_sentences(chunk(texts), 0)
    terms = query_terms("意见是哪天印发的", tokenizer, weights)
    exact = {s.sentence.text: s.exact for s in score_sentences(sentences, terms, ["date"])}
    assert exact == {
        "国发〔2024〕3号文件印发。": False,
        "该意见于2024年1月9日印发。": True,
        "2025年底前基本建成。": True,
    }


def test_a_lone_two_character_fragment_is_no_evidence() -> None:
    from assistant.evidence import QueryTerms, TermGroup

    terms = QueryTerms(
        (
            TermGroup(("量子",), 1.0),
            TermGroup(("动力学",), 1.0, parts=("动力", "力学")),
            TermGroup(("夸克",), 1.0),
        )
    )
    policy = "激发经济社会发展内生动力"
    assert terms.coverage(policy) > 0 and terms.support(policy) == 0.0
    assert terms.support("量子动力学") == terms.coverage("量子动力学") > 0  # whole terms count

    office = QueryTerms((TermGroup(("不动产登记中心",), 1.0, parts=("不动产", "登记", "中心")),))
    assert office.support("办理不动产抵押") == office.coverage("办理不动产抵押") > 0  # a word, not a fragment
