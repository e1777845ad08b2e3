"""Token accounting of the external corpora: repeats, windows and what the chunks hold beyond the documents."""

from __future__ import annotations

import json
from pathlib import Path

from evals.workbench.token_account import WINDOW, account, corpus_texts


def test_account_counts_what_the_model_reads_once_and_the_long_windows() -> None:
    chunks = ["ab", "AB", "cd", "x" * (WINDOW + 1)]
    documents = ["abcd", "x" * (WINDOW + 1)]
    got = account(chunks, documents, lambda text: len(text) + 2, str.lower)
    assert got["chunks"] == 4 and got["distinct_texts"] == 3  # "AB" reads as "ab"
    assert got["tokens_all_chunks"] == 4 + 4 + 4 + WINDOW + 3
    assert got["tokens_embedded"] == 4 + 4 + WINDOW + 3
    assert got["chunks_over_one_window"] == 1 and got["longest_chunk_tokens"] == WINDOW + 3
    assert got["tokens_documents_once"] == 6 + WINDOW + 3
    assert got["special_tokens_beyond_documents"] == 4


def test_corpus_texts_chunk_a_corpus_as_its_index_does(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    text = "各地社区要做好疫情防控工作。社区卫生服务中心负责发热病人的登记和转诊。" * 20
    corpus.write_text(
        json.dumps({"id": "a", "title": "社区防控", "text": text}, ensure_ascii=False) + "\n", "utf-8"
    )
    chunks, documents = corpus_texts(corpus)
    assert len(documents) == 1 and len(chunks) > 1  # 700 characters: more than one 500-character chunk
    assert all(len(chunk) <= 500 for chunk in chunks)
    assert sum(map(len, chunks)) > len(documents[0])  # the overlap
