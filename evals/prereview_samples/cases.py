"""Cases: a service and 情形 answers, the files a citizen uploads for it, and what a pre-review should say.

``build_case`` decides everything from ``(seed, index)`` alone, so a case is the same whichever worker
makes it; ``write_case`` renders its files and returns its ``cases.jsonl`` record.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image

from assistant.guide.checklist import build_checklist
from assistant.guide.loader import load_catalogue
from assistant.guide.models import ServiceGuide
from assistant.settings import PROJECT_ROOT
from evals.prereview_samples import degrade
from evals.prereview_samples.cards import SocialSecurityCard
from evals.prereview_samples.certificates import MarriageCertificate, PropertyCertificate
from evals.prereview_samples.defects import WEIGHTS, Planted, candidates, plant
from evals.prereview_samples.document import Document
from evals.prereview_samples.forms import Receipt, Scenery, TextDocument
from evals.prereview_samples.people import PeopleFactory
from evals.prereview_samples.plan import CaseContext, FileSpec, MaterialPlan
from evals.prereview_samples.services import SCENARIOS

CATALOGUE = PROJECT_ROOT / "knowledge" / "guides" / "yijianshi"
CLEAN_SHARE = 0.4
TWO_DEFECTS_SHARE = 0.3
STRAY_SHARE = 0.15


@dataclass
class Case:
    """One pre-review case, planned but not yet rendered."""

    id: str
    service_id: str
    answers: dict[str, str]
    today: date
    seed: str
    plans: list[MaterialPlan]
    stray: list[FileSpec] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)

    def expected(self, stray_paths: list[str]) -> dict[str, Any]:
        """Per-material statuses, problem codes, verdict, and what may also be reported."""
        statuses = {p.material_id: "provided" if p.checked else "not_checked" for p in self.plans}
        tolerated_problems: list[str] = []
        tolerated_suspect: list[str] = []
        for defect in self.planted:
            statuses[defect.material_id] = defect.status
            tolerated_problems += defect.tolerated_problems
            tolerated_suspect += defect.tolerated_suspect
        problems = list(dict.fromkeys(d.code for d in self.planted))
        return {
            "materials": statuses,
            "problems": problems,
            "verdict": "needs_fixes" if problems else "ready",
            "defects": [
                {
                    "code": d.code,
                    "material_id": d.material_id,
                    "detail": d.detail,
                    "accepted": [d.code, *d.aliases],
                }
                for d in self.planted
            ],
            "tolerated": {
                "problems": sorted(set(tolerated_problems) - set(problems)),
                "suspect": sorted({m for m in tolerated_suspect if statuses.get(m) == "provided"}),
            },
            "unmatched_files": stray_paths,
        }


@lru_cache(maxsize=4)
def guides(folder: Path = CATALOGUE) -> dict[str, ServiceGuide]:
    """The catalogue's guides by id (loaded once per process)."""
    return {g.id: g for g in load_catalogue(folder).guides}


def build_case(index: int, seed: int, today: date, folder: Path = CATALOGUE) -> Case:
    """Case number ``index`` (0-based) of the set made with ``seed``; services taken in turn."""
    case_seed = f"{seed}:{index}"
    rng = random.Random(case_seed)
    service_ids = sorted(SCENARIOS)
    service_id = service_ids[index % len(service_ids)]
    planner, scenarios = SCENARIOS[service_id]
    answers = dict(rng.choices([a for a, _ in scenarios], weights=[w for _, w in scenarios])[0])
    guide = guides(folder)[service_id]
    checklist = build_checklist(guide, answers)
    assert checklist.complete, f"{service_id}: answers {answers} leave questions pending"
    ctx = CaseContext(rng, today, PeopleFactory(rng, today), {m.id: m.name for m in checklist.materials})
    plans = planner(ctx, answers)
    planned = [p.material_id for p in plans]
    if sorted(planned) != sorted(checklist.material_ids):
        raise AssertionError(f"{service_id} {answers}: planned {planned}, checklist {checklist.material_ids}")
    plans.sort(key=lambda p: checklist.material_ids.index(p.material_id))
    case = Case(f"pr-{index + 1:04d}", service_id, answers, today, case_seed, plans)
    if rng.random() >= CLEAN_SHARE:
        _plant_defects(ctx, case, 2 if rng.random() < TWO_DEFECTS_SHARE else 1)
    if rng.random() < STRAY_SHARE:
        case.stray.append(_stray(ctx, plans))
    return case


def _plant_defects(ctx: CaseContext, case: Case, count: int) -> None:
    taken: set[str] = set()
    codes = sorted(WEIGHTS)
    while len(case.planted) < count and codes:
        options = {code: candidates(code, case.plans, taken) for code in codes}
        codes = [code for code in codes if options[code]]
        if not codes:
            break
        code = ctx.rng.choices(codes, weights=[WEIGHTS[c] for c in codes])[0]
        codes.remove(code)
        target = ctx.rng.choice(options[code])
        planted = plant(ctx, code, case.plans, target)
        if planted is not None:
            case.planted.append(planted)
            taken.add(planted.material_id)
            taken.update(planted.tolerated_suspect)


def _stray(ctx: CaseContext, plans: list[MaterialPlan]) -> FileSpec:
    """An unrelated upload: a receipt, a snapshot, a notice, or a certificate no material asks for."""
    rng = ctx.rng
    used = {f.document.material_type for p in plans for f in p.files}
    person = ctx.factory.person()
    options: list[Document] = [
        Receipt(
            f"{ctx.region.district}{rng.choice(('惠民', '家乐', '邻里'))}超市",
            (("矿泉水", 2.0), ("面包", 8.5), ("洗衣液", 29.9), ("苹果", 12.6)),
            ctx.today,
        ),
        Scenery(rng.randint(0, 40)),
        TextDocument(
            "关于召开业主大会的通知",
            ("定于本月底在小区会所召开业主大会，请各位业主准时参加。",),
            person.name,
            ctx.today,
        ),
    ]
    if "social_security_card" not in used:
        options.append(SocialSecurityCard.of(person, ctx.today.replace(year=ctx.today.year - 3), rng))
    if "property_certificate" not in used:
        options.append(
            PropertyCertificate(
                (person.name,),
                person.address,
                "110101001001GB00001F00010001",
                f"{ctx.region.short}（2019）{ctx.region.city}不动产权第0001234号",
                "城镇住宅用地/住宅",
                88.0,
                date(2080, 1, 1),
                date(2019, 5, 6),
                f"{ctx.region.city}不动产登记中心",
            )
        )
    if "marriage_certificate" not in used:
        spouse = ctx.factory.person("女" if person.gender == "男" else "男")
        husband, wife = (person, spouse) if person.gender == "男" else (spouse, person)
        options.append(
            MarriageCertificate(
                person,
                husband,
                wife,
                date(2015, 10, 1),
                f"J{ctx.region.code}-2015-000812",
                f"{ctx.region.city}{ctx.region.district}民政局",
            )
        )
    return ctx.file(rng.choice(options), None, "card", fmt=rng.choice(("jpg", "png")))


# ---------------------------------------------------------------- writing

NEUTRAL_NAMES = {
    "jpg": ("IMG_{n}.jpg", "微信图片_{d}{n}.jpg", "mmexport{d}{n}.jpg"),
    "png": ("Screenshot_{d}_{n}.png", "扫描件{n}.png"),
    "pdf": ("scan_{n}.pdf", "文档{n}.pdf", "CamScanner_{d}_{n}.pdf"),
    "docx": ("材料{n}.docx", "填写版{n}.docx"),
}


def write_case(case: Case, out: Path, *, render: bool = True) -> dict[str, Any]:
    """Render and write the case's files under ``out/files/<case id>/``; return its JSON record.

    With ``render=False`` nothing is written but the record is the same (for quick checks of a plan)."""
    folder = out / "files" / case.id
    if render:
        folder.mkdir(parents=True, exist_ok=True)
    names = random.Random(case.seed + ":names")
    rendered: dict[int, list[Image.Image]] = {}
    specs = [f for p in case.plans for f in p.files] + case.stray
    entries, stray_paths = [], []
    for number, spec in enumerate(specs, 1):
        pattern = names.choice(NEUTRAL_NAMES[spec.fmt])
        name = pattern.format(n=names.randint(1000, 9999), d=case.today.strftime("%Y%m%d"))
        path = folder / f"{number:02d}_{name}"
        pages = list(spec.pages or range(1, spec.document.page_count() + 1))
        if render:
            _write(spec, path, pages, rendered, f"{case.seed}:{number}", case.today)
        relative = path.relative_to(out).as_posix()
        if spec.material_id is None:
            stray_paths.append(relative)
        entries.append(
            {
                "path": relative,
                "material_type": spec.document.material_type,
                "material_id": spec.material_id,
                "degraded": spec.degradation is not None,
                "defect": spec.defect,
                "pages": pages,
                "fields": spec.document.fields(tuple(pages)),
                **({"degradation": spec.degradation.to_dict()} if spec.degradation else {}),
            }
        )
    return {
        "id": case.id,
        "service_id": case.service_id,
        "answers": case.answers,
        "today": case.today.isoformat(),
        "files": entries,
        "expected": case.expected(stray_paths),
    }


def _write(
    spec: FileSpec,
    path: Path,
    pages: list[int],
    rendered: dict[int, list[Image.Image]],
    seed: str,
    today: date,
) -> None:
    """Write one file holding ``pages`` of its document (rendered once per case, kept in ``rendered``)."""
    rng = random.Random(seed)
    if spec.fmt == "docx":
        document = spec.document.docx(rng)
        assert document is not None, f"{type(spec.document).__name__} has no DOCX form"
        properties = document.core_properties
        properties.created = properties.modified = datetime(today.year, today.month, today.day)
        document.save(str(path))
        return
    key = id(spec.document)
    if key not in rendered:
        rendered[key] = spec.document.pages(random.Random(f"{seed}:render"))
        assert len(rendered[key]) == spec.document.page_count(), type(spec.document).__name__
    images = [rendered[key][n - 1] for n in pages]
    if spec.degradation is not None:
        base = rng.randrange(2**31)
        images = [degrade.apply(image, spec.degradation, base + k) for k, image in enumerate(images)]
    if spec.fmt == "pdf":
        stamp = time.struct_time((today.year, today.month, today.day, 9, 0, 0, 0, 1, 0))
        images[0].save(
            path,
            "PDF",
            save_all=True,
            append_images=images[1:],
            resolution=150.0,
            creationDate=stamp,
            modDate=stamp,
            title="scan",
        )
        return
    assert len(images) == 1, f"{path.name}: {len(images)} pages in one image"
    if spec.fmt == "jpg":
        quality = spec.degradation.jpeg_quality if spec.degradation else rng.randint(82, 92)
        images[0].save(path, "JPEG", quality=quality)
    else:
        images[0].save(path, "PNG", compress_level=1)
