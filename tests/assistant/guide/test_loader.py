"""Loading the catalogue: mapping and list files, broken files and items, duplicates, the real sample guides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.guide.loader import GuideLoadError, load_catalogue, load_guide_file
from tests.assistant.guide.conftest import YIJIANSHI_DIR

YIJIANSHI = {
    "yjs-enterprise-info-change": "企业信息变更",
    "yjs-transport-company": "开办运输企业",
    "yjs-restaurant": "开办餐饮店",
    "yjs-listing-compliance": "企业上市合法合规信息核查",
    "yjs-utilities-connection": "水电气网联合报装",
    "yjs-credit-repair": "信用修复",
    "yjs-bankruptcy-info": "企业破产信息核查",
    "yjs-employee-hiring": "员工录用",
    "yjs-social-security-card": "社会保障卡居民服务“一卡通”",
    "yjs-newborn": "新生儿出生",
    "yjs-school-enrolment": "教育入学",
    "yjs-disability-services": "残疾人服务",
    "yjs-retirement": "退休",
}


def _guide(guide_data: dict[str, Any], guide_id: str, **changes: Any) -> dict[str, Any]:
    return {**guide_data, "id": guide_id, **changes}


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_mapping_and_list_files_load_in_sorted_order(tmp_path, guide_data):
    _write(tmp_path / "b" / "list.yml", [_guide(guide_data, "g-2"), _guide(guide_data, "g-3")])
    _write(tmp_path / "a.yaml", _guide(guide_data, "g-1"))
    (tmp_path / "notes.txt").write_text("not a guide", encoding="utf-8")
    load = load_catalogue(tmp_path)
    assert load.ok and load.errors == []
    assert [g.id for g in load.guides] == ["g-1", "g-2", "g-3"]
    assert len(load) == 3 and "g-2" in load and "g-9" not in load
    found = load.get("g-3")
    assert found is not None and found.name == "测试一件事"
    assert load.get("g-9") is None


def test_yaml_syntax_error_names_file_and_line(tmp_path, guide_data):
    _write(tmp_path / "good.yaml", _guide(guide_data, "g-1"))
    (tmp_path / "broken.yaml").write_text("id: x\nname: [unclosed\nkind: item\n", encoding="utf-8")
    load = load_catalogue(tmp_path)
    assert [g.id for g in load.guides] == ["g-1"]
    [error] = load.errors
    assert error.file == "broken.yaml" and error.item == "" and error.field == ""
    assert "YAML syntax error at line 3" in error.message
    assert str(error).startswith("broken.yaml: YAML syntax error at line 3")


def test_bad_item_is_skipped_and_named_rest_loads(tmp_path, guide_data):
    bad = _guide(guide_data, "g-bad")
    bad["materials"] = [{**guide_data["materials"][0], "copies": "two"}]
    no_id = {k: v for k, v in guide_data.items() if k != "id"}
    _write(tmp_path / "sub" / "many.yaml", [_guide(guide_data, "g-1"), bad, no_id, _guide(guide_data, "g-2")])
    load = load_catalogue(tmp_path)
    assert [g.id for g in load.guides] == ["g-1", "g-2"]
    by_item = {e.item: e for e in load.errors}
    assert set(by_item) == {"g-bad", "#2"}
    error = by_item["g-bad"]
    assert (error.file, error.field) == ("sub/many.yaml", "materials.0.copies")
    assert str(error) == f"sub/many.yaml: item g-bad: field materials.0.copies: {error.message}"
    assert "valid integer" in error.message
    assert by_item["#2"].field == "id" and "Field required" in by_item["#2"].message


def test_model_level_error_names_the_field_in_its_message(tmp_path, guide_data):
    bad = _guide(guide_data, "g-bad")
    bad["steps"] = [{"title": "步骤", "when": {"q9": ["y"]}}]
    _write(tmp_path / "one.yaml", bad)
    [error] = load_catalogue(tmp_path).errors
    assert error.item == "g-bad" and error.field == ""
    assert error.message == "steps[0].when: unknown situation 'q9'"


def test_duplicate_ids_across_files_keep_the_first(tmp_path, guide_data):
    _write(tmp_path / "1-first.yaml", _guide(guide_data, "g-1", department="第一个"))
    _write(
        tmp_path / "2-second.yaml",
        [_guide(guide_data, "g-1", department="第二个"), _guide(guide_data, "g-2")],
    )
    load = load_catalogue(tmp_path)
    assert [g.id for g in load.guides] == ["g-1", "g-2"]
    kept = load.get("g-1")
    assert kept is not None and kept.department == "第一个"
    [error] = load.errors
    assert (error.file, error.item) == ("2-second.yaml", "g-1")
    assert "duplicate id" in error.message and "1-first.yaml" in error.message


def test_duplicate_ids_in_one_file(tmp_path, guide_data):
    guides, errors = load_guide_file(
        _write(tmp_path / "x.yaml", [_guide(guide_data, "g-1"), _guide(guide_data, "g-1")]), shown="x.yaml"
    )
    assert [g.id for g in guides] == ["g-1"]
    assert [(e.file, e.item) for e in errors] == [("x.yaml", "g-1")]


def test_empty_scalar_and_non_mapping_items(tmp_path, guide_data):
    (tmp_path / "empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    (tmp_path / "scalar.yaml").write_text("just text\n", encoding="utf-8")
    _write(tmp_path / "mixed.yaml", [_guide(guide_data, "g-1"), "oops"])
    load = load_catalogue(tmp_path)
    assert [g.id for g in load.guides] == ["g-1"]
    messages = {(e.file, e.item): e.message for e in load.errors}
    assert messages[("empty.yaml", "")] == "the file holds no guide"
    assert "got str" in messages[("scalar.yaml", "")]
    assert messages[("mixed.yaml", "#1")] == "expected a guide mapping, got str"


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_catalogue(tmp_path / "nowhere")


def test_error_without_item_or_field_reads_well():
    assert str(GuideLoadError("a.yaml", "boom")) == "a.yaml: boom"
    assert str(GuideLoadError("a.yaml", "boom", "g", "x.y")) == "a.yaml: item g: field x.y: boom"


def test_file_names_are_relative_to_the_project_root_or_given_root(tmp_path, monkeypatch):
    (tmp_path / "knowledge" / "guides").mkdir(parents=True)
    (tmp_path / "knowledge" / "guides" / "x.yaml").write_text("a: [\n", encoding="utf-8")
    monkeypatch.setattr("assistant.guide.loader.PROJECT_ROOT", tmp_path)
    assert load_catalogue(tmp_path / "knowledge" / "guides").errors[0].file == "knowledge/guides/x.yaml"
    assert (
        load_catalogue(tmp_path / "knowledge", root=tmp_path / "knowledge").errors[0].file == "guides/x.yaml"
    )


def test_load_guide_file_alone():
    guides, errors = load_guide_file(YIJIANSHI_DIR / "newborn.yaml")
    assert [g.id for g in guides] == ["yjs-newborn"] and errors == []


def test_real_yijianshi_catalogue_loads_without_errors(catalogue):
    assert [str(e) for e in catalogue.errors] == []
    assert {g.id: g.name for g in catalogue.guides} == YIJIANSHI


def test_real_guides_are_marked_sample_and_invent_nothing_local(catalogue):
    for guide in catalogue.guides:
        assert guide.kind == "bundle" and len(guide.sub_items) >= 2, guide.id
        assert guide.sample and guide.region == "全国（示例）", guide.id
        assert guide.source.note == "示例内容，依据公开信息整理，各地以当地办事指南为准", guide.id
        assert guide.as_of.year == 2024, guide.id
        assert guide.consult_phone == "", guide.id
        assert len(guide.aliases) >= 5 and 1 <= len(guide.situations) <= 4, guide.id
        assert guide.materials and guide.steps and guide.channels and guide.locations, guide.id
        assert any("国发〔2024〕3号" in basis for basis in guide.basis), guide.id
        assert {c.kind for c in guide.channels} >= {"online", "window"}, guide.id
        for situation in guide.situations:
            assert all(option.phrases for option in situation.options), (guide.id, situation.id)
