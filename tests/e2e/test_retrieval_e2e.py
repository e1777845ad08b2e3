"""End to end with the real offline backends: the bundled seeds, the packaged MiniLM, Chroma on a temp dir."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from assistant.index.knowledge_index import KnowledgeIndex
from assistant.retrieval import HybridRetriever
from assistant.settings import PROJECT_ROOT, Settings
from ingest.pipeline import ingest_paths
from tests.conftest import POLICIES_DIR

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeIndex]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path_factory.mktemp("e2e"), embedding_mode="sentence-transformers"
    )  # the MiniLM that serves where the default E5 cannot run (no AVX2); E5: test_e5_retrieval_e2e
    index = KnowledgeIndex(settings)
    report = ingest_paths(index, [POLICIES_DIR], project_root=PROJECT_ROOT)
    assert not report.failed and len(report.added) == 5
    yield index
    index.close()


@pytest.fixture(scope="module")
def search(real_index: KnowledgeIndex) -> Callable[[str], list[str]]:
    retriever = HybridRetriever.from_settings(real_index.settings, real_index)
    return lambda q: [hit.chunk.text for hit in retriever.search(q, k=5)]


@pytest.mark.parametrize(
    ("question", "evidence"),
    [
        ("办事遇到堵点了可以去哪反映？", "12345"),
        ("高效办成一件事到2027年要做到啥程度", "2027"),  # asked in Simplified, 002 is Traditional
        ("一件事的重点事项清单是怎么管理的", "清單"),  # the passage is shown in its original script
        ("政务服务中心的综合窗口怎么设置", "综合窗口"),
        ("电子证照能全国通用吗", "互通互认"),
        ("How many bottlenecks in key industries does the programme address?", "100 bottlenecks"),
    ],
)
def test_colloquial_questions_find_the_passage(
    search: Callable[[str], list[str]], question: str, evidence: str
) -> None:
    assert any(evidence in text for text in search(question))


def test_real_embedder_reads_english_and_not_chinese(real_index: KnowledgeIndex) -> None:
    embedder = real_index.embedder
    assert embedder.coverage("one-stop government services") > 0.9
    assert embedder.coverage("住房公积金提取") < 0.5
    assert len(embedder.embed_query("政务服务")) == 384


def test_reingest_of_the_seeds_is_a_no_op(real_index: KnowledgeIndex) -> None:
    chunks = real_index.store.counts()["chunks"]
    report = ingest_paths(real_index, [POLICIES_DIR], project_root=PROJECT_ROOT)
    assert not report.changed and len(report.unchanged) == 5
    assert real_index.store.counts()["chunks"] == chunks
