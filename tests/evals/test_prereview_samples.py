"""The synthetic pre-review materials: check characters, people, templates, degradation, cases and defects."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest
from PIL import Image

from assistant.guide.checklist import build_checklist
from assistant.prereview.models import MATERIAL_TYPES
from evals.prereview_samples import degrade
from evals.prereview_samples.cases import build_case, guides, write_case
from evals.prereview_samples.consistency import problems
from evals.prereview_samples.defects import DEFECTS
from evals.prereview_samples.draw import Canvas, fonts_available
from evals.prereview_samples.generate import generate
from evals.prereview_samples.people import (
    REGIONS,
    PeopleFactory,
    credit_check_char,
    id_check_char,
    id_validity,
    spoil_credit_code,
    spoil_id_number,
    valid_credit_code,
    valid_id_number,
)
from evals.prereview_samples.services import SCENARIOS
from evals.prereview_samples.templates import LABELS, samples

TODAY = date(2026, 11, 22)
needs_fonts = pytest.mark.skipif(not fonts_available(), reason="Debian's fonts-noto-cjk is not installed")


# ---------------------------------------------------------------- numbers and people


def test_check_characters_match_the_standards() -> None:
    assert id_check_char("11010519491231002") == "X"  # the example of GB 11643
    assert valid_id_number("11010519491231002X")
    assert not valid_id_number("110105194912310021")
    assert credit_check_char("91350100M000100Y4") == "3"  # a commonly cited valid code
    assert valid_credit_code("91350100M000100Y43")
    assert not valid_credit_code("91350100M000100Y44")
    assert not valid_credit_code("91350100M000100I43")  # I is not in the charset


def test_people_have_valid_numbers_and_spoiling_breaks_them() -> None:
    rng = random.Random(3)
    factory = PeopleFactory(rng, TODAY)
    for _ in range(40):
        person = factory.person()
        assert valid_id_number(person.id_number)
        assert person.id_number[:6] in {r.code for r in REGIONS}
        assert person.id_number[6:14] == f"{person.birth:%Y%m%d}"
        assert int(person.id_number[16]) % 2 == (1 if person.gender == "男" else 0)
        assert not valid_id_number(spoil_id_number(person.id_number, rng))
        assert person.id_valid_from is not None and person.id_valid_from <= TODAY
        assert person.id_valid_until is None or person.id_valid_until > TODAY
        company = factory.company(person, individual=rng.random() < 0.3)
        assert valid_credit_code(company.credit_code)
        assert company.credit_code[2:8] == factory.region.code
        assert not valid_credit_code(spoil_credit_code(company.credit_code, rng))


def test_expired_validity_ends_before_today() -> None:
    rng = random.Random(5)
    birth = date(1975, 6, 1)
    for _ in range(20):
        validity = id_validity(birth, TODAY, rng, expired=True)
        assert validity is not None and validity[1] is not None and validity[1] < TODAY
    assert id_validity(date(2008, 1, 1), TODAY, rng, expired=True) is None  # an 18-year-old's first card


def test_families_and_names() -> None:
    factory = PeopleFactory(random.Random(8), TODAY)
    family = factory.family(newborn=True)
    assert timedelta(days=1) < TODAY - family.child.birth < timedelta(days=160)
    assert family.child.surname == family.father.surname and family.child.id_number == ""
    names = [family.father.name, family.mother.name, family.child.name]
    assert all(a == b or a not in b for a in names for b in names)  # no name inside another
    altered = factory.altered_name(family.father.name)
    assert altered != family.father.name and altered[0] == family.father.name[0]


def test_people_are_deterministic_by_seed() -> None:
    def people(seed: int) -> list[str]:
        factory = PeopleFactory(random.Random(seed), TODAY)
        return [repr(factory.person()) for _ in range(5)]

    assert people(1) == people(1)
    assert people(1) != people(2)


# ---------------------------------------------------------------- templates and degradation


@needs_fonts
def test_each_template_draws_its_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[str] = []
    original = Canvas.text

    def recording(self: Canvas, xy: Any, text: str, *args: Any, **kwargs: Any) -> float:
        drawn.append(text)
        return original(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(Canvas, "text", recording)
    documents = samples(TODAY)
    assert set(documents) == set(MATERIAL_TYPES)
    for material_type, document in documents.items():
        drawn.clear()
        pages = document.pages(random.Random(0))
        assert len(pages) == document.page_count()
        assert all(p.mode == "RGB" and 1000 <= p.width <= 1400 for p in pages), material_type
        text = re.sub(r"\s", "", "".join(drawn))
        missing = [label for label in LABELS.get(material_type, ()) if label not in text]
        assert not missing, f"{material_type} lacks {missing}"


@needs_fonts
def test_forms_also_render_as_docx() -> None:
    documents = samples(TODAY)
    for material_type in ("application_form", "power_of_attorney", "unrecognised"):
        word = documents[material_type].docx(random.Random(0))
        assert word is not None
        text = "\n".join(p.text for p in word.paragraphs)
        text += "".join(c.text for t in word.tables for row in t.rows for c in row.cells)
        missing = [label for label in LABELS.get(material_type, ()) if label not in text]
        assert not missing, f"{material_type} DOCX lacks {missing}"


def test_degradation_is_seeded_and_changes_the_page() -> None:
    page = Image.new("RGB", (400, 300), (250, 250, 250))
    setting = degrade.photographed(random.Random(1))
    first, second = degrade.apply(page, setting, 7), degrade.apply(page, setting, 7)
    assert first.tobytes() == second.tobytes()
    assert first.size != page.size or first.tobytes() != page.tobytes()
    turned = degrade.apply(page, degrade.Degradation(turn=90), 1)
    assert turned.size == (300, 400)
    readable, unreadable = degrade.photographed(random.Random(2)), degrade.unreadable(random.Random(2))
    assert 30 <= readable.jpeg_quality <= 60 and abs(readable.skew) <= 8
    assert unreadable.blur > 4 and unreadable.darkness >= 0.6


# ---------------------------------------------------------------- cases and defects


def test_scenarios_cover_five_services_with_final_checklists() -> None:
    catalogue = guides()
    assert len(SCENARIOS) >= 5
    for service_id in SCENARIOS:
        assert service_id in catalogue


def test_planned_cases_are_consistent_with_their_defects(tmp_path: Path) -> None:
    records = [write_case(build_case(i, 11, TODAY), tmp_path, render=False) for i in range(240)]
    assert not [p for r in records for p in problems(r, tmp_path, open_files=False)]
    codes = Counter(code for r in records for code in r["expected"]["problems"])
    assert set(codes) == set(DEFECTS)
    clean = [r for r in records if r["expected"]["verdict"] == "ready"]
    assert 0.3 <= len(clean) / len(records) <= 0.5
    for record in records:
        expected = record["expected"]
        for defect in expected["defects"]:
            files = [f for f in record["files"] if f["material_id"] == defect["material_id"]]
            if defect["code"] == "missing_material":
                assert not files
            elif defect["code"] == "id_card_one_side":
                kinds = Counter(f["material_type"] for f in files)
                assert kinds["id_card_front"] > kinds["id_card_back"]
            elif defect["code"] == "missing_page":
                marked = [f for f in files if f["defect"] == "missing_page"]
                assert marked
                assert all(
                    f["material_type"] == "hukou_booklet" or f["path"].endswith(".pdf") for f in marked
                )
            else:
                assert any(f["defect"] == defect["code"] for f in files), defect
        types = {f["material_type"] for f in record["files"]}
        assert types <= set(MATERIAL_TYPES)


def test_planning_is_deterministic(tmp_path: Path) -> None:
    first = [write_case(build_case(i, 5, TODAY), tmp_path, render=False) for i in range(16)]
    again = [write_case(build_case(i, 5, TODAY), tmp_path, render=False) for i in range(16)]
    other = [write_case(build_case(i, 6, TODAY), tmp_path, render=False) for i in range(16)]
    assert json.dumps(first, ensure_ascii=False) == json.dumps(again, ensure_ascii=False)
    assert json.dumps(first, ensure_ascii=False) != json.dumps(other, ensure_ascii=False)


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    if not fonts_available():
        pytest.skip("Debian's fonts-noto-cjk is not installed")
    out = tmp_path_factory.mktemp("prereview")
    return out, generate(out, n=8, seed=6, today=TODAY, workers=2)  # 4 clean, 4 with defects


@needs_fonts
def test_small_generated_set(small_set: tuple[Path, list[dict[str, Any]]]) -> None:
    out, records = small_set
    lines = (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records
    assert len({r["service_id"] for r in records}) >= 5
    verdicts = Counter(r["expected"]["verdict"] for r in records)
    assert verdicts["ready"] and verdicts["needs_fixes"]
    assert any(f["degraded"] for r in records for f in r["files"])
    for record in records:
        assert set(record) == {"id", "service_id", "answers", "today", "files", "expected"}
        guide = guides()[record["service_id"]]
        assert list(record["expected"]["materials"]) == build_checklist(guide, record["answers"]).material_ids
        for entry in record["files"]:
            assert {"path", "material_type", "material_id", "degraded", "defect"} <= set(entry)
            assert (out / entry["path"]).stat().st_size < 10 * 1024 * 1024
    assert not [p for r in records for p in problems(r, out)]


@needs_fonts
def test_rendering_is_deterministic(small_set: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    out, records = small_set
    record = write_case(build_case(0, 6, TODAY), tmp_path)
    assert record == records[0]
    for entry in record["files"]:
        path = entry["path"]
        if path.endswith(".docx"):
            assert docx.Document(str(tmp_path / path)).paragraphs[0].text
        else:
            assert (tmp_path / path).read_bytes() == (out / path).read_bytes(), path


def test_a_form_for_a_company_prints_no_id_and_gets_no_id_defect() -> None:
    from evals.prereview_samples.builders import form_material
    from evals.prereview_samples.defects import candidates
    from evals.prereview_samples.people import PeopleFactory
    from evals.prereview_samples.plan import CaseContext

    rng = random.Random(3)
    today = date(2026, 11, 22)
    ctx = CaseContext(rng, today, PeopleFactory(rng, today), {"application": "申请表"})
    person = ctx.factory.person(age=(30, 50))
    plan = form_material(ctx, "application", [("申请单位", "某某有限公司")], person, ids={})
    assert not plan.files[0].document.fields().get("id_numbers")
    assert candidates("id_check_digit", [plan], set()) == []
    with_id = form_material(ctx, "application", [("申请人", person.name)], person)
    assert candidates("id_check_digit", [with_id], set())
