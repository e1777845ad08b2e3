"""The passage pool: texts embedded once, ahead in the background, and the same index as without it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest

from assistant.components.e5_embeddings import E5Embedder
from assistant.components.embeddings import HashEmbedder
from assistant.settings import Settings
from assistant.textnorm import normalize
from evals.workbench import corpus_index as corpus_index_module
from evals.workbench import runner
from evals.workbench.configs import Config
from evals.workbench.corpus_index import corpus_index, pending_texts
from evals.workbench.jsonl import Item, Loaded
from evals.workbench.passage_pool import PassagePool
from evals.workbench.registry import SUITES
from evals.workbench.runner import run_workbench
from evals.workbench.suite import RunItem, Suite

DOCS = [
    {
        "id": "a",
        "title": "社区防控",
        "text": "各地社区要做好疫情防控工作。社区卫生服务中心负责发热病人的登记和转诊。" * 12,
    },
    {"id": "b", "title": "客运", "text": "即日起暂停省际长途客运班线，恢复时间另行通知。" * 9},
    {
        "id": "c",
        "title": "社区防控（转载）",
        "text": "各地社区要做好疫情防控工作。社区卫生服务中心负责发热病人的登记和转诊。" * 12,
    },
]


class CountingEmbedder(HashEmbedder):
    """Hash vectors; records every passage it embeds and on which team size (like E5Embedder)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, int, list[str]]] = []  # (thread name, team, texts)
        self.gate = threading.Event()
        self.gate.set()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts, 0)

    def embed_passages(self, texts: list[str], threads: int) -> list[list[float]]:
        self.gate.wait(5)
        self.calls.append((threading.current_thread().name, threads, list(texts)))
        return super().embed_documents(texts)

    def embedded(self) -> list[str]:
        return [text for _, _, texts in self.calls for text in texts]


def _wait_for(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_texts_are_embedded_once_in_the_background_on_a_team_of_one() -> None:
    base = CountingEmbedder()
    pool = PassagePool(base)
    texts = [f"文本{i}" for i in range(10)]
    try:
        assert pool.prefetch([*texts, texts[0]]) == 10
        _wait_for(lambda: len(pool.vectors) == 10)
        assert pool.prefetch(texts) == 0  # nothing new
        vectors = pool.embedder().embed_documents([texts[3], "新的", texts[3]])
    finally:
        pool.close()
    assert vectors == HashEmbedder().embed_documents([texts[3], "新的", texts[3]])
    assert sorted(base.embedded()) == sorted([*texts, "新的"])  # each text once
    background = [(team, batch) for name, team, batch in base.calls if name == "passage-prefetch"]
    assert {team for team, _ in background} == {1} and pool.background_texts == 10
    assert ("MainThread", 1, ["新的"]) in base.calls  # the foreground: a team of one, only what was missing


def test_a_pause_keeps_the_worker_idle_and_the_foreground_embeds_what_is_left() -> None:
    base = CountingEmbedder()
    pool = PassagePool(base, threads=2)
    texts = [f"段落{i}" for i in range(8)]
    try:
        with pool.paused():
            pool.prefetch(texts)
            time.sleep(0.2)
            assert base.calls == []
            vectors = pool.embed(texts)
        assert vectors == HashEmbedder().embed_documents(texts)
    finally:
        pool.close()
    # the worker paused, the caller and one helper take its core: two threads, a team of one each
    assert {name for name, _, _ in base.calls} <= {"MainThread", "passage-help-1"}
    assert {team for _, team, _ in base.calls} == {1}
    assert sorted(base.embedded()) == sorted(texts) and pool.background_texts == 0


class HeldWorkerEmbedder(CountingEmbedder):
    """The worker's calls wait until the caller has embedded something: both threads get a share."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def embed_passages(self, texts: list[str], threads: int) -> list[list[float]]:
        if threading.current_thread().name == "passage-prefetch":
            self.release.wait(5)
        rows = super().embed_passages(texts, threads)
        if threading.current_thread().name == "MainThread":
            self.release.set()
        return rows


def test_the_build_and_the_worker_embed_side_by_side_each_text_once() -> None:
    base = HeldWorkerEmbedder()
    pool = PassagePool(base, threads=2)
    texts = [f"条文{i}" for i in range(60)]
    try:
        pool.prefetch(texts)
        _wait_for(lambda: bool(pool._inflight))  # the worker holds its first batch
        first = pool.embed(texts[:30])  # waits for that batch; the worker goes on with the queue
        second = pool.embed(texts[30:])
    finally:
        pool.close()
    assert first + second == HashEmbedder().embed_documents(texts)
    assert sorted(base.embedded()) == sorted(texts)  # nothing embedded twice
    names = {name for name, _, _ in base.calls}
    assert names == {"MainThread", "passage-prefetch"}  # two cores: the worker and the caller, no helper
    assert {team for _, team, _ in base.calls} == {1}


class FailingEmbedder(CountingEmbedder):
    """Fails every call of the thread named ``fails``."""

    def __init__(self, fails: str) -> None:
        super().__init__()
        self.fails = fails

    def embed_passages(self, texts: list[str], threads: int) -> list[list[float]]:
        if threading.current_thread().name == self.fails:
            raise RuntimeError(f"engine failed on {self.fails}")
        return super().embed_passages(texts, threads)


def test_texts_the_worker_failed_on_are_embedded_by_the_caller() -> None:
    base = FailingEmbedder("passage-prefetch")
    pool = PassagePool(base, threads=2)
    texts = ["甲条", "乙条", "丙条"]
    try:
        pool.prefetch(texts)
        time.sleep(0.2)
        assert pool.vectors == {}
        assert pool.embed(texts) == HashEmbedder().embed_documents(texts)
    finally:
        pool.close()


def test_an_error_of_the_caller_is_raised() -> None:
    pool = PassagePool(FailingEmbedder("MainThread"), threads=1)
    with pytest.raises(RuntimeError, match="engine failed on MainThread"):
        pool.embed(["甲条"])
    pool.close()


def test_a_pause_waits_for_the_call_in_progress() -> None:
    base = CountingEmbedder()
    base.gate.clear()  # the worker's first call blocks until the gate opens
    pool = PassagePool(base)
    entered = threading.Event()

    def pause() -> None:
        with pool.paused():
            entered.set()

    try:
        pool.prefetch(["一", "二", "三", "四", "五", "六"])
        time.sleep(0.1)
        waiter = threading.Thread(target=pause)
        waiter.start()
        assert not entered.wait(0.2)  # still inside the worker's call
        base.gate.set()
        assert entered.wait(5)
        waiter.join()
    finally:
        pool.close()


def test_an_embedder_without_team_control_only_loses_repeats() -> None:
    pool = PassagePool(HashEmbedder())
    assert not pool.can_prefetch and pool.prefetch(["甲", "乙"]) == 0
    assert pool.embed(["甲", "甲"]) == HashEmbedder().embed_documents(["甲", "甲"])
    assert list(pool.vectors) == ["甲"]
    pool.close()


def test_the_pool_builds_the_same_index_and_knows_what_is_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus_index_module, "CACHE_ROOT", tmp_path / "cache")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in DOCS) + "\n", encoding="utf-8")
    settings = Settings(embedding_mode="hash", data_dir=tmp_path / "data", chunk_max_chars=200)
    pending = pending_texts(settings, "pooled", corpus)
    assert len(pending) > len(set(pending)) > 3  # document c repeats a

    base = CountingEmbedder()
    pool = PassagePool(base)
    try:
        pool.prefetch(pending)
        _wait_for(lambda: len(pool.vectors) == len(set(pending)))
        with corpus_index(settings, "pooled", corpus, pool=pool) as pooled:
            got = pooled.index.collection.get(include=["embeddings"])
            assert pooled.retriever.search("发热病人登记", k=1)[0].chunk.doc_id in {"a", "c"}
    finally:
        pool.close()
    assert sorted(base.embedded()) == sorted(set(pending))  # each distinct text once, all ahead

    assert pending_texts(settings, "pooled", corpus) == []  # built: nothing left to embed
    with corpus_index(settings, "plain", corpus) as plain:  # no pool: the product's own path
        want = plain.index.collection.get(include=["embeddings"])
    pooled_vectors = {i: list(v) for i, v in zip(got["ids"], got["embeddings"], strict=True)}
    plain_vectors = {i: list(v) for i, v in zip(want["ids"], want["embeddings"], strict=True)}
    assert pooled_vectors == plain_vectors


ORDER: list[str] = []


class PlainSuite(Suite):
    name = "plain"
    description = "items that leave a core idle"
    metrics: ClassVar[dict[str, str]] = {"ok": "higher"}
    background: ClassVar[bool] = False
    """Whether the pool is expected to embed ahead while this suite's item runs."""

    def load(self) -> Loaded:
        return Loaded([Item("p1", 1)], sources=["memory"])

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        ORDER.append(self.name)
        pool = self.pool

        def run(item: Item) -> dict[str, Any]:
            if self.background:  # the pool embeds the corpus while this item runs
                assert pool is not None
                _wait_for(lambda: pool.background_texts > 0)
            return {"scores": {"ok": 1.0}, "latency_ms": 1.0}

        yield run


class CorpusSuite(PlainSuite):
    name = "corpus"
    corpus: Path

    def corpora(self) -> list[tuple[str, Path]]:
        return [("scripted", self.corpus)]

    @contextmanager
    def session(self, settings: Settings) -> Iterator[RunItem]:
        ORDER.append(self.name)
        with corpus_index(settings, "scripted", self.corpus, pool=self.pool) as corpus:
            hit = corpus.retriever.search("省际客运", k=1)[0].chunk.doc_id

            def run(item: Item) -> dict[str, Any]:
                return {"scores": {"ok": float(hit == "b")}, "latency_ms": 1.0}

            yield run


@pytest.mark.parametrize("configs", [1, 2])
def test_the_runner_embeds_ahead_for_a_single_configuration_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, configs: int
) -> None:
    monkeypatch.setattr(corpus_index_module, "CACHE_ROOT", tmp_path / "cache")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in DOCS) + "\n", encoding="utf-8")
    monkeypatch.setattr(CorpusSuite, "corpus", corpus, raising=False)
    monkeypatch.setattr(PlainSuite, "background", configs == 1)
    monkeypatch.setitem(SUITES, "plain", PlainSuite)
    monkeypatch.setitem(SUITES, "corpus", CorpusSuite)
    monkeypatch.setattr(runner, "build_embedder", lambda settings: CountingEmbedder())
    monkeypatch.setenv("GOVASSIST_EMBEDDING_MODE", "hash")
    monkeypatch.setenv("GOVASSIST_DATA_DIR", str(tmp_path / "data"))
    ORDER.clear()
    chosen = [Config("one"), Config("two", {"rrf_k": 7})][:configs]
    outcome = run_workbench(["corpus", "plain"], chosen, tmp_path / "run", progress=False)
    for config in chosen:
        entry = outcome.metrics["configs"][config.name]
        assert list(entry["suites"]) == ["corpus", "plain"]  # the report keeps the order asked for
        assert entry["suites"]["corpus"]["metrics"]["ok"] == entry["suites"]["plain"]["metrics"]["ok"] == 1.0
    if configs == 1:
        assert ORDER == ["plain", "corpus"]  # the corpus is embedded while the plain items run
        assert outcome.metrics["configs"]["one"]["passages"]["in_background"] > 0
    else:
        assert ORDER == ["corpus", "plain", "corpus", "plain"]
        assert outcome.metrics["configs"]["one"]["passages"]["in_background"] == 0


class FakeE5(E5Embedder):
    """An E5Embedder without the engine: like it, the vector is that of the normalised text."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[str] = []

    def embed_passages(self, texts: list[str], threads: int) -> list[list[float]]:
        self.read.extend(texts)
        return HashEmbedder().embed_documents([normalize(t) for t in texts])


def test_texts_the_model_reads_alike_are_embedded_once() -> None:
    base = FakeE5()
    pool = PassagePool(base, threads=2)
    texts = ["第１条　防控措施", "第1条 防控措施", "第二条 复工"]  # full-width digit and space: same reading
    assert normalize(texts[0]) == normalize(texts[1])
    try:
        assert pool.prefetch(texts) == 2
        _wait_for(lambda: len(pool.vectors) == 2)
        vectors = pool.embed(list(reversed(texts)))
    finally:
        pool.close()
    assert base.read == [texts[0], texts[2]]
    assert vectors == list(reversed(base.embed_passages(texts, 1)))  # what each text alone would get
    assert PassagePool(HashEmbedder()).key("第１条") == "第１条"  # other embedders: the text itself
