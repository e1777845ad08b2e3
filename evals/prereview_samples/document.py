"""The base of every sample document: pages to render, the true field values, optionally a DOCX."""

from __future__ import annotations

import random
from datetime import date
from typing import Any, ClassVar

from docx.document import Document as DocxDocument
from PIL import Image

FieldsDict = dict[str, Any]


class Document:
    """A material to render. Subclasses are frozen dataclasses holding what is printed on it."""

    material_type: ClassVar[str] = "unrecognised"  # a key of assistant.prereview.models.MATERIAL_TYPES

    def pages(self, rng: random.Random) -> list[Image.Image]:
        """The rendered pages (RGB), in order."""
        raise NotImplementedError

    def page_count(self) -> int:
        """How many pages ``pages`` renders (without rendering them)."""
        return 1

    def fields(self, pages: tuple[int, ...] | None = None) -> FieldsDict:
        """The values printed on it (on ``pages`` only, where that matters), shaped like
        ``assistant.prereview.models.Fields`` with empty parts left out."""
        return {}

    def docx(self, rng: random.Random) -> DocxDocument | None:
        """The document as a Word file, for the types people fill in on a computer; None otherwise."""
        return None


def make_fields(
    *,
    names: dict[str, str] | None = None,
    id_numbers: dict[str, str] | None = None,
    credit_code: str = "",
    dates: dict[str, date | str | None] | None = None,
    address: str = "",
    registration_number: str = "",
    other: dict[str, str] | None = None,
) -> FieldsDict:
    """A JSON-ready fields dict: dates as ISO strings (``长期`` for no end), empty parts dropped."""
    result: FieldsDict = {}
    if names:
        result["names"] = dict(names)
    if id_numbers:
        result["id_numbers"] = {k: v for k, v in id_numbers.items() if v}
    if credit_code:
        result["credit_code"] = credit_code
    if dates:
        result["dates"] = {
            k: v.isoformat() if isinstance(v, date) else (v or "长期") for k, v in dates.items()
        }
    if address:
        result["address"] = address
    if registration_number:
        result["registration_number"] = registration_number
    if other:
        result["other"] = dict(other)
    return result
