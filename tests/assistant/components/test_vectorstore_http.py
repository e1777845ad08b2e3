"""Chroma in client/server mode (vectorstore_mode=chroma-http) against a real ``chroma run`` server:
vectors round-trip, an unreachable server raises VectorStoreUnavailable (nothing half-written), and
service resumes when the server is back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from assistant.components.vectorstore import VectorStoreUnavailable, guarded, open_chroma_client
from assistant.index.knowledge_index import KnowledgeIndex
from assistant.settings import Settings
from tests.assistant.index.test_chunkstore import birth_file, license_file
from tests.chroma_server import ChromaServer, free_port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    chroma = ChromaServer(tmp_path_factory.mktemp("chroma") / "db").start()
    yield chroma
    chroma.stop()


def http_settings(make_settings: Callable[..., Settings], port: int, name: str) -> Settings:
    return make_settings(vectorstore_mode="chroma-http", chroma_port=port, collection_name=name)


def test_guarded_turns_only_unreachable_into_unavailable() -> None:
    def refused() -> None:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    def bad_request() -> None:
        raise ValueError("Expected where to have exactly one operator")

    with pytest.raises(VectorStoreUnavailable, match="cannot be reached"):
        guarded(refused)
    with pytest.raises(ValueError, match="one operator"):
        guarded(bad_request)
    assert guarded(lambda a, b: a + b, 1, b=2) == 3


def test_no_server_means_unavailable_not_a_crash(make_settings: Callable[..., Settings]) -> None:
    settings = http_settings(make_settings, free_port(), "nobody-home")
    with pytest.raises(VectorStoreUnavailable):
        open_chroma_client(settings, Path("unused"))
    index = KnowledgeIndex(settings)
    try:
        index.store.replace_file("guides/birth.txt", "fp-1", birth_file())  # the ledger alone
        with pytest.raises(VectorStoreUnavailable):
            index.dense_search("出生登记", 3)
        assert index.sparse().search(index.tokenizer.tokenize("出生医学证明"), 1)  # BM25 needs no server
        assert not (settings.index_dir / "chroma").exists()  # no embedded store made as a fallback
    finally:
        index.close()


def test_vectors_round_trip_and_the_index_survives_a_server_restart(
    server: ChromaServer, make_settings: Callable[..., Settings]
) -> None:
    index = KnowledgeIndex(http_settings(make_settings, server.port, "restart-test"))
    try:
        index.replace_file("guides/birth.txt", "fp-1", birth_file())
        hits = index.dense_search("需提交出生医学证明。", 3)
        assert hits[0].chunk_id == "birth:0001:v1"
        assert index.collection.metadata["embedder"] == index.vector_identity

        server.stop()
        with pytest.raises(VectorStoreUnavailable):
            index.dense_search("出生医学证明", 3)
        with pytest.raises(VectorStoreUnavailable):  # vectors first: the ledger is not touched
            index.replace_file("guides/license.txt", "fp-a", license_file())
        assert index.store.fingerprint("guides/license.txt") is None

        server.start()
        assert index.dense_search("需提交出生医学证明。", 1)[0].chunk_id == "birth:0001:v1"
        index.replace_file("guides/license.txt", "fp-a", license_file())
        assert index.reconcile() == {"removed": 0, "added": 0}
        assert index.collection.count() == 4
    finally:
        index.close()


def test_a_second_client_reads_what_the_first_wrote(
    server: ChromaServer, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    """Two processes' views of one server collection (the embedded store would be per folder)."""
    writer = KnowledgeIndex(http_settings(make_settings, server.port, "two-clients"))
    reader_settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path / "elsewhere",
        embedding_mode="hash",
        vectorstore_mode="chroma-http",
        chroma_port=server.port,
        collection_name="two-clients",
    )
    reader = KnowledgeIndex(reader_settings)
    try:
        writer.replace_file("guides/license.txt", "fp-a", license_file())
        assert [h.chunk_id for h in reader.dense_search("营业执照遗失可在网上申请补领。", 1)] == [
            "license:0000:v1"
        ]
    finally:
        writer.close()
        reader.close()
