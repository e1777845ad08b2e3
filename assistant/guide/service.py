"""The guide service: catalogue, matcher and dialogue, loaded once on first use (not at start-up)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.guide.aspects import asked_aspects, without_aspect_words
from assistant.guide.checklist import Checklist, build_checklist
from assistant.guide.dialogue import GuideDialogue, GuideState, GuideTurn, Interpreter
from assistant.guide.guide_facts import GuideFacts, answer_aspects
from assistant.guide.loader import CatalogueLoad, load_catalogue
from assistant.guide.matcher import CatalogueMatcher
from assistant.guide.matching import GuideMatch
from assistant.guide.models import ServiceGuide
from assistant.textnorm import normalize
from assistant.tokenization import ChineseTokenizer

logger = logging.getLogger(__name__)


class UnknownGuide(LookupError):
    """No catalogue item has this id."""


@dataclass(frozen=True)
class _Loaded:
    catalogue: CatalogueLoad
    matcher: CatalogueMatcher
    seconds: float


_SHARED: dict[tuple[str, str, tuple[tuple[str, int, int], ...]], _Loaded] = {}
_SHARED_LOCK = threading.Lock()
_SHARED_MAX = 4


def _load_shared(folder: Path, tokenizer: ChineseTokenizer) -> _Loaded:
    """Load and index the catalogue, once per process for the same files and lexicon."""
    stats = [(p, p.stat()) for p in sorted(folder.rglob("*.y*ml"))] if folder.is_dir() else []
    files = tuple((str(p), st.st_mtime_ns, st.st_size) for p, st in stats)
    key = (str(folder.resolve()), tokenizer.lexicon.fingerprint, files)
    with _SHARED_LOCK:
        loaded = _SHARED.get(key)
        if loaded is None:
            started = time.perf_counter()
            catalogue = load_catalogue(folder) if folder.is_dir() else CatalogueLoad([], [])
            for error in catalogue.errors:
                logger.error("guide catalogue: %s", error)
            matcher = CatalogueMatcher(catalogue.guides, tokenizer)
            seconds = time.perf_counter() - started
            loaded = _Loaded(catalogue, matcher, seconds)
            while len(_SHARED) >= _SHARED_MAX:
                _SHARED.pop(next(iter(_SHARED)))  # the oldest
            _SHARED[key] = loaded
            logger.info(
                "guide catalogue: %d items loaded and indexed in %.1f s (%d errors)",
                len(catalogue.guides),
                seconds,
                len(catalogue.errors),
            )
        return loaded


class GuideService:
    """智能导办 over the catalogue in ``folder``: search, item lookup, checklists and the dialogue."""

    def __init__(
        self, folder: Path, tokenizer: ChineseTokenizer, interpreter: Interpreter | None = None
    ) -> None:
        """``interpreter`` (e.g. an LLM) reads free-text 情形 answers the rules cannot place."""
        self.folder = folder
        self.tokenizer = tokenizer
        self.interpreter = interpreter
        self._loaded: _Loaded | None = None
        self._dialogue: GuideDialogue | None = None
        self._lock = threading.Lock()

    def _load(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                self._loaded = _load_shared(self.folder, self.tokenizer)
            return self._loaded

    @property
    def dialogue(self) -> GuideDialogue:
        loaded = self._load()
        if self._dialogue is None:
            self._dialogue = GuideDialogue(loaded.catalogue, loaded.matcher, self.interpreter)
        return self._dialogue

    @property
    def catalogue(self) -> CatalogueLoad:
        return self._load().catalogue

    def warm_up(self) -> float:
        """Load and index the catalogue now; returns the seconds that took."""
        return self._load().seconds

    def start(self, text: str) -> GuideTurn:
        return self.dialogue.start(text)

    def reply(self, state: GuideState, text: str) -> GuideTurn:
        return self.dialogue.reply(state, text)

    def facts(self, text: str, current: str | None = None) -> GuideFacts | None:
        """The answer to a plain question about one field of one item ("…在哪里办理", "…收费吗").

        The item is the one the matcher clearly names in ``text`` or, when it names none, ``current``
        (the id or exact name of the item the conversation is about). None when no aspect is asked,
        materials are asked (the dialogue's checklist answers that), or the item is unclear.
        """
        aspects = asked_aspects(text)
        if not aspects:
            return None
        loaded = self._load()
        named = {match.guide.id for match in loaded.matcher.decide(text)}
        if not named:  # the field words can drown a long item name: match what names the item
            item_words = without_aspect_words(text)
            found = loaded.matcher.decide(item_words) if item_words else []
            named = {match.guide.id for match in found if _names(match.guide, item_words)}
        if len(named) > 1:
            return None
        guide = loaded.catalogue.get(next(iter(named))) if named else self._current(current)
        return answer_aspects(guide, aspects) if guide is not None else None

    def _current(self, id_or_name: str | None) -> ServiceGuide | None:
        """The guide with this id, else the only guide with this exact name."""
        if not id_or_name:
            return None
        catalogue = self._load().catalogue
        guide = catalogue.get(id_or_name)
        if guide is not None:
            return guide
        same_name = [g for g in catalogue.guides if g.name == id_or_name]
        return same_name[0] if len(same_name) == 1 else None

    def search(self, query: str, k: int = 10) -> list[GuideMatch]:
        """Catalogue items for a free-text query, best first."""
        return self._load().matcher.search(query, k) if query.strip() else []

    def get(self, guide_id: str) -> ServiceGuide:
        guide = self._load().catalogue.get(guide_id)
        if guide is None:
            raise UnknownGuide(guide_id)
        return guide

    def checklist(self, guide_id: str, answers: dict[str, str]) -> Checklist:
        """The checklist of an item for these 情形 answers (``ValueError`` names a bad answer)."""
        return build_checklist(self.get(guide_id), answers)


def _names(guide: ServiceGuide, words: str) -> bool:
    """Whether ``words`` are the guide's name or an alias, or contain one, or are contained in one."""
    said = normalize(words)
    return any(
        title and (title in said or said in title) for title in map(normalize, [guide.name, *guide.aliases])
    )
