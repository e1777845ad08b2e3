"""What a case will contain before anything is rendered: materials, their files, and edits to documents."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from evals.prereview_samples.degrade import Degradation, photographed
from evals.prereview_samples.document import Document
from evals.prereview_samples.people import PeopleFactory, Person, Region

T = TypeVar("T")

#: (format, weight) by kind of material: what people actually upload.
FORMATS = {
    "card": (("jpg", 7), ("png", 3)),
    "certificate": (("jpg", 5), ("png", 2), ("pdf", 3)),
    "form": (("png", 2), ("jpg", 3), ("pdf", 3), ("docx", 2)),
    "text": (("jpg", 3), ("pdf", 4), ("docx", 3)),
}
DEGRADE_SHARE = {"jpg": 0.55, "png": 0.3, "pdf": 0.2, "docx": 0.0}


@dataclass
class FileSpec:
    """One file to write: a document (or some of its pages), its format and how it was photographed."""

    document: Document
    material_id: str | None  # the checklist material it is meant for; None for a stray file
    fmt: str  # jpg png pdf docx
    pages: tuple[int, ...] | None = None  # 1-based pages of the document in this file; None: all
    degradation: Degradation | None = None
    defect: str | None = None
    person: Person | None = None  # whose ID card / booklet page this is
    key_person: str = ""  # a 户口簿: the member whose page the service needs


@dataclass
class MaterialPlan:
    """A checklist material and the files that provide it; ``checked`` False: outside the recognised types."""

    material_id: str
    name: str
    files: list[FileSpec]
    checked: bool = True


@dataclass
class CaseContext:
    """Randomness, people and dates shared by one case's planner."""

    rng: random.Random
    today: date
    factory: PeopleFactory
    names: dict[str, str] = field(default_factory=dict)  # checklist material id → name

    @property
    def region(self) -> Region:
        return self.factory.region

    def signed(self) -> date:
        return self.today - timedelta(days=self.rng.randint(0, 12))

    def fmt(self, kind: str) -> str:
        formats, weights = zip(*FORMATS[kind], strict=True)
        return str(self.rng.choices(formats, weights=weights)[0])

    def file(self, document: Document, material_id: str | None, kind: str, **kw: Any) -> FileSpec:
        """A file of ``document`` in a format usual for ``kind``, photographed with the usual odds."""
        fmt = kw.pop("fmt", None) or self.fmt(kind)
        spec = FileSpec(document, material_id, fmt, **kw)
        if self.rng.random() < DEGRADE_SHARE[fmt]:
            spec.degradation = photographed(self.rng)
        return spec

    def material(self, material_id: str, files: list[FileSpec], *, checked: bool = True) -> MaterialPlan:
        return MaterialPlan(material_id, self.names.get(material_id, material_id), files, checked)


def substitute(value: T, old: object, new: object) -> T:
    """``value`` with ``old`` replaced by ``new``: inside strings, and whole dates, through dataclasses,
    tuples, lists and dicts (regions are left alone). Used to plant a wrong name, number or date."""
    result: Any
    if isinstance(value, str):
        result = value.replace(old, new) if isinstance(old, str) and isinstance(new, str) else value
    elif isinstance(value, date) and type(value) is type(old) and value == old:
        result = new
    elif isinstance(value, tuple):
        result = tuple(substitute(v, old, new) for v in value)
    elif isinstance(value, list):
        result = [substitute(v, old, new) for v in value]
    elif isinstance(value, dict):
        result = {k: substitute(v, old, new) for k, v in value.items()}
    elif dataclasses.is_dataclass(value) and not isinstance(value, type | Region):
        changes = {
            f.name: substitute(getattr(value, f.name), old, new) for f in dataclasses.fields(value) if f.init
        }
        result = dataclasses.replace(value, **changes)
    else:
        result = value
    return result  # type: ignore[no-any-return]
