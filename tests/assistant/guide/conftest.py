"""Fixtures for the guide tests: the real sample catalogue (loaded once) and a small valid guide."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from assistant.guide.loader import CatalogueLoad, load_catalogue
from assistant.settings import PROJECT_ROOT

YIJIANSHI_DIR = PROJECT_ROOT / "knowledge" / "guides" / "yijianshi"
DIALOGUES = PROJECT_ROOT / "evals" / "datasets" / "guide_dialogues.jsonl"

_GUIDE: dict[str, Any] = {
    "id": "test-bundle",
    "name": "测试一件事",
    "kind": "bundle",
    "department": "牵头部门",
    "sub_items": [
        {"id": "a", "name": "事项甲", "department": "甲部门"},
        {"id": "b", "name": "事项乙", "department": "乙部门", "when": {"q1": ["y"]}},
    ],
    "situations": [
        {
            "id": "q1",
            "question": "问题一？",
            "options": [{"id": "y", "label": "是"}, {"id": "n", "label": "否"}],
        },
        {
            "id": "q2",
            "question": "问题二？",
            "ask_when": {"q1": ["y"]},
            "options": [{"id": "x1", "label": "选项一"}, {"id": "x2", "label": "选项二"}],
        },
        {
            "id": "q3",
            "question": "问题三？",
            "options": [{"id": "m", "label": "甲"}, {"id": "k", "label": "乙"}],
        },
    ],
    "materials": [
        {"id": "id_card", "name": "居民身份证", "copies": 1, "e_license": True, "for_items": ["a", "b"]},
        {"id": "form_a", "name": "申请表", "form": "form", "for_items": ["a"]},
        {
            "id": "extra",
            "name": "补充材料",
            "form": "copy",
            "copies": 2,
            "when": {"q2": ["x2"]},
            "deferrable": True,
        },
        {"id": "only_b", "name": "乙事项材料", "for_items": ["b"]},
    ],
    "channels": [{"kind": "online", "detail": "网上专区"}, {"kind": "window", "detail": "综合窗口"}],
    "steps": [{"title": "提交申请"}, {"title": "补充步骤", "when": {"q3": ["k"]}}],
    "source": {"name": "测试来源", "note": "示例"},
    "as_of": "2024-10-01",
    "sample": True,
}


@pytest.fixture
def guide_data() -> dict[str, Any]:
    """A fresh copy of a small valid bundle: three questions, q2 asked only when q1 is y."""
    return copy.deepcopy(_GUIDE)


@pytest.fixture(scope="session")
def catalogue() -> CatalogueLoad:
    return load_catalogue(YIJIANSHI_DIR)
