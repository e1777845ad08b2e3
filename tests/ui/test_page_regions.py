"""The names given to the staff pages' keyboard-reachable text boxes (``ui.page_regions``)."""

from __future__ import annotations

import json

from ui.admin import REGION_NAMES as ADMIN_REGIONS
from ui.agent_layout import REGION_NAMES as AGENT_REGIONS
from ui.page_regions import region_names_js


def test_the_script_carries_every_name_by_element_id() -> None:
    script = region_names_js({"ticket-transcript": "对话记录"})
    names = json.loads(script.split("const NAMES = ", 1)[1].split(";\n", 1)[0])
    assert names == {"ticket-transcript": "对话记录"}
    assert "setAttribute('role', 'region')" in script


def test_the_staff_pages_name_their_text_boxes_in_chinese() -> None:
    for names in (AGENT_REGIONS, ADMIN_REGIONS):
        assert names and all(name and all(not c.isascii() for c in name) for name in names.values())
    assert {"ticket-transcript", "ticket-suggestion", "ticket-header"} <= set(AGENT_REGIONS)
