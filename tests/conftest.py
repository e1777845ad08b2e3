"""Shared fixtures: settings on a temp dir, with the hash fake embedder unless a test asks for the real one."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.container import Services
from assistant.index.knowledge_index import KnowledgeIndex
from assistant.sessions import SessionStore
from assistant.settings import PROJECT_ROOT, Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

E5_CACHE_ENV = "GOVASSIST_EMBEDDING_CACHE_DIR"
_E5_CACHE_KEY = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """One E5 passage-vector folder per run, shared by the xdist workers and the servers they start (the
    environment is inherited): the bundled knowledge is embedded with the real E5 once, not per index."""
    if hasattr(config, "workerinput") or E5_CACHE_ENV in os.environ:
        return  # an xdist worker inherits the controller's folder; one set outside is left alone
    folder = tempfile.mkdtemp(prefix="govassist-e5-vectors-")
    os.environ[E5_CACHE_ENV] = folder
    config.stash[_E5_CACHE_KEY] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_E5_CACHE_KEY, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(E5_CACHE_ENV, None)


SEEDS_DIR = PROJECT_ROOT.parent / "shared" / "seeds"
POLICIES_DIR = PROJECT_ROOT / "knowledge" / "policies"


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings whose data lives under tmp_path; fake embeddings unless overridden."""

    def factory(**overrides: object) -> Settings:
        values: dict[str, object] = {"data_dir": tmp_path / "data", "embedding_mode": "hash"}
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]

    return factory


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def index(settings: Settings) -> Iterator[KnowledgeIndex]:
    knowledge_index = KnowledgeIndex(settings)
    yield knowledge_index
    knowledge_index.close()


@pytest.fixture(scope="session")
def policy_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeIndex]:
    """The bundled policies indexed once per run (hash embeddings); read-only for the tests that share it."""
    from ingest.pipeline import ingest_paths

    data_dir = tmp_path_factory.mktemp("policies") / "data"
    settings = Settings(_env_file=None, data_dir=data_dir, embedding_mode="hash")  # type: ignore[call-arg]
    knowledge_index = KnowledgeIndex(settings)
    report = ingest_paths(knowledge_index, [POLICIES_DIR], project_root=PROJECT_ROOT)
    assert not report.failed and report.chunks_total > 0
    yield knowledge_index
    knowledge_index.close()


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"shared seeds not found at {SEEDS_DIR}")
    return SEEDS_DIR


@pytest.fixture(scope="session")
def chat_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Services over the bundled policies (hash embeddings, guides not indexed), built once per run;
    tests that share them build their own ChatService on a fresh session store (``chat_store``)."""
    from assistant.container import build_services

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("chat") / "data",
        embedding_mode="hash",
        index_guides=False,
    )
    built = build_services(settings, ensure_index=True)
    yield built
    built.close()


@pytest.fixture
def chat_store(tmp_path: Path) -> Iterator[SessionStore]:
    """A session store on its own SQLite file."""
    from assistant.components.database import make_engine

    store = SessionStore(make_engine(f"sqlite:///{tmp_path / 'chat.db'}"))
    store.create_schema()
    yield store
    store.engine.dispose()
