"""Service guides as retrievable documents: rendering, YAML catalogue loading, directory walks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.guide.loader import load_guide_file
from assistant.guide.models import ServiceGuide
from assistant.settings import PROJECT_ROOT
from ingest.chunker import ChunkingOptions, chunk_document
from ingest.guides import guide_document, guide_text
from ingest.loaders import iter_files, load_path
from ingest.models import LoadError

GUIDES = PROJECT_ROOT / "knowledge" / "guides"


def newborn() -> ServiceGuide:
    guides, errors = load_guide_file(GUIDES / "yijianshi" / "newborn.yaml")
    assert not errors
    return guides[0]


def test_guide_text_holds_every_part_of_the_guide() -> None:
    text = guide_text(newborn())
    assert text.startswith("新生儿出生\n")
    for part in (
        "【包含事项】",
        "【受理条件】",
        "【需要确认的情形】",
        "【申请材料】",
        "【办理渠道】",
        "【设定依据】",
    ):
        assert part in text
    assert "可用电子证照" in text and "户口登记" in text
    assert "以当地" in text  # the local-rules note


def test_a_guide_is_one_document_of_few_chunks() -> None:
    document = guide_document(newborn(), "knowledge/guides/yijianshi/newborn.yaml")
    assert document.doc_id == "yjs-newborn" and document.title == "新生儿出生"
    assert document.metadata["kind"] == "service_guide" and document.metadata["as_of"]
    assert 1 <= len(chunk_document(document, ChunkingOptions())) <= 6


def test_a_catalogue_yaml_loads_as_documents(tmp_path: Path) -> None:
    good = yaml.safe_load((GUIDES / "yijianshi" / "retirement.yaml").read_text(encoding="utf-8"))
    (tmp_path / "two.yaml").write_text(
        yaml.safe_dump([good, {"id": "broken", "name": "坏"}], allow_unicode=True), encoding="utf-8"
    )
    documents = load_path(tmp_path / "two.yaml", root=tmp_path)
    assert [d.doc_id for d in documents] == ["yjs-retirement"]
    assert any("broken" in w for w in documents[0].warnings)


def test_a_yaml_without_any_valid_guide_is_a_load_error(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("- {id: x}\n", encoding="utf-8")
    with pytest.raises(LoadError, match="no valid service guide"):
        load_path(tmp_path / "bad.yaml")


def test_directory_walks_skip_notices_and_sidecars(tmp_path: Path) -> None:
    for name in ("NOTICE.md", "LICENSE.txt", "README.md", "a.meta.yaml", "guides.yaml"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in iter_files([tmp_path])] == ["guides.yaml"]
