"""The government-service lexicon: jieba user words, colloquial→official synonyms, stop words."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.textnorm import normalize

USER_DICT_FILE = "user_dict.txt"
SYNONYMS_FILE = "synonyms.tsv"
STOPWORDS_FILE = "stopwords.txt"


@dataclass(frozen=True)
class UserWord:
    word: str
    freq: int | None
    tag: str | None


@dataclass(frozen=True)
class Lexicon:
    """Everything the tokeniser and the query expander need, loaded from one folder."""

    user_words: tuple[UserWord, ...] = ()
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    fingerprint: str = ""

    def expand(self, normalized_query: str) -> list[str]:
        """Official terms for every colloquial term found in the (normalised) query, in table order."""
        found: list[str] = []
        for colloquial, officials in self.synonyms.items():
            if colloquial in normalized_query:
                found.extend(term for term in officials if term not in normalized_query and term not in found)
        return found


def _content_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _parse_user_word(line: str) -> UserWord:
    parts = line.split()
    freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
    return UserWord(normalize(parts[0]), freq, tag)


def _load_synonyms(path: Path) -> dict[str, tuple[str, ...]]:
    if not path.exists():
        return {}
    table: dict[str, tuple[str, ...]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            colloquial = normalize(row.get("colloquial") or "")
            officials = tuple(normalize(t) for t in (row.get("official") or "").split("|") if t.strip())
            if colloquial and officials:
                table[colloquial] = officials
    return table


def load_lexicon(folder: Path) -> Lexicon:
    """Load the lexicon folder; missing files give empty parts (a bare corpus still works)."""
    digest = hashlib.sha256()
    for name in (USER_DICT_FILE, SYNONYMS_FILE, STOPWORDS_FILE):
        path = folder / name
        digest.update(path.read_bytes() if path.exists() else b"")
    return Lexicon(
        user_words=tuple(_parse_user_word(line) for line in _content_lines(folder / USER_DICT_FILE)),
        synonyms=_load_synonyms(folder / SYNONYMS_FILE),
        stopwords=frozenset(normalize(w) for w in _content_lines(folder / STOPWORDS_FILE)),
        fingerprint=digest.hexdigest()[:16],
    )
