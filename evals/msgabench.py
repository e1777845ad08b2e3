"""MSGABench (Beijing government Q&A) as a retrieval benchmark: answers are the corpus, questions the queries.

The data has no stated licence, so it is read from ``shared/external-data`` at run time and the
converted files go to a report folder, never into the repository. The gold source of a question is
its own row. A fixed hash split into ``dev`` and ``test`` halves lets tuning look at ``dev`` only.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from assistant.settings import PROJECT_ROOT

QA_FILE = "gov_affairs_qa_service_scenario.qa.jsonl"
DEFAULT_SOURCE = PROJECT_ROOT.parent / "shared" / "external-data" / "MSGABench"
Split = Literal["all", "dev", "test"]


def split_of(question: str) -> str:
    """``dev`` or ``test``, fixed by a hash of the question text."""
    return "dev" if hashlib.sha1(question.encode()).digest()[0] % 2 == 0 else "test"


def convert(source_dir: Path, out_dir: Path, split: Split = "all") -> tuple[Path, Path]:
    """Write ``corpus.jsonl`` (every non-empty answer) and ``dataset.jsonl`` (questions of ``split``)."""
    qa_path = source_dir / QA_FILE
    if not qa_path.exists():
        raise FileNotFoundError(f"{qa_path} not found: MSGABench is read from shared/external-data")
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus_path, dataset_path = out_dir / "corpus.jsonl", out_dir / f"dataset-{split}.jsonl"
    with (
        qa_path.open(encoding="utf-8") as rows,
        corpus_path.open("w", encoding="utf-8") as corpus,
        dataset_path.open("w", encoding="utf-8") as dataset,
    ):
        for line in rows:
            row = json.loads(line)
            answer, question = (row.get("正文内容") or "").strip(), (row.get("用户问题") or "").strip()
            if not answer or not question:
                continue
            doc_id = f"msga-{row['xlsx_row']}"
            record = {"id": doc_id, "title": row.get("处理单位") or "", "text": answer}
            corpus.write(json.dumps(record, ensure_ascii=False) + "\n")
            if split == "all" or split_of(question) == split:
                item = {"id": doc_id, "question": question, "expected_sources": [doc_id]}
                dataset.write(json.dumps(item, ensure_ascii=False) + "\n")
    return corpus_path, dataset_path
