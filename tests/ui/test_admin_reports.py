"""The dashboard's view of a workbench run: one headline per suite and the charts of report.html."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

from PIL import Image

from ui.admin_reports import find_reports, headline_chart, headlines, pick_report, report_charts

WORKBENCH = {
    "configs": {
        "offline": {
            "suites": {
                "retrieval": {"metrics": {"n": 228.0, "source_at_1": 0.807, "source_at_5": 0.978}},
                "guide": {"metrics": {"n": 555.0, "top1": None, "false_trigger": 0.03, "top3": 0.979}},
                "msgabench": {"error": "ValueError: broken"},
            }
        },
        "other": {"suites": {"retrieval": {"metrics": {"source_at_1": 0.5}}}},
    },
    "directions": {
        "retrieval": {"source_at_1": "higher", "source_at_5": "higher"},
        "guide": {"top1": "higher", "false_trigger": "lower", "top3": "higher"},
        "msgabench": {"source_at_1": "higher"},
    },
}


def _png(color: str) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 4), color).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_a_workbench_run_shows_one_headline_per_suite_and_its_charts(tmp_path: Path) -> None:
    folder = tmp_path / "eval"
    folder.mkdir()
    (folder / "metrics.json").write_text(json.dumps(WORKBENCH), encoding="utf-8")
    (folder / "report.md").write_text("# Evaluation workbench report\n", encoding="utf-8")
    (folder / "report.html").write_text(
        f'<h2>scores</h2><img alt="retrieval scores" src="data:image/png;base64,{_png("red")}">'
        '<img alt="broken" src="data:image/png;base64,bm90IGEgcG5n">'
        f'<img alt="latency &amp; more" src="data:image/png;base64,{_png("blue")}">',
        encoding="utf-8",
    )
    (report,) = find_reports(tmp_path)
    assert report.title == "评测工作台"
    # the reference configuration; guide's top1 has no value, so its next higher-is-better score
    assert headlines(report.metrics) == [("retrieval.source_at_1", 0.807), ("guide.top3", 0.979)]
    assert set(headline_chart([report])["数值"]) == {0.807, 0.979}
    charts = report_charts(pick_report([report], None))
    assert [caption for _, caption in charts] == ["retrieval scores", "latency & more"]  # broken one left out
    assert charts[0][0].size == (8, 4) and charts[1][0].getpixel((0, 0)) == (0, 0, 255)


def test_reports_without_charts_give_none(tmp_path: Path) -> None:
    folder = tmp_path / "routing"
    folder.mkdir()
    (folder / "metrics.json").write_text(json.dumps({"accuracy": 0.9}), encoding="utf-8")
    (report,) = find_reports(tmp_path)
    assert report_charts(report) == [] and report_charts(None) == []
    assert headlines(report.metrics) == [("accuracy", 0.9)]
