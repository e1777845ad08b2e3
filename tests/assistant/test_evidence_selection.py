"""Tests for assistant.evidence_selection: which scored sentences make the answer, and their order."""

from __future__ import annotations

from assistant.evidence import ScoredSentence, Sentence
from assistant.evidence_selection import ANSWER_CHARS, continues, select_sentences
from assistant.textnorm import normalize
from ingest.models import Chunk


def scored(
    text: str,
    chunk_id: str,
    score: float,
    coverage: float,
    position: int = 0,
    *,
    exact: bool = False,
    doc: str | None = None,
    ordinal: int = 0,
) -> ScoredSentence:
    chunk = Chunk(
        chunk_id=chunk_id, doc_id=doc or chunk_id, ordinal=ordinal, title="标题", section="", text=text
    )
    sentence = Sentence(text, normalize(text), chunk, 0, position)
    return ScoredSentence(sentence, score, coverage, answers_type=exact, exact=exact)


def texts(chosen: list[ScoredSentence]) -> list[str]:
    return [c.sentence.text for c in chosen]


def best_first(*items: ScoredSentence) -> list[ScoredSentence]:
    return sorted(items, key=lambda s: -s.score)


def test_nothing_scored_selects_nothing() -> None:
    assert select_sentences([], max_sentences=3) == []


def test_near_duplicates_are_skipped_but_a_longer_sentence_containing_a_short_one_is_not() -> None:
    candidates = [
        scored("推进电子证照在全国范围内互通互认。", "a", 2.0, 0.9),
        scored("推进电子证照在全国范围内的互通互认。", "b", 1.9, 0.9),  # the same sentence elsewhere
        scored("推进电子证照在全国范围内互通互认，并加快归集共享和签发应用，方便群众。", "c", 1.5, 0.5),
        scored("统一政务服务场所名称。", "d", 1.2, 0.1),  # adds too little coverage
    ]
    chosen = select_sentences(candidates, max_sentences=4)
    assert [c.sentence.chunk.chunk_id for c in chosen] == ["a", "c"]


def test_a_clear_best_sentence_stands_alone() -> None:
    """The count adapts: sentences far below the best one do not join it, however much room is left."""
    chosen = select_sentences(
        [
            scored("公安派出所应当自受理之日起15个工作日内发放居住证。", "a", 2.0, 1.0),
            scored("居住证每年签注一次，签注后继续有效。", "b", 0.9, 0.5),
            scored("申领居住证应当提交本人居民身份证。", "c", 0.8, 0.5),
        ],
        max_sentences=4,
    )
    assert texts(chosen) == ["公安派出所应当自受理之日起15个工作日内发放居住证。"]


def test_the_opening_of_a_list_brings_its_next_items() -> None:
    opening = scored("2022年底前，五级政务服务能力显著提升；", "a", 2.0, 0.8, position=1)
    second = scored("基本目录统一编制、联合审核；", "a", 0.1, 0.0, position=2)
    third = scored("政务服务中心综合窗口全覆盖。", "a", 0.1, 0.0, position=3)
    beyond = scored("这一句已在列表之外，不随列表入选。", "a", 0.1, 0.0, position=4)
    other = scored("推进政务服务标准化规范化便利化。", "b", 1.5, 0.6)
    chosen = select_sentences(best_first(opening, second, third, beyond, other), max_sentences=4)
    assert continues(opening.sentence) and not continues(third.sentence)
    assert texts(chosen) == texts([opening, second, third, other])


def test_an_item_in_the_middle_of_a_list_does_not_bring_its_siblings() -> None:
    opening = scored("到2025年，服务水平大幅提升；", "a", 0.2, 0.0, position=1)
    item = scored("高频电子证照实现全国互通互认；", "a", 2.0, 1.0, position=2)
    sibling = scored("集约化办事实现新的突破。", "a", 0.1, 0.0, position=3)
    chosen = select_sentences(best_first(opening, item, sibling), max_sentences=2)
    assert texts(chosen) == [item.sentence.text, sibling.sentence.text]  # the sibling only fills room
    chosen = select_sentences(
        best_first(opening, item, sibling, scored("另一份文件也讲互通互认。", "b", 1.5, 0.9)), 2
    )
    assert texts(chosen) == [item.sentence.text, "另一份文件也讲互通互认。"]


def test_a_list_item_brings_the_opening_that_holds_the_date_asked_for() -> None:
    """高频电子证照…； is the 2025 goal only because its run opens with 2025年底前: the opening leads."""
    opening = scored("2025年底前，高频事项实现无差别受理；", "a", 0.8, 0.0, position=4, exact=True)
    item = scored("高频电子证照实现全国互通互认；", "a", 1.4, 1.0, position=5)
    best = scored("推进电子证照在政务服务领域应用和全国互通互认。", "b", 1.6, 1.0)
    chosen = select_sentences(best_first(opening, item, best), max_sentences=4)
    assert texts(chosen) == [opening.sentence.text, best.sentence.text, item.sentence.text]


def test_the_direct_answer_joins_and_leads() -> None:
    topic = scored("居住证由公安机关负责签发和管理。", "a", 2.0, 1.0)
    value = scored("自受理之日起15个工作日内制作发放。", "b", 1.2, 0.2, exact=True)
    chosen = select_sentences(best_first(topic, value), max_sentences=3)
    assert texts(chosen) == [value.sentence.text, topic.sentence.text]


def test_room_left_is_filled_with_the_sentence_after_the_best_one() -> None:
    best = scored("落实政务服务好差评制度，全面开展好差评工作。", "a", 2.0, 1.0, position=1)
    after = scored("坚持评价人自愿自主评价原则，不得强迫评价。", "a", 0.3, 0.0, position=2)
    later = scored("其他与问题无关的内容不选。", "a", 0.2, 0.0, position=3)
    elsewhere = scored("好差评结果纳入绩效考核。", "b", 1.5, 1.0)
    chosen = select_sentences(best_first(best, after, later, elsewhere), max_sentences=3)
    assert texts(chosen) == [best.sentence.text, elsewhere.sentence.text, after.sentence.text]
    # no room: the candidates that scored come first
    assert texts(select_sentences(best_first(best, after, later, elsewhere), max_sentences=2)) == [
        best.sentence.text,
        elsewhere.sentence.text,
    ]


def test_a_list_cut_by_a_chunk_boundary_goes_on_in_the_next_chunk() -> None:
    opening = scored("100 bottlenecks in key industries;", "d:8", 2.0, 1.0, 3, doc="d", ordinal=8)
    next_chunk = scored("and 100 services of departmental linkage.", "d:9", 0.1, 0.0, 0, doc="d", ordinal=9)
    far_chunk = scored("A passage two chunks further on.", "d:11", 0.1, 0.0, 0, doc="d", ordinal=11)
    chosen = select_sentences(best_first(opening, next_chunk, far_chunk), max_sentences=4)
    assert texts(chosen) == texts([opening, next_chunk])
    # without the chunk in between, the document does not read on
    chosen = select_sentences(best_first(opening, far_chunk), max_sentences=4)
    assert texts(chosen) == texts([opening])


def test_a_long_answer_takes_no_further_candidates() -> None:
    long_text = "推进政务服务标准化规范化便利化，" * (ANSWER_CHARS // 16 + 1) + "全面提升服务水平。"
    best = scored(long_text, "a", 2.0, 1.0)
    other = scored("加快电子证照归集共享和签发应用。", "b", 1.8, 0.9)
    assert texts(select_sentences(best_first(best, other), max_sentences=4)) == [long_text]
    short_best = scored("推进政务服务标准化。", "a", 2.0, 1.0)
    assert len(texts(select_sentences(best_first(short_best, other), max_sentences=4))) == 2


def test_english_sentences_are_compared_by_words_not_character_bigrams() -> None:
    """Any two English sentences share most character bigrams (th, he, on …): a sentence that says
    something new is no repeat because it shares “of the State Council” with the chosen one."""
    best = scored(
        "Opinions of the General Office of the State Council on Establishing a Regular Working Mechanism for "
        "Improving the Efficiency of Government Services Based on the National Integrated Platform",
        "a",
        2.0,
        0.5,
    )
    level = scored("Level of Authority: Regulatory Documents of the State Council", "a", 1.8, 0.5, position=1)
    repeat = scored(
        "Opinions of the General Office of the State Council on establishing a regular working mechanism.",
        "b",
        1.7,
        0.5,
    )
    assert texts(select_sentences([best, level, repeat], max_sentences=4)) == texts([best, level])
