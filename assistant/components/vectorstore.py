"""Chroma, on disk (default) or a Chroma server, always with our embedder (never Chroma's default model).

With ``vectorstore_mode=chroma-http`` every worker talks to one ``chroma run`` server (telemetry off, our
embedding function bound to the collection, so neither side downloads a model). A server that cannot
be reached raises :class:`VectorStoreUnavailable`, which the API answers with 503; the next call tries
again, so service resumes by itself when the server is back.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from assistant.components.embeddings import TextEmbedder, embedder_from_config
from assistant.settings import Settings

T = TypeVar("T")


class VectorStoreUnavailable(RuntimeError):
    """The Chroma server could not be reached (down, restarting, or a network fault); retry later."""


def _unreachable(error: Exception) -> bool:
    """Whether ``error`` means the server could not be reached, rather than a bad request."""
    import httpx

    if isinstance(error, httpx.TransportError | ConnectionError | TimeoutError):
        return True
    return isinstance(error, ValueError) and "could not connect" in str(error).lower()


def guarded(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``call(*args, **kwargs)``: one Chroma call, "server unreachable" raised as VectorStoreUnavailable."""
    try:
        return call(*args, **kwargs)
    except Exception as error:
        if _unreachable(error):
            raise VectorStoreUnavailable(f"the Chroma server cannot be reached: {error}") from error
        raise


class ChromaEmbeddingFunction:
    """Adapter giving Chroma our embedder, so no code path can make it fetch its default model."""

    def __init__(self, embedder: TextEmbedder) -> None:
        self._embedder = embedder

    def __call__(self, input: list[str]) -> list[list[float]]:
        return self._embedder.embed_documents(list(input))

    def embed_query(self, input: list[str]) -> list[list[float]]:
        return [self._embedder.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "govassist"

    def is_legacy(self) -> bool:
        return False

    def get_config(self) -> dict[str, Any]:
        return dict(self._embedder.config())

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        return ChromaEmbeddingFunction(embedder_from_config(config))

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]


@functools.cache
def _register_embedding_function() -> None:
    """Let Chroma rebuild our function from a stored collection config instead of dropping it."""
    from chromadb.utils.embedding_functions import known_embedding_functions

    registry: dict[str, Any] = known_embedding_functions
    registry.setdefault(ChromaEmbeddingFunction.name(), ChromaEmbeddingFunction)


def open_chroma_client(settings: Settings, path: Path) -> Any:
    """A Chroma client with telemetry off: a persistent one at ``path``, or an HTTP one by setting."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    _register_embedding_function()

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.vectorstore_mode == "chroma-http":
        # The HTTP client logs every request at INFO; one line per question is noise in a server's log.
        logging.getLogger("httpx").setLevel(max(logging.getLogger("httpx").level, logging.WARNING))
        return guarded(
            chromadb.HttpClient,
            host=settings.chroma_host,
            port=settings.chroma_port,
            settings=chroma_settings,
        )
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def open_collection(client: Any, name: str, embedder: TextEmbedder, identity: str | None = None) -> Any:
    """Get or create the collection (cosine space) bound to our embedding function; a new collection
    records ``identity`` (what made its vectors; the embedder's name by default) in its metadata."""
    return guarded(
        client.get_or_create_collection,
        name,
        embedding_function=ChromaEmbeddingFunction(embedder),
        metadata={"hnsw:space": "cosine", "embedder": identity or embedder.name},
    )
