"""Rebuild the bundled policy texts (knowledge/policies/<doc_id>.txt) from their raw originals.

Each ``<doc_id>.meta.yaml`` names its original under ``raw:``; the cleaned text is exactly what
``clean_text`` makes of it, so the cleaning is reproducible and a test can check it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ingest.cleaners import clean_text


def policy_sidecars(folder: Path) -> list[Path]:
    """The metadata sidecars of the bundled policies that name a raw original."""
    return sorted(
        p for p in folder.glob("*.meta.yaml") if "raw" in (yaml.safe_load(p.read_text("utf-8")) or {})
    )


def cleaned_policy_text(sidecar: Path) -> str:
    """The cleaned text for one policy, from its raw original."""
    meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    raw = (sidecar.parent / meta["raw"]).read_text(encoding="utf-8")
    return clean_text(raw).text.rstrip("\n") + "\n"


def build_policy_texts(folder: Path, *, write: bool = True) -> list[str]:
    """Regenerate every cleaned policy text; return the names of files that were (or would be) changed."""
    changed: list[str] = []
    for sidecar in policy_sidecars(folder):
        target = sidecar.with_name(sidecar.name.removesuffix(".meta.yaml") + ".txt")
        text = cleaned_policy_text(sidecar)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            changed.append(target.name)
            if write:
                target.write_text(text, encoding="utf-8")
    return changed
