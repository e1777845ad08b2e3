"""Convert the Guangdong 办事指南 records (QABasedOnPolicyKnowledgeGraph ``policy.json``) to guides.

The source is JSON Lines, one crawled 广东政务服务网 record per line. Each record becomes a
:class:`~assistant.guide.models.ServiceGuide` (``kind: item``, id ``gd-<TASK_CODE>``); records that
are not JSON, lack a TASK_CODE, repeat one, or fail validation are skipped and reported, never
dropped silently. The original Chinese text is kept (no 繁简 conversion); only HTML and
whitespace are cleaned. The bundle is YAML: a top-level list of guide mappings without the
fields that hold their defaults.

Run ``python -m ingest.guangdong_guides [--source PATH] [--out DIR]`` to rebuild the bundle.
"""

from __future__ import annotations

import argparse
import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.guide.models import Channel, Material, MaterialForm, ServiceGuide, Source, TimeLimits

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = PROJECT_ROOT.parent / "shared" / "external-data" / "QABasedOnPolicyKnowledgeGraph"
DEFAULT_SOURCE = SOURCE_DIR / "policy.json"
DEFAULT_OUT = PROJECT_ROOT / "knowledge" / "guides" / "guangdong"
BUNDLE_FILE = "guides.yaml"

SOURCE_NAME = "广东政务服务网 办事指南（经 QABasedOnPolicyKnowledgeGraph 整理）"
SOURCE_NOTE = "2021年抓取，内容可能已过时；以广东政务服务网最新办事指南为准"
AS_OF = date(2021, 5, 30)
ID_PREFIX = "gd-"
_KEEP = ("id", "name", "department", "source", "as_of")  # written even when they hold defaults

_NONE = {"", "无", "/", "-", "—", "暂无", "null", "None"}
_TAG_RE = re.compile(r"<[^>]*>")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_SPACE_NEAR_CJK_RE = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")
_NUM = "一二三四五六七八九十"
# An enumeration marker ("1、", "2.", "3）", "（一）", "(2)", "一、") that opens a clause: at the start,
# after whitespace or after punctuation that ends a clause or a bracket.
_ENUM_RE = re.compile(
    rf"(?:^|(?<=[\s。；;：:，,）)》]))"
    rf"(?:[（(][{_NUM}\d]{{1,3}}[）)]|[{_NUM}]{{1,3}}、|\d{{1,2}}(?:[、）)]|[.．](?!\d)))"
)
_SENTENCE_END_RE = re.compile(r"(?<=[。！？])(?=[^”’」』）)\s])")
_LABEL_ONLY_RE = re.compile(r"^(?:受理条件|申请条件|办理条件)?[：:]?$")
_TIME_RE = re.compile(r"^(\d+)\s*[（(]\s*(工作日|自然日|个工作日|个自然日|天|日|月|个月|年)\s*[)）]$")
_COPIES_RE = re.compile(r"(?:一式)?([一二两三四五六七八九十\d]{1,3})份")
_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)} | {"两": 2}


@dataclass(frozen=True)
class SkippedRecord:
    """A source line that did not become a guide, and why."""

    line: int
    task_code: str
    reason: str


@dataclass
class ConversionReport:
    """The guides converted from a source and the records skipped on the way."""

    guides: list[ServiceGuide] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    records: int = 0  # non-blank source lines

    @property
    def duplicates(self) -> list[SkippedRecord]:
        """The skipped records whose TASK_CODE was already converted."""
        return [s for s in self.skipped if s.reason.startswith("duplicate TASK_CODE")]

    def summary(self) -> str:
        """One line of counts, for the command line."""
        return f"records: {self.records}, converted: {len(self.guides)}, skipped: {len(self.skipped)}"


# ---------------------------------------------------------------------------------------------
# text cleaning
# ---------------------------------------------------------------------------------------------


def _collapse(value: Any) -> str:
    """Text without HTML tags or entities, each whitespace run one space."""
    if value is None:
        return ""
    text = html.unescape(_TAG_RE.sub(" ", str(value)))
    return re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()


def clean_text(value: Any) -> str:
    """Text without HTML tags or entities, with whitespace collapsed and dropped next to Chinese."""
    return _SPACE_NEAR_CJK_RE.sub("", _collapse(value))


def _value(value: Any) -> str:
    """Cleaned text, or "" when the source says there is none ("无")."""
    text = clean_text(value)
    return "" if text in _NONE else text


def _texts(value: Any) -> list[str]:
    """A list of cleaned, non-empty, distinct texts from a list or a 、/,-separated string."""
    items = value if isinstance(value, list) else re.split(r"[、,，;；]", str(value or ""))
    out: list[str] = []
    for item in _flatten(items):
        text = _value(item)
        if text and text not in out:
            out.append(text)
    return out


def _flatten(items: Iterable[Any]) -> Iterator[Any]:
    """Strings out of a list that may nest lists or ``{"name": …}`` mappings."""
    for item in items:
        if isinstance(item, list):
            yield from _flatten(item)
        elif isinstance(item, dict):
            name = next((item[k] for k in ("name", "material_name", "title") if item.get(k)), None)
            if name is not None:
                yield name
        else:
            yield item


# ---------------------------------------------------------------------------------------------
# field mappings
# ---------------------------------------------------------------------------------------------


TRUNCATED_NOTE = "（来源数据此处未列出具体内容，请以官方办事指南为准）"


def split_conditions(value: Any) -> list[str]:
    """受理条件 as clauses: split at enumeration markers and sentence ends, markers dropped."""
    text = _collapse(value)  # spaces still mark where an enumerated clause starts
    if clean_text(text).rstrip("。.") in _NONE:
        return []
    clauses: list[str] = []
    for part in _ENUM_RE.split(text):
        for sentence in _SENTENCE_END_RE.split(clean_text(part)):
            clause = sentence.strip(" ；;，,、")
            if clause and not _LABEL_ONLY_RE.match(clause):
                clauses.append(clause)
    if clauses and clauses[-1].endswith(("：", ":")):  # the crawl cut the list that follows
        clauses[-1] += TRUNCATED_NOTE
    return clauses


def render_time_limit(value: Any) -> str:
    """A time limit as text: "30(工作日)" → "30个工作日"; "0(…)", "无" → ""; others cleaned as given."""
    text = _value(value)
    match = _TIME_RE.match(text)
    if not match:
        return "" if text in {"0", "0天"} else text
    number, unit = match.groups()
    if int(number) == 0:
        return ""
    unit = unit.removeprefix("个")
    return f"{int(number)}个{unit}" if unit in {"工作日", "自然日", "月"} else f"{int(number)}{unit}"


def material_form(name: str) -> MaterialForm:
    """The form a material name asks for: both original and 复印件, a 复印件 only, else the original."""
    if "复印件" in name:
        return "original_and_copy" if "原件" in name else "copy"
    return "original"


def material_copies(name: str) -> int:
    """The number of copies the name states ("一式两份", "3份"), else 1."""
    match = _COPIES_RE.search(name)
    if not match:
        return 1
    count = match.group(1)
    return int(count) if count.isdigit() else _CN_DIGITS.get(count, 1)


def convert_materials(value: Any) -> list[Material]:
    """申请材料 from ``material_intro`` (a list of names, or "无")."""
    if not isinstance(value, list):
        value = [] if _value(value) == "" else [value]
    names = [name.strip("；;，,。、 ") for name in _texts(value)]
    names = [n for i, n in enumerate(names) if n and n not in names[:i]]
    return [
        Material(id=f"m{i}", name=name, form=material_form(name), copies=material_copies(name))
        for i, name in enumerate(names, start=1)
    ]


def convert_channels(record: dict[str, Any]) -> list[Channel]:
    """网上办理 when there is an online link, 窗口 when there is an office, 邮寄 when couriers are taken."""
    channels: list[Channel] = []
    if _value(record.get("URL")) or _value(record.get("online_book")) == "是":
        channels.append(Channel(kind="online", detail=_value(record.get("bear_paltform"))))
    if location(record):
        booking = _value(record.get("online_book_addr"))
        channels.append(Channel(kind="window", detail=f"可网上预约：{booking}" if booking else ""))
    if _value(record.get("courier_service")) == "是":
        channels.append(Channel(kind="mail", detail="支持物流快递"))
    return channels


def location(record: dict[str, Any]) -> str:
    """办理地点 without its "办理地点：" label; "" for "无线下办理窗口"."""
    text = _value(record.get("handle_location"))
    text = re.sub(r"^办理地点\s*[：:]\s*", "", text)
    return "" if text.startswith("无线下办理") or text in _NONE else text


def category(record: dict[str, Any]) -> str:
    """事项类型, then the 服务主题 other than 其他: "行政许可 / 交通出行、出境入境"."""
    kind = _value(record.get("TASK_TYPE_TEXT")) or _value(record.get("matter_type"))
    themes = [t for t in _texts(record.get("theme_category")) if t != "其他"]
    return " / ".join(part for part in (kind, "、".join(themes)) if part)


def aliases(record: dict[str, Any], name: str) -> list[str]:
    """Other names of the item (matter_name, matter_short, CATANAME, subCatalogName) that differ."""
    out: list[str] = []
    for key in ("matter_name", "matter_short", "CATANAME", "subCatalogName"):
        alias = _value(record.get(key))
        if alias and alias != name and alias not in out:
            out.append(alias)
    return out


def convert_record(record: dict[str, Any]) -> ServiceGuide:
    """One source record as a service item; raises ``ValidationError``/``ValueError`` when it cannot be."""
    code = _value(record.get("TASK_CODE"))
    name = _value(record.get("TASK_NAME")) or _value(record.get("matter_name"))
    loc = location(record)
    return ServiceGuide(
        id=f"{ID_PREFIX}{code}",
        name=name,
        aliases=aliases(record, name),
        kind="item",
        department=_value(record.get("DEPT_NAME")),
        service_object=_texts(record.get("service_object_name")),
        conditions=split_conditions(record.get("accept_standard")),
        materials=convert_materials(record.get("material_intro")),
        channels=convert_channels(record),
        locations=[loc] if loc else [],
        time_limits=TimeLimits(
            statutory=render_time_limit(record.get("handle_time")),
            promised=render_time_limit(record.get("handle_time_limit")),
        ),
        consult_phone=_value(record.get("consult_phone")),
        category=category(record),
        region=_value(record.get("AREA_CODE_TEXT")),
        source=Source(name=SOURCE_NAME, url=_value(record.get("URL")), note=SOURCE_NOTE),
        as_of=AS_OF,
    )


# ---------------------------------------------------------------------------------------------
# conversion and bundle
# ---------------------------------------------------------------------------------------------


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'guide'}: {e['msg']}" for e in error.errors()
        )
    return str(error)


def convert_records(lines: Iterable[str]) -> ConversionReport:
    """Convert JSON lines to guides, in source order; every line not converted is in ``skipped``."""
    report = ConversionReport()
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        report.records += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            report.skipped.append(SkippedRecord(number, "", f"not JSON: {error.msg}"))
            continue
        if not isinstance(record, dict):
            report.skipped.append(SkippedRecord(number, "", "not a JSON object"))
            continue
        code = _value(record.get("TASK_CODE"))
        if not code:
            report.skipped.append(SkippedRecord(number, "", "no TASK_CODE"))
            continue
        if code in seen:
            reason = f"duplicate TASK_CODE (first on line {seen[code]})"
            report.skipped.append(SkippedRecord(number, code, reason))
            continue
        seen[code] = number
        try:
            report.guides.append(convert_record(record))
        except (ValidationError, ValueError) as error:
            report.skipped.append(SkippedRecord(number, code, _reason(error)))
    return report


def guide_mapping(guide: ServiceGuide) -> dict[str, Any]:
    """The guide as a plain mapping without default-valued fields (``_KEEP`` fields always kept)."""
    full = guide.model_dump()
    slim = guide.model_dump(exclude_defaults=True)
    return {key: slim.get(key, full[key]) for key in full if key in slim or key in _KEEP}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """The fastest safe dumper, writing shared values (the one ``as_of`` date) without anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_guides(guides: Iterable[ServiceGuide]) -> str:
    """The YAML text of a bundle: a top-level list of guide mappings."""
    return yaml.dump(
        [guide_mapping(g) for g in guides], Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    )


def load_bundle(folder: Path) -> list[ServiceGuide]:
    """Every guide in the ``*.yaml`` files of a bundle folder, validated."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    guides: list[ServiceGuide] = []
    for path in sorted(folder.glob("*.yaml")):
        items = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or []
        guides.extend(ServiceGuide.model_validate(item) for item in items)
    return guides


def convert_file(policy_json: Path, out_dir: Path, *, progress: bool = False) -> ConversionReport:
    """Convert ``policy.json`` and write the guides to ``out_dir/guides.yaml``."""
    with policy_json.open(encoding="utf-8") as file:
        lines = file.readlines()  # split at newlines only, not at U+2028 inside a JSON string
    if progress:
        from tqdm import tqdm

        report = convert_records(tqdm(lines, desc="广东办事指南", unit="条"))
    else:
        report = convert_records(lines)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / BUNDLE_FILE).write_text(dump_guides(report.guides), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line: convert the source and print the counts and every skipped record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="policy.json (JSON Lines)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="bundle folder to write")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        parser.error(f"source not found: {args.source}")
    report = convert_file(args.source, args.out, progress=True)
    print(report.summary())
    for skipped in report.skipped:
        print(f"  skipped line {skipped.line} {skipped.task_code or '-'}: {skipped.reason}")
    print(f"wrote {args.out / BUNDLE_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
