"""``report.html``: one self-contained page (charts as base64 PNG, no external assets)."""

from __future__ import annotations

import base64
import html
import re
from typing import Any

from evals.workbench import charts
from evals.workbench.report_md import render_markdown

_STYLE = """body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}th{background:#f3f3f3}
img{max-width:100%;margin:.5em 0}
details{margin:.3em 0}.ev{color:#555;font-size:12px}code{background:#f5f5f5;padding:0 3px}"""


def _img(png: bytes | None, alt: str) -> str:
    if png is None:
        return ""
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _markdown_tables(markdown: str) -> str:
    """A small Markdown → HTML for what report.md contains: headings, tables, lists, code blocks."""
    out: list[str] = []
    table: list[list[str]] = []
    in_code = False

    def inline(text: str) -> str:
        text = html.escape(text)
        text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
        return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)

    def flush() -> None:
        if table:
            head, body = table[0], [r for r in table[1:] if not all(set(c) <= {"-", ""} for c in r)]
            out.append("<table><tr>" + "".join(f"<th>{inline(c)}</th>" for c in head) + "</tr>")
            out.extend("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in body)
            out.append("</table>")
            table.clear()

    for line in markdown.splitlines():
        if line.startswith("```"):
            flush()
            out.append("</pre>" if in_code else "<pre>")
            in_code = not in_code
        elif in_code:
            out.append(html.escape(line))
        elif line.startswith("|"):
            table.append([c.strip() for c in line.strip().strip("|").split("|")])
        else:
            flush()
            heading = re.match(r"(#+) (.*)", line)
            if heading:
                level = len(heading.group(1))
                out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            elif line.startswith("- "):
                out.append(f"<div>• {inline(line[2:])}</div>")
            elif line.strip():
                out.append(f"<p>{inline(line)}</p>")
    flush()
    return "\n".join(out)


def _evidence_li(e: dict[str, Any]) -> str:
    title, doc_id = html.escape(str(e.get("title", ""))), html.escape(str(e.get("doc_id", "")))
    snippet = html.escape(str(e.get("snippet", "")))
    return f"<li><b>{title}</b> <code>{doc_id}</code><div class=ev>{snippet}</div></li>"


def _worst_html(metrics: dict[str, Any]) -> str:
    parts = ["<h2>Worst items with their retrieved evidence</h2>"]
    for config, entry in metrics["configs"].items():
        for suite, result in entry["suites"].items():
            for r in result.get("worst", []):
                scores = r.get("error") or ", ".join(f"{k} {v:.2f}" for k, v in r["scores"].items())
                evidence = "".join(_evidence_li(e) for e in r.get("evidence", []))
                detail = html.escape(str(r.get("detail", ""))[:800])
                title = f"{config} / {suite} {r['id']} {r.get('question', '')[:100]} — {scores}"
                parts.append(
                    f"<details><summary>{html.escape(title)}</summary><div class=ev>{detail}</div>"
                    f"<ol>{evidence or '<li>no evidence retrieved</li>'}</ol></details>"
                )
    return "\n".join(parts)


def render_html(
    metrics: dict[str, Any],
    results: dict[str, dict[str, list[dict[str, Any]]]],
    gate_lines: list[str] | None = None,
) -> str:
    """The whole page: the Markdown report's content, the charts and the worst items expanded."""
    figures = ["<h2>Charts</h2>"]
    for suite, d in metrics["datasets"].items():
        if "unavailable" not in d:
            figures.append(_img(charts.suite_scores(metrics, suite), f"{suite} scores"))
    for key, suites in metrics["comparisons"].items():
        figures.append(_img(charts.comparison(key, suites), key))
    figures.append(_img(charts.latencies(results), "latency distributions"))
    body = _markdown_tables(render_markdown(metrics, gate_lines))
    return (
        "<!doctype html><html lang=zh><head><meta charset=utf-8><title>Evaluation workbench report</title>"
        f"<style>{_STYLE}</style></head><body>{body}\n{''.join(figures)}\n{_worst_html(metrics)}</body></html>\n"
    )
