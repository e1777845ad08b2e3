"""The ``govassist`` command."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.settings import PROJECT_ROOT, Settings

app = typer.Typer(
    help="政务服务智能助手：导入知识、检索、问答、服务、评测 / "
    "GovAssist: ingest, search, ask, serve, evaluate.",
    no_args_is_help=True,
)
knowledge_app = typer.Typer(help="维护内置知识 / Maintain the bundled knowledge.", no_args_is_help=True)
app.add_typer(knowledge_app, name="knowledge")
staff_app = typer.Typer(help="工作人员账号 / Staff accounts of the agent workspace.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


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
    """导入文档 / Index documents (.txt .md .html .docx .pdf, .jsonl corpora); only changes are redone."""
    from assistant.index.knowledge_index import KnowledgeIndex
    from assistant.index.knowledge_uploads import materialise_shared_uploads
    from ingest.pipeline import ingest_paths

    settings = Settings()
    index = KnowledgeIndex(settings)
    materialise_shared_uploads(settings)  # other machines' dashboard uploads, before pruning
    report = ingest_paths(
        index,
        paths or settings.default_ingest_paths,
        project_root=PROJECT_ROOT,
        progress=_progress("ingest"),
        prune_under=None if paths else settings.knowledge_dir,
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
    """检索并显示片段 / Print the ranked passages for a question, with title, section, snippet and scores."""
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
    dataset: Annotated[
        Path | None, typer.Option(help="JSONL questions (DESIGN.md §4 format): the single-dataset mode.")
    ] = None,
    corpus: Annotated[Path | None, typer.Option(help="JSONL corpus to index in a temporary store.")] = None,
    report: Annotated[Path, typer.Option(help="Folder for metrics.json and report.md.")] = Path(
        "reports/latest"
    ),
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Score retrieval only.")] = False,
    k: Annotated[int, typer.Option(help="Depth of retrieval scored.")] = 5,
    suite: Annotated[
        list[str] | None,
        typer.Option(
            help="Workbench suite: qa, retrieval, behaviour, guide, routing, msgabench, prereview or all."
        ),
    ] = None,
    config: Annotated[
        list[Path] | None, typer.Option(help="YAML settings override; repeat to compare configurations.")
    ] = None,
    run_dir: Annotated[Path, typer.Option(help="Workbench run folder (resumed when it exists).")] = Path(
        "reports/eval"
    ),
    gate: Annotated[Path | None, typer.Option(help="Baseline JSON: exit 1 when a metric regresses.")] = None,
    smoke: Annotated[bool, typer.Option("--smoke", help="The small smoke subset of every suite.")] = False,
    limit: Annotated[int | None, typer.Option(help="At most this many items a suite.", min=1)] = None,
) -> None:
    """评测 / Without --dataset: the evaluation workbench (suites × configurations, resumable, reports
    with charts, regression gate; see evals/README.md). With --dataset: score retrieval (hybrid vs.
    dense-only and BM25-only) and, unless --retrieval-only, the answers of the full chat path."""
    if dataset is None:
        from evals.workbench.cli import run_eval

        raise typer.Exit(run_eval(suite or [], config or [], run_dir, gate=gate, smoke=smoke, limit=limit))
    if not dataset.exists():
        raise typer.BadParameter(f"{dataset} does not exist", param_hint="--dataset")
    from evals.answer_eval import run_answer_eval
    from evals.retrieval_eval import run_retrieval_eval

    settings = Settings()
    metrics = run_retrieval_eval(settings, dataset, corpus=corpus, report_dir=report, k=k)
    if not retrieval_only:
        if corpus is not None:
            typer.secho(
                "Answers are scored over the bundled knowledge only; --corpus scores retrieval.", err=True
            )
        else:
            metrics = run_answer_eval(settings, dataset, report_dir=report, retrieval_metrics=metrics)
    typer.echo((report / "report.md").read_text(encoding="utf-8"))
    typer.echo(f"metrics: {report / 'metrics.json'}  (n = {metrics['n']})")


@app.command("eval-guides")
def evaluate_guides(
    report: Annotated[Path, typer.Option(help="Folder for metrics.json and report.md.")] = Path(
        "reports/guides"
    ),
) -> None:
    """评测智能导办 / Score item matching, false triggers and the scripted guided dialogues."""
    from evals.guide_eval import run_guide_eval

    run_guide_eval(Settings(), report)
    typer.echo((report / "report.md").read_text(encoding="utf-8"))
    typer.echo(f"metrics: {report / 'metrics.json'}")


@app.command("eval-prereview")
def evaluate_prereview(
    cases: Annotated[Path, typer.Option(help="Folder of a generated case set (made when empty).")] = Path(
        "reports/prereview_samples"
    ),
    n: Annotated[int, typer.Option(help="Cases to generate when the folder is empty.")] = 220,
    report: Annotated[Path, typer.Option(help="Folder for metrics.json.")] = Path("reports/prereview"),
) -> None:
    """评测智能预审 / Score the pre-review on generated materials (real OCR): types, defects, times."""
    from evals.prereview_eval import run_prereview_eval

    metrics = run_prereview_eval(Settings(), cases, report, n)
    summary = {k: v for k, v in metrics.items() if k != "items"}
    typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))


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
    """MSGABench 检索评测 / Retrieval benchmark on MSGABench (its answers as corpus, questions as queries)."""
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
    """由原文重建政策文本 / Regenerate knowledge/policies/*.txt from the raw originals with the cleaners."""
    from ingest.policies import build_policy_texts

    settings = Settings()
    differing = build_policy_texts(settings.knowledge_dir / "policies", write=not check)
    for name in differing:
        typer.echo(f"{'differs' if check else 'rebuilt'}: {name}")
    if check and differing:
        raise typer.Exit(code=1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="问题 / the question, e.g. 电子证照能全国通用吗")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print the reply as JSON.")] = False,
) -> None:
    """提问并显示带出处的回答 / Ask one question and print the cited answer (or refusal)."""
    from assistant.chat import MessageError
    from assistant.container import build_services

    services = build_services(Settings(), ensure_index=True)
    try:
        reply = services.chat.reply(question)
    except MessageError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from error
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.secho(f"[{reply.outcome}{' · ' + reply.reason if reply.reason else ''}]", fg=typer.colors.CYAN)
    typer.echo(reply.answer)
    for c in reply.citations:
        typer.echo(f"\n[{c['index']}] 《{c['title']}》 {c['section']}")
        typer.echo(f"    {c['snippet'][:200]}")
    if reply.handoff:
        typer.echo(f"\n工单 / ticket: {reply.handoff['ticket_id']} ({reply.handoff['reason']})")


@app.command()
def guide(
    request: Annotated[
        str | None, typer.Argument(help="您要办的事 / what you want to do, e.g. 孩子刚出生要办什么")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="最后输出清单 JSON / print the final checklist as JSON.")
    ] = False,
) -> None:
    """智能导办：问答式找到事项并生成材料清单 / Walk through a service in the terminal to its checklist."""
    from assistant.guide.service import GuideService
    from assistant.lexicon import load_lexicon
    from assistant.tokenization import ChineseTokenizer

    settings = Settings()
    service = GuideService(settings.guides_dir, ChineseTokenizer(load_lexicon(settings.lexicon_dir)))
    text = request or typer.prompt("您想办理什么事项？")
    turn = service.start(text)
    while True:
        if turn.kind == "not_a_guide" or (turn.kind == "left" and not turn.text):
            typer.echo("没有找到对应的办事事项。可以换个说法，或用 `govassist ask` 提问；也可拨打12345。")
            raise typer.Exit(code=1)
        if turn.kind == "checklist" and turn.checklist is not None:
            checklist = turn.checklist.to_dict()
            typer.echo(json.dumps(checklist, ensure_ascii=False, indent=2) if as_json else turn.text)
            return
        typer.echo(turn.text)
        if turn.state is None:
            return
        for number, option in enumerate(turn.options, start=1):
            if f"{number}. {option}" not in turn.text:  # navigation entries the text does not list
                typer.secho(f"{number}. {option}", fg=typer.colors.CYAN)
        answer = typer.prompt("请输入（序号或文字）").strip()
        if answer.isdigit() and 1 <= int(answer) <= len(turn.options):
            answer = turn.options[int(answer) - 1]
        turn = service.reply(turn.state, answer)


def serving_processes(requested: int | None, configured: int, *, ui: bool) -> int:
    """Server processes: ``requested`` (``--workers``), else the configured number; one with the web
    pages mounted. A page event is two requests that must reach the process holding the page's Gradio
    session, and uvicorn's workers share one socket without affinity (docs/production.md), so pages
    served by several workers lose events. An explicit ``--workers N`` with the pages is refused."""
    if not ui:
        return requested or configured
    if requested is not None and requested > 1:
        raise typer.BadParameter(
            f"--workers {requested} 需要 --no-ui：网页（Gradio）的会话保存在提供该页面的进程中。"
            f" / --workers {requested} needs --no-ui: the web pages keep each visitor's session in the "
            "process that served the page, so they run in one process; serve the API with several workers "
            "by --no-ui, and the pages from one-process servers behind a balancer with session affinity "
            "(docs/production.md).",
            param_hint="--workers",
        )
    if configured > 1:
        logging.getLogger(__name__).info(
            "web pages mounted: one server process (GOVASSIST_WORKERS=%d applies with --no-ui)", configured
        )
    return 1


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="监听地址 / host (default from settings: 127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="端口 / port (default from settings: 8000)")] = None,
    no_ui: Annotated[bool, typer.Option("--no-ui", help="不挂载网页 / API only, no web chat.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            help="进程数 / server processes: API only (--no-ui) defaults to settings (2); with the web "
            "pages, one (Gradio keeps each page's state in the process that served it)."
        ),
    ] = None,
) -> None:
    """启动 API 与网页聊天 / Serve the API and web chat, bringing the index up to date first."""
    import logging
    import time

    import uvicorn

    from assistant.api.app import create_app
    from assistant.container import build_services

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    settings = Settings()
    host, port = host or settings.host, port or settings.port
    processes = serving_processes(workers, settings.workers, ui=not no_ui)
    if no_ui:
        os.environ["GOVASSIST_SERVE_UI"] = "false"  # read by the worker processes' settings
    os.environ["GOVASSIST_WORKERS"] = str(processes)  # so each process knows how many share the cores
    settings = settings.model_copy(update={"serve_ui": not no_ui, "workers": processes})
    if processes > 1:
        build_services(settings, ensure_index=True).close()  # ingest once, before the workers start
        typer.echo(
            f"index ready in {time.perf_counter() - started:.1f} s; starting {processes} workers", err=True
        )
        typer.echo(f"serving http://{host}:{port}/  (API docs at /docs)", err=True)
        uvicorn.run(
            "assistant.api.app:app_factory",
            factory=True,
            host=host,
            port=port,
            workers=processes,
            timeout_worker_healthcheck=settings.worker_healthcheck_seconds,
        )
        return
    application = create_app(settings, mount_ui=not no_ui, ensure_index=True)
    seconds = application.state.services.warm_up()
    typer.echo(
        f"ready in {time.perf_counter() - started:.1f} s (warm-up {seconds:.1f} s): "
        f"http://{host}:{port}/  (API docs at /docs)",
        err=True,
    )
    uvicorn.run(application, host=host, port=port, log_level="info")


@staff_app.command("add")
def staff_add(
    username: Annotated[str, typer.Argument(help="登录名 / username")],
    role: Annotated[str, typer.Option(help="agent / supervisor / admin")] = "agent",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="从标准输入读取密码 / read the password from stdin")
    ] = False,
    display_name: Annotated[str, typer.Option(help="显示名 / display name")] = "",
    department: Annotated[str, typer.Option(help="所属部门 / department")] = "",
) -> None:
    """添加工作人员 / Add a staff user (the password is asked for unless --password-stdin)."""
    from assistant.handoff.auth import create_staff_user
    from assistant.handoff.errors import HandoffError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("密码 / password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_staff_user(
            Settings(), username, password, role, display_name=display_name, department=department
        )
    except HandoffError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from error
    typer.echo(f"added {user.role.value} {user.username} ({user.display_name})")


@app.command()
def analytics(
    since: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD (Beijing time).")] = None,
    until: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (inclusive).")] = None,
    csv_dir: Annotated[Path | None, typer.Option("--csv", help="Also write every table as CSV here.")] = None,
    limit: Annotated[int, typer.Option(help="Rows per table in the report.")] = 10,
) -> None:
    """好差评与堵点分析 / Analytics report: unanswered topics, 差评 answers, handoffs, SLA, trends."""
    from assistant.analytics.cli_report import analytics_command

    raise typer.Exit(analytics_command(Settings(), since, until, csv_dir, limit=limit))


@app.command("publish-report")
def publish_report(
    folders: Annotated[list[Path], typer.Argument(help="Report folders, e.g. reports/policy_qa.")],
) -> None:
    """共享评测报告 / Share report folders through the database, for every machine's dashboard."""
    from assistant.analytics.cli_publish import publish_command

    raise typer.Exit(publish_command(Settings(), folders))


@app.command("unpublish-report")
def unpublish_report(
    names: Annotated[list[str], typer.Argument(help="Shared report names, e.g. policy_qa.")],
) -> None:
    """撤回共享报告 / Withdraw shared reports from every dashboard (the maker's own folder stays)."""
    from assistant.analytics.cli_publish import unpublish_command

    raise typer.Exit(unpublish_command(Settings(), names))


@app.command("eval-routing")
def evaluate_routing(
    report: Annotated[Path, typer.Option(help="Folder for metrics.json and report.md.")] = Path(
        "reports/routing"
    ),
) -> None:
    """评测派单模型 / Score the shipped routing model on held-out MSGABench (skipped without ../shared)."""
    from evals.routing_eval import main as run

    raise typer.Exit(run(["--report", str(report)]))


@knowledge_app.command("build-routing")
def build_routing(
    report: Annotated[Path, typer.Option(help="Folder for the training report.")] = Path("reports/routing"),
) -> None:
    """训练派单模型 / Retrain knowledge/routing/ from ../shared/external-data/MSGABench."""
    from evals.routing_train import main as run

    raise typer.Exit(run(["--report", str(report)]))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
