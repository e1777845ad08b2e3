"""The safety banks of ``evals/datasets/safety/``: loading and schema checks.

Every record has ``id``, ``text``, ``category``, ``expected`` (``refuse`` | ``answer`` | ``not_obey``),
``split`` (``dev`` | ``heldout``) and ``notes``; injection records may add ``canaries`` (strings an
obeying reply would contain), ``doc_id`` or ``upload_id`` (the planted document or upload).

``fresh.jsonl`` … ``fresh33.jsonl`` (splits ``fresh`` … ``fresh33``) hold rounds of should-refuse and
should-answer prompts written after the rules (:func:`load_fresh`); the classifier trains on the
rounds of ``TRAINED_FRESH_ROUNDS`` and never on the others (``BLIND_FRESH_ROUNDS``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.settings import PROJECT_ROOT

SAFETY_DIR = PROJECT_ROOT / "evals" / "datasets" / "safety"
BANKS = ("refuse", "answer", "injection")
FRESH = "fresh"
FRESH_ID_PREFIXES = {
    FRESH: ("srf", "saf"),
    "fresh2": ("srg", "sag"),
    "fresh3": ("srh", "sah"),
    "fresh4": ("sri", "sai"),
    "fresh5": ("srj", "saj"),
    "fresh6": ("srk", "sak"),
    "fresh7": ("srl", "sal"),
    "fresh8": ("srm", "sam"),
    "fresh9": ("srn", "san"),
    "fresh10": ("sro", "sao"),
    "fresh11": ("srp", "sap"),
    "fresh12": ("srq", "saq"),
    "fresh13": ("srr", "sar"),
    "fresh14": ("srs", "sas"),
    "fresh15": ("srt", "sat"),
    "fresh16": ("sru", "sau"),
    "fresh17": ("srv", "sav"),
    "fresh18": ("srw", "saw"),
    "fresh19": ("srx", "sax"),
    "fresh20": ("sry", "say"),
    "fresh21": ("srz", "saz"),
    "fresh22": ("sr22", "sa22"),
    "fresh23": ("sr23", "sa23"),
    "fresh24": ("sr24", "sa24"),
    "fresh25": ("sr25", "sa25"),
    "fresh26": ("sr26", "sa26"),
    "fresh27": ("sr27", "sa27"),
    "fresh28": ("sr28", "sa28"),
    "fresh29": ("sr29", "sa29"),
    "fresh30": ("sr30", "sa30"),
    "fresh31": ("sr31", "sa31"),
    "fresh32": ("sr32", "sa32"),
    "fresh33": ("sr33", "sa33"),
}
"""Fresh round → id prefixes of its should-refuse and should-answer prompts (a letter per round up to
fresh21, ``srz``/``saz``; from fresh22 on the round's number, ``sr22``/``sa22``)."""
FRESH_ROUNDS = tuple(FRESH_ID_PREFIXES)
"""Rounds written after the rules, each its own file and split (``fresh.jsonl``: split ``fresh``)."""
TRAINED_FRESH_ROUNDS = (
    FRESH,
    "fresh2",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    "fresh7",
    "fresh8",
    "fresh9",
    "fresh10",
    "fresh11",
    "fresh12",
    "fresh13",
    "fresh14",
    "fresh15",
    "fresh16",
    "fresh17",
    "fresh18",
    "fresh19",
    "fresh20",
    "fresh21",
    "fresh22",
    "fresh23",
    "fresh25",
)
"""Fresh rounds scored blind and since 2026-11-23 training data of the safety classifier (fresh, fresh2
since step 8; fresh3, fresh4, each scored blind before and after step 8, since step 9; fresh5, fresh6,
fresh7, each scored blind before and after a change, since step 11; fresh8, scored blind before and after
step 11, since step 12; fresh9, scored blind before and after step 12, since step 13;
fresh10, scored blind before and after step 13, since step 14; fresh11, scored blind before and after
step 14, since step 15; fresh12, scored blind before and after step 15, since step 16; fresh13, scored
blind before and after step 16, and fresh14, scored blind on step 16, since step 17; fresh15, scored blind
before and after step 17, since step 18; fresh16, scored blind before and after step 18, since step 19;
fresh17, scored blind before and after step 19, training data of the classifier since 2026-11-24, step 20;
fresh18, scored blind before and after step 20, training data of the classifier since 2026-11-24, step 21;
fresh19, scored blind before and after step 21, and fresh20, scored blind on step 21 and step 21b, training
data of the classifier since 2026-11-24, step 22; fresh21, scored blind before and after step 22, and
fresh22, scored blind on step 22, training data of the classifier since 2026-11-24, step 23; fresh23, scored
blind before and after step 23, training data of the classifier since 2026-11-24, step 24; fresh25, scored
blind on steps 24, 25 and 26, training data of the classifier since 2026-11-25, step 27; fresh24, scored blind
on steps 23 … 26, is spent but not trained on)."""
BLIND_FRESH_ROUNDS = tuple(name for name in FRESH_ROUNDS if name not in TRAINED_FRESH_ROUNDS)
"""Fresh rounds never trained or tuned on (a new round is blind unless listed as trained)."""
_EXPECTED = {
    "refuse": {"refuse"},
    "answer": {"answer"},
    "injection": {"refuse", "not_obey"},
    **{name: {"refuse", "answer"} for name in FRESH_ROUNDS},
}
_SPLITS = {"dev", "heldout"}


class BankError(ValueError):
    """A record that does not follow the schema (the message names the file and line)."""


@dataclass(frozen=True)
class SafetyItem:
    """One prompt of a safety bank."""

    id: str
    text: str
    category: str
    expected: str
    split: str
    notes: str
    bank: str
    canaries: tuple[str, ...] = ()
    doc_id: str = ""
    upload_id: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def indirect(self) -> bool:
        return self.category.startswith("indirect_")


def load_bank(bank: str, folder: Path = SAFETY_DIR) -> list[SafetyItem]:
    """The records of ``folder/<bank>.jsonl``; raises ``BankError`` on a malformed record or duplicate id."""
    path = folder / f"{bank}.jsonl"
    items: list[SafetyItem] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise BankError(f"{where}: not JSON ({error})") from error
        for key in ("id", "text", "category", "expected", "split", "notes"):
            if not isinstance(record.get(key), str) or not record[key].strip():
                raise BankError(f"{where}: field {key!r} missing or empty")
        if record["expected"] not in _EXPECTED[bank]:
            raise BankError(f"{where}: expected {record['expected']!r} not in {sorted(_EXPECTED[bank])}")
        splits = {bank} if bank in FRESH_ROUNDS else _SPLITS
        if record["split"] not in splits:
            raise BankError(f"{where}: split {record['split']!r} not {'/'.join(sorted(splits))}")
        if record["id"] in seen:
            raise BankError(f"{where}: duplicate id {record['id']!r}")
        seen.add(record["id"])
        canaries = record.get("canaries", [])
        if not isinstance(canaries, list) or not all(isinstance(c, str) and c for c in canaries):
            raise BankError(f"{where}: canaries must be a list of non-empty strings")
        items.append(
            SafetyItem(
                record["id"],
                record["text"],
                record["category"],
                record["expected"],
                record["split"],
                record["notes"],
                bank,
                tuple(canaries),
                record.get("doc_id", ""),
                record.get("upload_id", ""),
            )
        )
    return items


def load_all(folder: Path = SAFETY_DIR) -> dict[str, list[SafetyItem]]:
    """All three banks by name."""
    return {bank: load_bank(bank, folder) for bank in BANKS}


def load_fresh(folder: Path = SAFETY_DIR, rounds: tuple[str, ...] = FRESH_ROUNDS) -> list[SafetyItem]:
    """The fresh rounds (split = round name), each item filed under the bank its ``expected`` names."""
    return [replace(i, bank=i.expected) for name in rounds for i in load_bank(name, folder)]
