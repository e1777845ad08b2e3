"""Load the service catalogue: every ``*.yaml`` / ``*.yml`` file under a folder, validated guide by guide.

A file holds one guide (a mapping) or a list of guides. A broken item is skipped and reported with
its file, guide id and field; the rest of the catalogue still loads. A YAML syntax error makes one
error for the whole file, with its line. When two guides share an id, the first one loaded (files in
sorted order) is kept and the second is reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.guide.models import ServiceGuide
from assistant.settings import PROJECT_ROOT

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is several times faster
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class GuideLoadError:
    """One problem found while loading: where (file, item, field) and what."""

    file: str  # path relative to the project root (or to the loaded folder when outside it)
    message: str
    item: str = ""  # the guide id, or "#<index>" when the item has no usable id
    field: str = ""  # pydantic location joined with "."; empty for file- and model-level problems

    def __str__(self) -> str:
        parts = [self.file]
        if self.item:
            parts.append(f"item {self.item}")
        if self.field:
            parts.append(f"field {self.field}")
        parts.append(self.message)
        return ": ".join(parts)


@dataclass
class CatalogueLoad:
    """The guides that loaded, in file order, and the errors of those that did not."""

    guides: list[ServiceGuide] = field(default_factory=list)
    errors: list[GuideLoadError] = field(default_factory=list)

    @cached_property
    def _by_id(self) -> dict[str, ServiceGuide]:
        return {guide.id: guide for guide in self.guides}

    def get(self, guide_id: str) -> ServiceGuide | None:
        """The guide with this id, if it loaded (the lookup table is built on first use)."""
        return self._by_id.get(guide_id)

    def __contains__(self, guide_id: object) -> bool:
        return isinstance(guide_id, str) and guide_id in self._by_id

    def __len__(self) -> int:
        return len(self.guides)

    @property
    def ok(self) -> bool:
        """Whether every file and item loaded without error."""
        return not self.errors


def catalogue_files(folder: Path) -> list[Path]:
    """Every YAML file under ``folder``, recursively, in sorted (deterministic) order."""
    return sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def load_catalogue(folder: Path, *, root: Path | None = None) -> CatalogueLoad:
    """Load and validate every guide under ``folder``; file names in errors are relative to ``root``.

    ``root`` defaults to the project root when ``folder`` lies inside it, else to ``folder`` itself.
    Raises ``FileNotFoundError`` when ``folder`` is not a directory (a wrong path is not an empty catalogue).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"guide catalogue folder not found: {folder}")
    if root is None:
        root = PROJECT_ROOT if folder.resolve().is_relative_to(PROJECT_ROOT) else folder
    result = CatalogueLoad()
    first_file: dict[str, str] = {}
    for path in catalogue_files(folder):
        shown = _relative(path, root)
        guides, errors = load_guide_file(path, shown=shown)
        result.errors.extend(errors)
        for guide in guides:
            if guide.id in first_file:
                result.errors.append(
                    GuideLoadError(
                        shown, f"duplicate id (first defined in {first_file[guide.id]}); skipped", guide.id
                    )
                )
                continue
            first_file[guide.id] = shown
            result.guides.append(guide)
    return result


def load_guide_file(
    path: Path, *, shown: str | None = None
) -> tuple[list[ServiceGuide], list[GuideLoadError]]:
    """The valid guides of one file and the errors of the others; ``shown`` names the file in errors."""
    shown = shown if shown is not None else str(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        return [], [GuideLoadError(shown, _yaml_message(exc))]
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return [], [GuideLoadError(shown, f"cannot read: {exc}")]
    if isinstance(data, dict):
        items: list[Any] = [data]
    elif isinstance(data, list):
        items = data
    elif data is None:
        return [], [GuideLoadError(shown, "the file holds no guide")]
    else:
        kind = type(data).__name__
        return [], [GuideLoadError(shown, f"expected a guide mapping or a list of them, got {kind}")]
    guides: list[ServiceGuide] = []
    errors: list[GuideLoadError] = []
    seen: set[str] = set()
    for index, raw in enumerate(items):
        label = _item_label(raw, index)
        if not isinstance(raw, dict):
            errors.append(GuideLoadError(shown, f"expected a guide mapping, got {type(raw).__name__}", label))
            continue
        try:
            guide = ServiceGuide.model_validate(raw)
        except ValidationError as exc:
            errors.extend(_validation_errors(exc, shown, label))
            continue
        if guide.id in seen:
            errors.append(GuideLoadError(shown, "duplicate id in the same file; skipped", guide.id))
            continue
        seen.add(guide.id)
        guides.append(guide)
    return guides, errors


def _validation_errors(exc: ValidationError, shown: str, label: str) -> Iterator[GuideLoadError]:
    for detail in exc.errors(include_url=False):
        location = ".".join(str(part) for part in detail["loc"])
        message = str(detail["msg"]).removeprefix("Value error, ")
        yield GuideLoadError(shown, message, label, location)


def _item_label(raw: object, index: int) -> str:
    if isinstance(raw, dict):
        guide_id = raw.get("id")
        if isinstance(guide_id, str) and guide_id.strip():
            return guide_id
    return f"#{index}"


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = exc.problem or exc.context or "invalid YAML"
    return f"YAML syntax error{where}: {problem}"


def _relative(path: Path, root: Path) -> str:
    resolved, base = path.resolve(), root.resolve()
    return resolved.relative_to(base).as_posix() if resolved.is_relative_to(base) else path.as_posix()
