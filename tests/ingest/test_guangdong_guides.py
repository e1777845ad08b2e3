"""The Guangdong 办事指南 conversion: field mapping, cleaning, reporting, and the bundled catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.guide.models import ServiceGuide
from ingest.guangdong_guides import (
    AS_OF,
    BUNDLE_FILE,
    DEFAULT_SOURCE,
    SOURCE_NAME,
    SOURCE_NOTE,
    convert_file,
    convert_records,
    dump_guides,
    guide_mapping,
    load_bundle,
    main,
    render_time_limit,
    split_conditions,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUNDLE_DIR = PROJECT_ROOT / "knowledge" / "guides" / "guangdong"
GUIDE_MATCH = PROJECT_ROOT / "evals" / "datasets" / "guide_match.jsonl"
BUNDLES = {
    "yjs-enterprise-info-change", "yjs-transport-company", "yjs-restaurant", "yjs-listing-compliance",
    "yjs-utilities-connection", "yjs-credit-repair", "yjs-bankruptcy-info", "yjs-employee-hiring",
    "yjs-social-security-card", "yjs-newborn", "yjs-school-enrolment", "yjs-disability-services",
    "yjs-retirement",
}  # fmt: skip


def record(**overrides: Any) -> dict[str, Any]:
    """A source record shaped like a line of policy.json."""
    base: dict[str, Any] = {
        "_id": {"$oid": "60ae6f94e995f7e541f057f2"},
        "TASK_CODE": "11440000006939756B2440101007000",
        "TASK_NAME": "执业药师首次注册",
        "matter_name": "执业药师首次注册",
        "matter_short": "无",
        "CATANAME": "执业药师注册",
        "subCatalogName": "执业药师首次注册",
        "DEPT_NAME": "广东省药品监督管理局",
        "TASK_TYPE_TEXT": "行政许可",
        "AREA_CODE_TEXT": "广东省",
        "accept_standard": "无",
        "material_intro": ["执业药师注册申请表", "身份证明复印件；"],
        "handle_location": "办理地点：广州市东风东路753号",
        "handle_time": "20(工作日)",
        "handle_time_limit": "5(工作日)",
        "consult_phone": "020-37886901",
        "courier_service": "否",
        "bear_paltform": "广东省统一申办受理平台",
        "online_book": "是",
        "online_book_addr": "无",
        "theme_category": ["其他", "职业资格"],
        "service_object_name": ["自然人"],
        "URL": "https://www.gdzwfw.gov.cn/gaio/apply.html#/11440000006939756B2440101007000",
    }
    base.update(overrides)
    return base


def lines(*records: dict[str, Any]) -> list[str]:
    return [json.dumps(r, ensure_ascii=False) for r in records]


def convert_one(**overrides: Any) -> ServiceGuide:
    report = convert_records(lines(record(**overrides)))
    assert not report.skipped, report.skipped
    return report.guides[0]


def test_a_record_maps_to_a_service_item() -> None:
    guide = convert_one()
    assert guide.id == "gd-11440000006939756B2440101007000"
    assert guide.kind == "item" and guide.name == "执业药师首次注册"
    assert guide.aliases == ["执业药师注册"]  # CATANAME differs; matter_short "无" is not an alias
    assert guide.department == "广东省药品监督管理局" and guide.region == "广东省"
    assert guide.category == "行政许可 / 职业资格"
    assert guide.service_object == ["自然人"] and guide.consult_phone == "020-37886901"
    assert guide.conditions == [] and guide.situations == [] and guide.fee == ""
    assert guide.locations == ["广州市东风东路753号"]
    assert [c.kind for c in guide.channels] == ["online", "window"]
    assert guide.channels[0].detail == "广东省统一申办受理平台"
    assert guide.time_limits.statutory == "20个工作日" and guide.time_limits.promised == "5个工作日"
    assert guide.source.name == SOURCE_NAME and guide.source.note == SOURCE_NOTE
    assert guide.source.url.endswith("#/11440000006939756B2440101007000")
    assert guide.as_of == AS_OF and guide.sample is False


def test_materials_from_a_list_and_from_none() -> None:
    materials = convert_one().materials
    assert [(m.id, m.name, m.form, m.copies, m.e_license) for m in materials] == [
        ("m1", "执业药师注册申请表", "original", 1, False),
        ("m2", "身份证明复印件", "copy", 1, False),
    ]
    assert convert_one(material_intro="无").materials == []
    assert convert_one(material_intro=[]).materials == []
    both = convert_one(material_intro=["营业执照原件及复印件", "授权委托书一式两份", "营业执照原件及复印件"])
    assert [(m.name, m.form, m.copies) for m in both.materials] == [
        ("营业执照原件及复印件", "original_and_copy", 1),
        ("授权委托书一式两份", "original", 2),
    ]
    nested = convert_one(material_intro=[["申请书"], {"name": "<b>身份证</b>"}])
    assert [m.name for m in nested.materials] == ["申请书", "身份证"]


def test_html_entities_and_whitespace_are_cleaned() -> None:
    guide = convert_one(
        TASK_NAME="<p>自然保护区以外的珍贵树木&nbsp;采伐\u3000</p>",
        DEPT_NAME=" 广东省地质装备中心 ",
        handle_location="办理地点：广州市天河路13号  润粤大厦 4 楼",
        material_intro=["<span>申请表</span>\n", "  证明&amp;材料 "],
    )
    assert guide.name == "自然保护区以外的珍贵树木采伐"
    assert guide.department == "广东省地质装备中心"
    assert guide.locations == ["广州市天河路13号润粤大厦4楼"]
    assert [m.name for m in guide.materials] == ["申请表", "证明&材料"]


def test_conditions_are_split_into_clauses() -> None:
    text = "申请律师执业，应当具备下列条件：  1、拥护宪法；     2、品行良好。 3.申请材料齐全。"
    assert split_conditions(text) == [
        "申请律师执业，应当具备下列条件：",
        "拥护宪法",
        "品行良好。",
        "申请材料齐全。",
    ]
    assert split_conditions("（一）有章程；（二）有场所。") == ["有章程", "有场所。"]
    assert split_conditions("面积不小于1.5米。受理条件：  ") == ["面积不小于1.5米。"]
    assert split_conditions("无") == [] and split_conditions("无。") == [] and split_conditions("") == []
    assert split_conditions("无条件受理") == ["无条件受理"]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("30(工作日)", "30个工作日"),
        ("90(自然日)", "90个自然日"),
        ("1（工作日）", "1个工作日"),
        ("0(工作日)", ""),
        ("无", ""),
        ("", ""),
        (None, ""),
        ("即来即办", "即来即办"),
    ],
)
def test_time_limits_are_rendered_readably(raw: str | None, shown: str) -> None:
    assert render_time_limit(raw) == shown


def test_channels_follow_links_locations_and_couriers() -> None:
    offline = convert_one(
        URL=None, online_book="否", courier_service="是", online_book_addr="http://yy.example/"
    )
    assert [(c.kind, c.detail) for c in offline.channels] == [
        ("window", "可网上预约：http://yy.example/"),
        ("mail", "支持物流快递"),
    ]
    online_only = convert_one(handle_location="无线下办理窗口")
    assert [c.kind for c in online_only.channels] == ["online"] and online_only.locations == []


def test_invalid_records_are_reported_with_their_task_code() -> None:
    good = record()
    no_dept = record(TASK_CODE="CODE-NO-DEPT", DEPT_NAME="无")
    bad_id = record(TASK_CODE="BAD CODE")
    no_code = record(TASK_CODE="")
    report = convert_records([*lines(good, no_dept), "", "{not json", *lines(bad_id, no_code)])
    assert report.records == 5 and [g.id for g in report.guides] == [f"gd-{good['TASK_CODE']}"]
    skipped = {(s.line, s.task_code): s.reason for s in report.skipped}
    assert set(skipped) == {(2, "CODE-NO-DEPT"), (4, ""), (5, "BAD CODE"), (6, "")}
    assert "department" in skipped[(2, "CODE-NO-DEPT")]
    assert skipped[(4, "")].startswith("not JSON") and skipped[(5, "BAD CODE")].startswith("id:")
    assert skipped[(6, "")] == "no TASK_CODE"


def test_duplicate_task_codes_are_reported_and_the_first_kept() -> None:
    first, second = record(TASK_NAME="第一条"), record(TASK_NAME="第二条")
    report = convert_records(lines(first, record(TASK_CODE="OTHER"), second))
    assert [g.name for g in report.guides] == ["第一条", "执业药师首次注册"]
    assert [(d.line, d.task_code) for d in report.duplicates] == [(3, first["TASK_CODE"])]
    assert "first on line 1" in report.duplicates[0].reason


def test_the_bundle_omits_defaults_but_keeps_the_key_fields(tmp_path: Path) -> None:
    source = tmp_path / "policy.json"
    source.write_text(
        "\n".join(lines(record(), record(TASK_CODE="X2", material_intro="无"))), encoding="utf-8"
    )
    report = convert_file(source, tmp_path / "out")
    mapping = guide_mapping(report.guides[1])
    assert list(mapping)[:3] == ["id", "name", "aliases"]
    assert {"id", "name", "department", "source", "as_of"} <= set(mapping)
    assert not {"kind", "materials", "situations", "fee", "sample", "local_rules_note"} & set(mapping)
    text = (tmp_path / "out" / BUNDLE_FILE).read_text(encoding="utf-8")
    assert text == dump_guides(report.guides) and "&id" not in text and "执业药师" in text
    assert load_bundle(tmp_path / "out") == report.guides


def test_main_prints_counts_and_skipped_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "policy.json"
    source.write_text("\n".join(lines(record(), record())), encoding="utf-8")
    assert main(["--source", str(source), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "records: 2, converted: 1, skipped: 1" in out and "duplicate TASK_CODE" in out


# ---------------------------------------------------------------------------------------------
# the bundled catalogue and the guide-matching dataset
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> list[dict[str, Any]]:
    """The raw mappings of the bundled catalogue (parsed once)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    items: list[dict[str, Any]] = []
    for path in sorted(BUNDLE_DIR.glob("*.yaml")):
        items.extend(yaml.load(path.read_text(encoding="utf-8"), Loader=loader))
    return items


def test_the_bundle_validates_and_is_large_enough(bundled: list[dict[str, Any]]) -> None:
    guides = [ServiceGuide.model_validate(item) for item in bundled]
    assert len(guides) >= 2000
    assert len({g.id for g in guides}) == len(guides)
    assert all(g.id.startswith("gd-") and g.source.name == SOURCE_NAME for g in guides)


@pytest.mark.skipif(
    not DEFAULT_SOURCE.is_file(), reason=f"source not present: {DEFAULT_SOURCE} (CI clones lack ../shared)"
)
def test_the_bundle_matches_a_fresh_conversion_of_the_source(bundled: list[dict[str, Any]]) -> None:
    with DEFAULT_SOURCE.open(encoding="utf-8") as source:
        report = convert_records(source)
    assert report.records == 2262 and len(report.guides) >= 2000
    assert [g.id for g in report.guides] == [item["id"] for item in bundled]
    assert [guide_mapping(g) for g in report.guides] == bundled


def test_every_gold_id_of_guide_match_exists(bundled: list[dict[str, Any]]) -> None:
    items = [
        json.loads(line) for line in GUIDE_MATCH.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    assert len(items) >= 170
    assert len({item["id"] for item in items}) == len(items)
    ids = {item["id"] for item in bundled}
    for item in items:
        assert item["query"].strip() and item["gold"], item
        for gold in item["gold"]:
            if gold.startswith("gd-"):
                assert gold in ids, (item["id"], gold)
            else:
                assert gold in BUNDLES, (item["id"], gold)


def test_a_condition_cut_off_by_the_crawl_says_so() -> None:
    from ingest.guangdong_guides import TRUNCATED_NOTE, split_conditions

    clauses = split_conditions("取得资格证书后即可申请。办理同时须具备下列条件：")
    assert clauses[-1].endswith(TRUNCATED_NOTE) and clauses[0].startswith("取得资格证书")
