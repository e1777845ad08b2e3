"""GuideService: lazy load, search, lookup, checklists and the per-process catalogue cache."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.guide.service import GuideService, UnknownGuide
from assistant.lexicon import load_lexicon
from assistant.settings import PROJECT_ROOT
from assistant.tokenization import ChineseTokenizer

from .conftest import YIJIANSHI_DIR


@pytest.fixture(scope="module")
def tokenizer() -> ChineseTokenizer:
    return ChineseTokenizer(load_lexicon(PROJECT_ROOT / "knowledge" / "lexicon"))


@pytest.fixture(scope="module")
def service(tokenizer: ChineseTokenizer) -> GuideService:
    return GuideService(YIJIANSHI_DIR, tokenizer)


def test_search_finds_the_bundle_from_colloquial_words(service: GuideService) -> None:
    ids = [m.guide.id for m in service.search("孩子刚出生要办什么手续", 3)]
    assert "yjs-newborn" in ids


def test_blank_query_finds_nothing(service: GuideService) -> None:
    assert service.search("   ") == []


def test_lookup_and_checklist(service: GuideService) -> None:
    assert service.get("yjs-newborn").name == "新生儿出生"
    checklist = service.checklist(
        "yjs-newborn", {"married": "unmarried", "follow": "mother", "insure": "together"}
    )
    assert checklist.complete
    names = [m.name for m in checklist.materials]
    assert any("非婚生育" in n for n in names) and not any(n == "结婚证" for n in names)


def test_unknown_id_and_bad_answer_are_clear_errors(service: GuideService) -> None:
    with pytest.raises(UnknownGuide):
        service.get("no-such-item")
    with pytest.raises(ValueError, match="married"):
        service.checklist("yjs-newborn", {"married": "perhaps"})


def test_a_broken_file_is_logged_and_the_rest_still_serves(
    tmp_path: Path, tokenizer: ChineseTokenizer, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "good.yaml").write_text(
        (YIJIANSHI_DIR / "retirement.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"id": "x", "name": "坏"}), encoding="utf-8")
    service = GuideService(tmp_path, tokenizer)
    with caplog.at_level("ERROR"):
        assert [g.id for g in service.catalogue.guides] == ["yjs-retirement"]
    assert "bad.yaml" in caplog.text


def test_a_missing_folder_gives_an_empty_catalogue(tmp_path: Path, tokenizer: ChineseTokenizer) -> None:
    service = GuideService(tmp_path / "absent", tokenizer)
    assert service.search("退休") == [] and service.start("办退休").kind == "not_a_guide"


def test_the_loaded_catalogue_is_shared_within_the_process(
    service: GuideService, tokenizer: ChineseTokenizer
) -> None:
    again = GuideService(YIJIANSHI_DIR, tokenizer)
    assert again.catalogue is service.catalogue


def test_a_field_question_about_a_named_item_is_answered_from_it(service: GuideService) -> None:
    facts = service.facts("开办餐饮店的办理流程是什么")
    assert facts is not None and facts.guide.id == "yjs-restaurant" and facts.stated
    assert facts.citations[0]["section"] == "办理流程"


def test_field_questions_without_a_clear_item_use_the_current_one(service: GuideService) -> None:
    assert service.facts("要多少钱") is None
    current = service.facts("要多少钱", current="yjs-credit-repair")
    assert current is not None and current.guide.id == "yjs-credit-repair"
    assert service.facts("开办餐饮店要准备什么材料") is None  # the dialogue's checklist answers that
    assert service.facts("今天天气怎么样") is None
