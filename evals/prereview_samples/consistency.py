"""Self-checks of a generated set: files readable, numbers valid unless a defect says otherwise, and the
expected statuses consistent with the planted defects. ``problems`` returns an empty list when all is well."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image
from pypdf import PdfReader

from evals.prereview_samples.people import valid_credit_code, valid_id_number

STATUSES = {"provided", "missing", "suspect", "unreadable", "not_checked"}


def problems(record: dict[str, Any], root: Path, *, open_files: bool = True) -> list[str]:
    """What is wrong with one ``cases.jsonl`` record (files looked at under ``root``)."""
    found: list[str] = []
    case = record["id"]
    expected = record["expected"]
    statuses = expected["materials"]
    today = date.fromisoformat(record["today"])
    planted = {d["code"]: d for d in expected["defects"]}
    if set(statuses.values()) - STATUSES:
        found.append(f"{case}: unknown status in {statuses}")
    if expected["verdict"] != ("needs_fixes" if expected["problems"] else "ready"):
        found.append(f"{case}: verdict {expected['verdict']} with problems {expected['problems']}")
    if sorted(expected["problems"]) != sorted(planted):
        found.append(f"{case}: problems {expected['problems']} but defects {sorted(planted)}")
    for entry in record["files"]:
        found += _file_problems(case, entry, root, today, open_files)
    for code, defect in planted.items():
        status = statuses.get(defect["material_id"])
        want = {"missing_material": "missing", "unreadable": "unreadable"}.get(code, "suspect")
        if status != want:
            found.append(f"{case}: {code} on {defect['material_id']} has status {status}, not {want}")
    by_material = Counter(f["material_id"] for f in record["files"])
    for material_id, status in statuses.items():
        if (status == "missing") != (by_material[material_id] == 0):
            found.append(f"{case}: {material_id} is {status} with {by_material[material_id]} files")
    if not expected["problems"]:
        if any(f["defect"] for f in record["files"]):
            found.append(f"{case}: a clean case has a file with a defect")
        if set(statuses.values()) - {"provided", "not_checked"}:
            found.append(f"{case}: a clean case has statuses {statuses}")
    return found


def _file_problems(case: str, entry: dict[str, Any], root: Path, today: date, open_files: bool) -> list[str]:
    found = []
    where = f"{case} {entry['path']}"
    fields = entry["fields"]
    numbers = list(fields.get("id_numbers", {}).values())
    bad = [n for n in numbers if not valid_id_number(n)]
    if (entry["defect"] == "id_check_digit") != bool(bad) or len(bad) > 1:
        found.append(f"{where}: invalid ID numbers {bad} with defect {entry['defect']}")
    code = fields.get("credit_code")
    if code and (entry["defect"] == "credit_code_check") == valid_credit_code(code):
        found.append(f"{where}: credit code {code} with defect {entry['defect']}")
    until = fields.get("dates", {}).get("valid_until")
    expired = (
        entry["material_type"] == "id_card_back" and until != "长期" and date.fromisoformat(until) < today
    )
    if entry["material_type"] == "id_card_back" and (entry["defect"] == "id_expired") != expired:
        found.append(f"{where}: validity until {until} with defect {entry['defect']}")
    if entry["material_type"] == "birth_certificate":
        born = date.fromisoformat(fields["dates"]["birth"])
        if (entry["defect"] == "implausible_birth_date") != ((today - born).days > 365):
            found.append(f"{where}: child born {born} with defect {entry['defect']}")
    if entry["defect"] == "unreadable" and not entry["degraded"]:
        found.append(f"{where}: unreadable but not degraded")
    if open_files:
        found += _open(where, root / entry["path"], len(entry["pages"]))
    return found


def _open(where: str, path: Path, pages: int) -> list[str]:
    if not path.is_file():
        return [f"{where}: file missing"]
    if path.suffix == ".pdf":
        count = len(PdfReader(path).pages)
        return [] if count == pages else [f"{where}: {count} PDF pages, expected {pages}"]
    if path.suffix == ".docx":
        return [] if path.read_bytes()[:2] == b"PK" else [f"{where}: not a DOCX (zip) file"]
    with Image.open(path) as image:
        image.verify()
    return []
