"""The ``govassist`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.settings import PROJECT_ROOT, Settings

app = typer.Typer(
    help="政务服务智能助手 — ingest knowledge, search it, evaluate retrieval.", no_args_is_help=True
)
knowledge_app = typer.Typer(help="Maintain the bundled knowledge.", no_args_is_help=True)
app.add_typer(knowledge_app, name="knowledge")


def _progress(desc: str) -> Any:
    from tqdm import tqdm

    def factory(total: int) -> Any:
        return tqdm(total=total, desc=desc, unit="file", file=sys.stderr, disable=None)

    return factory


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (default: bundled knowledge).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Index documents (.txt .md .html .docx .pdf, and .jsonl corpora): only what changed is redone."""
    from assistant.index.knowledge_index import KnowledgeIndex
    from ingest.pipeline import ingest_paths

    settings = Settings()
    index = KnowledgeIndex(settings)
    report = ingest_paths(
        index, paths or settings.default_ingest_paths, project_root=PROJECT_ROOT, progress=_progress("ingest")
    )
    stats = index.stats()
    if as_json:
        typer.echo(json.dumps({**report.__dict__, "index": stats}, ensure_ascii=False, indent=2))
    else:
        typer.echo(
            f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
            f"removed {len(report.removed)}, failed {len(report.failed)} — "
            f"{stats['documents']} documents, {stats['chunks']} chunks, "
            f"{stats['index_bytes'] / 1e6:.1f} MB in {settings.index_dir} ({report.seconds:.1f} s)"
        )
        for reason in report.failed.values():
            typer.secho(f"  skipped: {reason}", fg=typer.colors.YELLOW, err=True)
    if report.failed and not (report.added or report.updated or report.unchanged):
        raise typer.Exit(code=1)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    k: Annotated[int, typer.Option("-k", help="How many hits.", min=1, max=50)] = 5,
    doc: Annotated[str | None, typer.Option(help="Only this document id.")] = None,
    mode: Annotated[str, typer.Option(help="hybrid | sparse | dense")] = "hybrid",
) -> None:
    """Print the ranked passages for a question, with title, section, snippet and scores."""
    from assistant.index.knowledge_index import KnowledgeIndex
    from assistant.retrieval import HybridRetriever

    if not query.strip():
        raise typer.BadParameter("the query is empty")
    if mode not in ("hybrid", "sparse", "dense"):
        raise typer.BadParameter("mode must be hybrid, sparse or dense")
    settings = Settings()
    index = KnowledgeIndex(settings)
    if index.store.counts()["chunks"] == 0:
        typer.secho("The index is empty: run `govassist ingest` first.", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)
    retriever = HybridRetriever.from_settings(settings, index, mode=mode)
    hits = retriever.search(query, k=k, filters={"doc_id": doc} if doc else None)
    if not hits:
        typer.echo("No passage matches this question.")
    for rank, hit in enumerate(hits, start=1):
        c = hit.chunk
        snippet = c.text.replace("\n", " ")
        typer.secho(f"[{rank}] {c.title}  ({c.doc_id})", bold=True)
        typer.echo(f"    section: {c.section or '—'}")
        typer.echo(f"    score {hit.score:.4f}  sparse rank {hit.sparse_rank}  dense rank {hit.dense_rank}")
        typer.echo(f"    {snippet[:160]}{'…' if len(snippet) > 160 else ''}")


@app.command("eval")
def evaluate(
    dataset: Annotated[Path, typer.Option(help="JSONL questions (DESIGN.md §4 format).", exists=True)],
    corpus: Annotated[Path | None, typer.Option(help="JSONL corpus to index in a temporary store.")] = None,
    report: Annotated[Path, typer.Option(help="Folder for metrics.json and report.md.")] = Path(
        "reports/latest"
    ),
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Score retrieval only.")] = False,
    k: Annotated[int, typer.Option(help="Depth of retrieval scored.")] = 5,
) -> None:
    """Score the hybrid retriever and its baselines (dense-only, BM25-only) on a dataset, in one run."""
    from evals.retrieval_eval import run_retrieval_eval

    if not retrieval_only:
        typer.secho(
            "Answer scoring arrives with the answering service; scoring retrieval only.",
            fg=typer.colors.YELLOW,
            err=True,
        )
    metrics = run_retrieval_eval(Settings(), dataset, corpus=corpus, report_dir=report, k=k)
    typer.echo((report / "report.md").read_text(encoding="utf-8"))
    typer.echo(f"metrics: {report / 'metrics.json'}  (n = {metrics['n']})")


@app.command("eval-msgabench")
def evaluate_msgabench(
    source: Annotated[
        Path | None, typer.Option(help="MSGABench folder (default: shared/external-data).")
    ] = None,
    report: Annotated[Path, typer.Option(help="Folder for metrics.json and report.md.")] = Path(
        "reports/msgabench"
    ),
    split: Annotated[
        str, typer.Option(help="all | dev | test (a fixed hash split of the questions).")
    ] = "all",
) -> None:
    """Retrieval benchmark on MSGABench: its 2,080 answers as the corpus, its questions as queries."""
    from evals.msgabench import DEFAULT_SOURCE, convert
    from evals.retrieval_eval import run_retrieval_eval

    if split not in ("all", "dev", "test"):
        raise typer.BadParameter("split must be all, dev or test")
    try:
        corpus, dataset = convert(source or DEFAULT_SOURCE, report / "data", split)  # type: ignore[arg-type]
    except FileNotFoundError as error:
        typer.secho(f"skipped: {error}", fg=typer.colors.YELLOW, err=True)
        raise typer.Exit(code=0) from error
    run_retrieval_eval(Settings(), dataset, corpus=corpus, report_dir=report)
    typer.echo((report / "report.md").read_text(encoding="utf-8"))


@knowledge_app.command("build-policies")
def build_policies(
    check: Annotated[bool, typer.Option("--check", help="Only report files that differ.")] = False,
) -> None:
    """Regenerate knowledge/policies/*.txt from the raw originals with the cleaners."""
    from ingest.policies import build_policy_texts

    settings = Settings()
    differing = build_policy_texts(settings.knowledge_dir / "policies", write=not check)
    for name in differing:
        typer.echo(f"{'differs' if check else 'rebuilt'}: {name}")
    if check and differing:
        raise typer.Exit(code=1)


def main() -> None:
    app()
