"""The topic-scope sets of ``evals/datasets/scope/``: messages to decline as off-topic, and
government-service questions that only touch the same everyday themes.

Each round is a pair of ``[theme]``-sectioned text files written blind (``README.md`` there):
``offtopic_<round>.txt`` (the assistant should decline every line as outside its services) and
``inscope_<round>.txt`` (it should answer or guide every line; refusing one before retrieval is a false
refusal of the scope guard or a safety rule). They are read as they are; no build step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.settings import PROJECT_ROOT

SCOPE_DIR = PROJECT_ROOT / "evals" / "datasets" / "scope"
SETS = ("offtopic", "inscope")
THEMES = (
    "chitchat",
    "entertainment",
    "travel_leisure",
    "food",
    "shopping",
    "personal_finance",
    "sports_games",
    "health_advice",
    "study_writing",
    "tech_coding",
)
"""The everyday themes; every round has both sets in every theme."""
TEST_ROUNDS = ("scope1", "scope3")
"""The blind test rounds in the top folder, each scored on its own as well (``train/`` holds scope2)."""
_FILE = re.compile(r"^(offtopic|inscope)_(scope\d+)\.txt$")
_CJK = re.compile(r"[\u3400-\u9fff]")


class ScopeSetError(ValueError):
    """A scope file is malformed: a line outside a section, an unknown theme, a duplicate line."""


@dataclass(frozen=True)
class ScopeItem:
    """One message: its stable id (``off1-0001``), set, theme, round and text."""

    id: str
    set: str
    theme: str
    round: str
    text: str

    @property
    def latin_only(self) -> bool:
        """Whether the message has no Chinese character (English, or the odd line of toneless pinyin)."""
        return not _CJK.search(self.text)


def read_scope_file(path: Path) -> list[ScopeItem]:
    """The items of one ``offtopic_<round>.txt`` / ``inscope_<round>.txt`` file, in file order."""
    match = _FILE.match(path.name)
    if not match:
        raise ScopeSetError(f"{path.name}: expected offtopic_scopeN.txt or inscope_scopeN.txt")
    which, round_name = match.groups()
    prefix = f"{which[:3]}{round_name.removeprefix('scope')}"
    theme = ""
    items: list[ScopeItem] = []
    seen: set[str] = set()
    for line_no, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            theme = line[1:-1]
            if theme not in THEMES:
                raise ScopeSetError(f"{path.name}:{line_no}: unknown theme [{theme}]")
            continue
        if not theme:
            raise ScopeSetError(f"{path.name}:{line_no}: a message before the first [theme] line")
        if line in seen:
            raise ScopeSetError(f"{path.name}:{line_no}: duplicate message")
        seen.add(line)
        items.append(ScopeItem(f"{prefix}-{len(items) + 1:04d}", which, theme, round_name, line))
    if not items:
        raise ScopeSetError(f"{path.name}: no messages")
    return items


def load_scope(directory: Path = SCOPE_DIR) -> list[ScopeItem]:
    """Every round's items, file by file in name order. Raises FileNotFoundError when there is none."""
    paths = sorted(p for p in directory.glob("*_scope*.txt") if _FILE.match(p.name))
    if not paths:
        raise FileNotFoundError(f"no offtopic_scopeN.txt / inscope_scopeN.txt in {directory}")
    return [item for path in paths for item in read_scope_file(path)]
