"""The bundled policies are exactly what the cleaners make of the raw originals, with complete metadata."""

from __future__ import annotations

import yaml

from ingest.policies import build_policy_texts, cleaned_policy_text, policy_sidecars
from tests.conftest import POLICIES_DIR


def test_cleaned_policies_are_reproducible_from_raw() -> None:
    assert build_policy_texts(POLICIES_DIR, write=False) == []


def test_every_policy_has_metadata_and_a_raw_original() -> None:
    sidecars = policy_sidecars(POLICIES_DIR)
    assert len(sidecars) == 5
    for sidecar in sidecars:
        meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
        assert {"doc_id", "title", "raw", "kind", "language", "source_note"} <= set(meta)
        assert sidecar.name == f"{meta['doc_id']}.meta.yaml"
        assert (POLICIES_DIR / meta["raw"]).is_file()
        assert cleaned_policy_text(sidecar).strip()


def test_the_cleaned_texts_lost_their_artifacts() -> None:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in POLICIES_DIR.glob("*.txt")}
    assert "扫一扫在手机打开当前页" not in texts["gbf-2023-29"] and "ICP备" not in texts["gbf-2023-29"]
    assert "[bookmark" not in texts["gbf-2023-29-jiedu"]
    assert "ㄗ" not in texts["gf-2024-3"] and "各省(自治區" in texts["gf-2024-3"]
    assert "國務院" in texts["gf-2024-3"]  # the original script is kept for display
    assert "English text" in texts["gbf-2023-29-zh-en"] and " bottlenecks " in texts["gbf-2023-29-zh-en"]
