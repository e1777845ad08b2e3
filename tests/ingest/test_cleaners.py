"""Tests of the ingest cleaners, on the seed documents' real artifacts and on inline copies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.cleaners import (
    ENGLISH_HEADING,
    CleanResult,
    clean_text,
    detect_language,
    extract_source_title,
    extract_text_metadata,
    extract_web_metadata,
    is_bilingual,
    normalize_whitespace,
    repair_mojibake,
    split_bilingual,
    strip_web_boilerplate,
    strip_word_artifacts,
)

SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED_FILES = {
    "000": "000_2172d0cfe18a88f4.txt",
    "001": "001_abad1b4054433553.txt",
    "002": "002_36964d800bfa51a3.txt",
    "003": "003_f4324a837293c607.txt",
    "004": "004_a0e17f9524648ce0.txt",
}


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    """The raw seed documents from shared/seeds (skips when the folder is not there)."""
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS_DIR} (shared/ is not checked out)")
    return {key: (SEEDS_DIR / name).read_text(encoding="utf-8") for key, name in SEED_FILES.items()}


@pytest.fixture(scope="module")
def cleaned(seeds: dict[str, str]) -> dict[str, CleanResult]:
    return {key: clean_text(raw) for key, raw in seeds.items()}


def _lose_lead_byte(text: str, index: int, codec: str = "gbk") -> str:
    """Simulate the seed-002 damage: the lead byte of ``text[index]`` became ``?``."""
    data = text[:index].encode(codec) + b"?" + text[index].encode(codec)[1:] + text[index + 1 :].encode(codec)
    return data.decode(codec, errors="replace")


# --- inline copies of the seeds' artifacts ---------------------------------------------------------

WEB_TABLE = (
    "\n\n\n\n"
    "索引号：\t000014349/2023-00046\t主题分类：\t综合政务\\政务公开\n"
    "发文机关：\t国务院办公厅\t成文日期：\t2023年08月18日\n"
    "标 题：\t国务院办公厅关于依托全国一体化政务服务平台建立政务服务效能提升常态化工作机制的意见\t\t\n"
    "发文字号：\t国办发〔2023〕29号\t发布日期：\t2023年09月04日\n"
    "\n"
    "国务院办公厅关于依托全国一体化政务服务平台 建立政务服务效能提升常态化工作机制的意见\n"
    "\n"
    "国办发〔2023〕29号\n"
)
WEB_TAIL = (
    "各地区各有关部门要高度重视，不断提升企业和群众的获得感和满意度。\n\n"
    "附件：政务服务效能提升典型经验案例\n\n"
    "国务院办公厅\n2023年8月18日\n\n"
    "（此件公开发布）\n\n"
    "附件\n\n"
    "政务服务效能提升典型经验案例\n\n"
    "扫一扫在手机打开当前页\n\n\n\n"
    "主办单位：国务院办公厅 运行维护单位：中国政府网运行中心\n\n"
    "版权所有：中国政府网 中文域名：中国政府网.政务\n\n"
    "网站标识码bm01000001 京ICP备05070218号 京公网安备11010202000001号"
)
MOJIBAKE_002 = (
    "國務院部門要加快整合本領域政務服務業務系統,并與全國一體化政務服務平臺以數據接口等方式對接聯通。"
    "各?。ㄗ灾螀^、直轄市)要強化政務服務平臺建設省級統籌。"
)
BILINGUAL_003 = (
    "中英对照2023关于依托全国一体化政务服务平台建立政务服务效能提升常态化工作机制的意见.docx\n"
    "OpinionsoftheGeneralOfficeoftheStateCouncilonEstablishingaRegularWorkingMechanism"
    "国务院办公厅关于依托全国一体化政务服务平台建立政务服务效能提升常态化工作机制的意见(国办发(2023)29号)"
    "各省、自治区、直辖市人民政府,国务院各部委、各直属机构:近年来,业务办理不够便捷、平台支"
    "platform.Asaresult,theabilitytoprovidegovernmentserviceshasbeensignificantlyenhanced"
    "(i.e.,addressing10commonbottlenecksnationwide,100bottlenecksinkeyindustriesand"
    "1,000specificbottlenecksinvariousregions)arehereby offered:"
    "撑能力不足等问题,需加大力度持续推进和迭代创新。各省、自治区、直辖市人民政府,国务院各部委、各直属机构:"
    "现提出以下意见。"
    "I.EstablishingasoundmechanismforidentifyingandsolvingthebottlenecksinaccesstogovernmentservicesThe"
    "GeneralOfficeoftheStateCouncilshallcoordinate."
    "一、聚焦急难愁盼,建立健全办事堵点发现解决机制(一)畅通渠道,健全办事堵点主动发现机制。"
    "近年来,业务办理不够便捷、平台支撑能力不足等问题,需加大力度持续推进和迭代创新。"
)


# --- 1. Word artifacts -----------------------------------------------------------------------------


def test_strip_word_artifacts_inline() -> None:
    raw = (
        "\ufeff[bookmark: _GoBack]依托全国一体化政务服务平台[image: 图1 流程图]"
        "持续提升\u200b政务服\u00ad务效能[1]。"
    )
    assert strip_word_artifacts(raw) == "依托全国一体化政务服务平台持续提升政务服务效能[1]。"


def test_strip_word_artifacts_seed_001(seeds: dict[str, str]) -> None:
    raw = seeds["001"]
    assert "[bookmark" in raw
    out = strip_word_artifacts(raw)
    assert "[bookmark" not in out
    assert out.startswith("依托全国一体化政务服务平台持续提升政务服务效能改革")
    assert out == raw.replace("[bookmark: _GoBack]", "")


# --- 2. web metadata table ------------------------------------------------------------------------


def test_extract_web_metadata_inline() -> None:
    text, meta = extract_web_metadata(WEB_TABLE)
    assert meta == {
        "索引号": "000014349/2023-00046",
        "主题分类": "综合政务\\政务公开",
        "发文机关": "国务院办公厅",
        "成文日期": "2023年08月18日",
        "标题": "国务院办公厅关于依托全国一体化政务服务平台建立政务服务效能提升常态化工作机制的意见",
        "发文字号": "国办发〔2023〕29号",
        "发布日期": "2023年09月04日",
    }
    assert "索引号" not in text and "\t" not in text
    assert "国办发〔2023〕29号" in text  # the body's own number line stays


def test_extract_web_metadata_leaves_plain_text_alone() -> None:
    body = "国务院\n附件：政务服务效能提升典型经验案例\n近年来，国务院办公厅会同各地区各有关部门。"
    assert extract_web_metadata(body) == (body, {})


def test_extract_web_metadata_seed_000(seeds: dict[str, str]) -> None:
    text, meta = extract_web_metadata(seeds["000"])
    assert meta["发文字号"] == "国办发〔2023〕29号"
    assert meta["成文日期"] == "2023年08月18日"
    assert meta["发布日期"] == "2023年09月04日"
    assert meta["标题"].endswith("常态化工作机制的意见")
    assert "索引号" not in text and "主题分类" not in text


# --- 3. web boilerplate ---------------------------------------------------------------------------


def test_strip_web_boilerplate_inline() -> None:
    raw = "【字体：大 中 小】\n打印本页 关闭窗口\n" + WEB_TAIL
    out = strip_web_boilerplate(raw)
    lines = [line for line in out.split("\n") if line.strip()]
    assert lines == [
        "各地区各有关部门要高度重视，不断提升企业和群众的获得感和满意度。",
        "附件：政务服务效能提升典型经验案例",
        "国务院办公厅",
        "2023年8月18日",
        "（此件公开发布）",
    ]


def test_strip_web_boilerplate_keeps_sentences_about_copyright() -> None:
    text = (
        "加强知识产权保护，依法维护版权所有人的合法权益，版权所有：不得作为拒绝办理的理由。\n"
        "版权所有人依法享有的权利受法律保护。\n"
        "主办单位应当在十个工作日内答复。\n"
        "推进电子证照应用，主动发现办事堵点。"
    )
    assert strip_web_boilerplate(text) == text


def test_strip_web_boilerplate_keeps_attachment_with_body() -> None:
    text = (
        "国务院办公厅\n2023年8月18日\n附件\n政务服务效能提升典型经验案例\n"
        "一、北京市推行“一件事一次办”，实现跨部门协同办理。"
    )
    assert strip_web_boilerplate(text) == text


def test_strip_web_boilerplate_never_empties_a_document() -> None:
    assert strip_web_boilerplate("附件\n政务服务效能提升典型经验案例") == "附件\n政务服务效能提升典型经验案例"


def test_strip_web_boilerplate_seed_000(seeds: dict[str, str]) -> None:
    out = strip_web_boilerplate(seeds["000"])
    for footer in (
        "扫一扫",
        "主办单位",
        "运行维护单位",
        "版权所有",
        "中文域名",
        "网站标识码",
        "ICP备",
        "公网安备",
    ):
        assert footer not in out
    lines = [line.strip() for line in out.split("\n") if line.strip()]
    assert lines[-5:] == [
        lines[-5],
        "附件：政务服务效能提升典型经验案例",
        "国务院办公厅",
        "2023年8月18日",
        "（此件公开发布）",
    ]
    assert lines[-5].startswith("各地区各有关部门要高度重视")


# --- 4. mis-encoded text --------------------------------------------------------------------------


def test_repair_mojibake_inline_002() -> None:
    text, notes = repair_mojibake(MOJIBAKE_002)
    assert "各省(自治區、直轄市)要強化" in text
    assert "ㄗ" not in text and "?" not in text
    assert text == MOJIBAKE_002.replace("各?。ㄗ灾螀^", "各省(自治區")
    assert notes == ["repaired mis-encoded text: '各?。ㄗ灾螀^' → '各省(自治區'"]
    assert repair_mojibake(text) == (text, [])


@pytest.mark.parametrize(
    ("original", "index"),
    [
        ("能力不足等问题，需加大力度持续推进和迭代创新，不断提升企业和群众的获得感和满意度。", 9),
        ("群众的常态化沟通互动，主动发现办事堵点，及时掌握企业和群众办事中的急难愁盼问题。", 7),
        ("化政务服务平台建设应用基层联系点，注重发挥市县级平台在直接联系和服务群众中的作用。", 4),
    ],
)
def test_repair_mojibake_realigns_any_lost_lead_byte(original: str, index: int) -> None:
    damaged = _lose_lead_byte(original, index)
    assert damaged != original
    repaired, notes = repair_mojibake(damaged)
    assert repaired == original
    assert len(notes) == 1


def test_repair_mojibake_marks_characters_it_cannot_choose() -> None:
    damaged = _lose_lead_byte("依托全国一体化政务服务平台不断提升政务服务效能。", 4)
    repaired, notes = repair_mojibake(damaged)
    # the bytes in step decode to 体; the lost lead byte (一) and lost trail byte (化) are marked
    assert re.fullmatch("依托全国.体.政务服务平台不断提升政务服务效能。", repaired)
    assert "〓" in repaired and "\ufffd" not in repaired and "?" not in repaired
    assert "〓" in notes[0]
    assert repair_mojibake(repaired) == (repaired, [])


@pytest.mark.parametrize(
    "text",
    [
        "您好?请问怎么办理居住证",
        "What? 这是什么",
        "是否需要?APP办理",
        "问题?",
        "是否可以网上办理?\n可以。",
        "请问?\ufffd",
        "?",
        "",
    ],
)
def test_repair_mojibake_leaves_ordinary_text_alone(text: str) -> None:
    assert repair_mojibake(text) == (text, [])


@pytest.mark.parametrize("key", ["000", "001", "003", "004"])
def test_repair_mojibake_leaves_clean_seeds_unchanged(seeds: dict[str, str], key: str) -> None:
    assert repair_mojibake(seeds[key]) == (seeds[key], [])


def test_repair_mojibake_seed_002(seeds: dict[str, str]) -> None:
    raw = seeds["002"]
    text, notes = repair_mojibake(raw)
    assert "各省(自治區、直轄市)" in text
    assert "ㄗ" not in text and "螀" not in text
    assert text == raw.replace("各?。ㄗ灾螀^", "各省(自治區")  # the rest of 002 is untouched
    assert len(notes) == 1


# --- 5. bilingual ---------------------------------------------------------------------------------


def test_is_bilingual() -> None:
    assert is_bilingual(BILINGUAL_003)
    assert not is_bilingual(WEB_TABLE + WEB_TAIL)
    assert not is_bilingual("The people's governments of all provinces, 各省人民政府。" * 20)


def test_split_bilingual_inline() -> None:
    zh, en = split_bilingual(BILINGUAL_003)
    assert "平台支撑能力不足等问题" in zh
    assert ".docx" not in zh and "中英对照" not in zh
    assert zh.count("需加大力度持续推进和迭代创新") == 1  # repeated sentences are dropped
    assert zh.count("各省、自治区、直辖市人民政府") == 1
    assert zh.split("\n") == [
        "国务院办公厅关于依托全国一体化政务服务平台建立政务服务效能提升常态化工作机制的意见(国办发(2023)29号)",
        "各省、自治区、直辖市人民政府,国务院各部委、各直属机构:",
        "近年来,业务办理不够便捷、平台支撑能力不足等问题,需加大力度持续推进和迭代创新。现提出以下意见。",
        "一、聚焦急难愁盼,建立健全办事堵点发现解决机制",
        "(一)畅通渠道,健全办事堵点主动发现机制。",
    ]
    assert not re.search(r"[A-Za-z]", zh)
    assert not re.search(r"[\u4e00-\u9fff]", en)
    assert "General Office of the State Council" in en
    assert " bottlenecks " in en and "1,000 specific" in en
    assert "(i.e., addressing 10 common bottlenecks nationwide, 100 bottlenecks" in en
    assert "platform. As a result, the ability" in en
    assert "\nI. Establishing a sound mechanism" in en


def test_extract_source_title() -> None:
    text, meta = extract_source_title("\n中英对照2023关于某事的意见.docx\n正文。")
    assert meta == {"source_title": "中英对照2023关于某事的意见"}
    assert text == "\n正文。"
    assert extract_source_title("国务院关于某事的意见\n正文。") == ("国务院关于某事的意见\n正文。", {})


def test_split_bilingual_seed_003(seeds: dict[str, str]) -> None:
    zh, en = split_bilingual(seeds["003"])
    assert "平台支撑能力不足等问题" in zh
    assert zh.count("健全办事堵点主动发现机制") == 1
    assert "(一)畅通渠道,健全办事堵点主动发现机制。" in zh.split("\n")[4]
    assert zh.split("\n")[3] == "一、聚焦急难愁盼,建立健全办事堵点发现解决机制"
    assert "中英对照" not in zh and ".docx" not in zh
    assert re.search(r"\bbottlenecks\b", en)
    assert "General Office of the State Council" in en
    assert "1,000 specific bottlenecks" in en
    assert "Xi Jinping's" in en
    assert "Date Issued: 08-18-2023" in en.split("\n")
    assert not re.search(r"[\u4e00-\u9fff]", en)


# --- 6. whitespace, metadata, language, the whole pipeline ---------------------------------------


def test_normalize_whitespace() -> None:
    text = (
        " 各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n\n  \n"
        "国务院办公厅关于依托全国一体化政务服务平台 建立政务服务效能提升常态化工作机制的意见\n"
        "(四) 建立高频服务清单管理、闭环优化机制。与企业 and 群众\t\t相关。\n"
        + "提升身份认证支撑能力，依托国家网络身份认证基础设施"
        * 4
        + "、国\n家法人单位信息资源库等。\n"
        "（十）细化全国一体化政务服务平台协同运营机制。\n"
    )
    assert normalize_whitespace(text).split("\n") == [
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
        "国务院办公厅关于依托全国一体化政务服务平台建立政务服务效能提升常态化工作机制的意见",
        "(四) 建立高频服务清单管理、闭环优化机制。与企业 and 群众相关。",
        "提升身份认证支撑能力，依托国家网络身份认证基础设施" * 4 + "、国家法人单位信息资源库等。",
        "（十）细化全国一体化政务服务平台协同运营机制。",
    ]


def test_extract_text_metadata() -> None:
    text = "國發〔2024〕3號\n各省、自治區、直轄市人民政府:\n正文。\n國務院\n2024年1月9日"
    assert extract_text_metadata(text) == {
        "发文字号": "國發〔2024〕3號",
        "发文机关": "國務院",
        "成文日期": "2024年1月9日",
    }


def test_detect_language() -> None:
    assert detect_language("國務院關於進一步優化政務服務提升行政效能的指導意見") == "zh-Hant"
    assert detect_language("国务院关于进一步优化政务服务提升行政效能的指导意见") == "zh-Hans"
    assert detect_language("Opinions of the General Office of the State Council.") == "en"
    assert (
        detect_language(f"国务院关于某事的意见\n{ENGLISH_HEADING}\nOpinions of the State Council.")
        == "zh-Hans+en"
    )


def test_clean_text_inline_web_page() -> None:
    result = clean_text(WEB_TABLE + "\n" + WEB_TAIL)
    assert result.metadata["发文字号"] == "国办发〔2023〕29号"
    assert result.metadata["language"] == "zh-Hans"
    assert result.text.split("\n") == [
        "国务院办公厅关于依托全国一体化政务服务平台建立政务服务效能提升常态化工作机制的意见",
        "国办发〔2023〕29号",
        "各地区各有关部门要高度重视，不断提升企业和群众的获得感和满意度。",
        "附件：政务服务效能提升典型经验案例",
        "国务院办公厅",
        "2023年8月18日",
        "（此件公开发布）",
    ]
    assert any(note.startswith("removed 4 web footer/header line(s)") for note in result.notes)
    assert clean_text(result.text).text == result.text


def test_clean_text_seed_000(cleaned: dict[str, CleanResult]) -> None:
    result = cleaned["000"]
    meta = result.metadata
    assert meta["发文字号"] == "国办发〔2023〕29号"
    assert meta["成文日期"] == "2023年08月18日"
    assert meta["发布日期"] == "2023年09月04日"
    assert meta["发文机关"] == "国务院办公厅"
    assert meta["language"] == "zh-Hans"
    lines = result.text.split("\n")
    for footer in ("扫一扫", "主办单位", "版权所有", "网站标识码", "ICP备", "索引号"):
        assert footer not in result.text
    assert lines[0] == meta["标题"]
    assert lines[-4:] == [
        "附件：政务服务效能提升典型经验案例",
        "国务院办公厅",
        "2023年8月18日",
        "（此件公开发布）",
    ]
    assert "依托国家网络身份认证基础设施、国家法人单位信息资源库等" in result.text  # broken line re-joined
    assert "（一）畅通渠道" in result.text and "(四) 建立高频服务清单" in result.text  # widths kept
    assert "" not in lines and all(line == line.strip() for line in lines)


def test_clean_text_seed_001(cleaned: dict[str, CleanResult]) -> None:
    result = cleaned["001"]
    assert "[bookmark" not in result.text
    assert result.text.startswith("依托全国一体化政务服务平台持续提升政务服务效能改革")
    assert result.notes[0] == "removed 1 Word placeholder(s): [bookmark: _GoBack]"


def test_clean_text_seed_002(cleaned: dict[str, CleanResult]) -> None:
    result = cleaned["002"]
    assert "各省(自治區、直轄市)" in result.text
    assert "ㄗ" not in result.text
    assert "國務院" in result.text and "国务院" not in result.text  # Traditional kept for display
    assert result.metadata["language"] == "zh-Hant"
    assert result.metadata["发文字号"] == "國發〔2024〕3號"
    assert result.metadata["成文日期"] == "2024年1月9日"
    assert result.notes == ["repaired mis-encoded text: '各?。ㄗ灾螀^' → '各省(自治區'"]


def test_clean_text_seed_003(cleaned: dict[str, CleanResult]) -> None:
    result = cleaned["003"]
    zh, en = result.text.split(f"\n{ENGLISH_HEADING}\n")
    assert "平台支撑能力不足" in zh
    assert zh.count("健全办事堵点主动发现机制") == 1
    assert re.search(r"\bbottlenecks\b", en) and "General Office of the State Council" in en
    assert (
        result.metadata["source_title"]
        == "中英对照2023关于依托全国一体化政务服务平台建立政务服务效能提升常态化工作机制的意见"
    )
    assert result.metadata["language"] == "zh-Hans+en"
    assert result.metadata["发文字号"] == "国办发(2023)29号"


def test_clean_text_seed_004(seeds: dict[str, str], cleaned: dict[str, CleanResult]) -> None:
    result = cleaned["004"]
    assert seeds["004"].startswith(" ")
    assert result.text.startswith("各省、自治区、直辖市人民政府，国务院各部委、各直属机构：")
    assert result.text.split("\n")[-1] == "国务院"
    assert result.metadata["language"] == "zh-Hans"
    paragraphs = [line.strip() for line in seeds["004"].split("\n") if line.strip()]
    assert result.text.split("\n") == paragraphs  # nothing else changes


@pytest.mark.parametrize("key", sorted(SEED_FILES))
def test_clean_text_is_idempotent(cleaned: dict[str, CleanResult], key: str) -> None:
    once = cleaned[key].text
    assert clean_text(once).text == once
    assert "\n\n" not in once and once == once.strip()
