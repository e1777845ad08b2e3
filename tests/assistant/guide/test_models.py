"""The catalogue schema: a good guide validates; each kind of broken guide is rejected, naming the problem."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from assistant.guide.models import LOCAL_RULES_PREVAIL, ServiceGuide, holds


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        ServiceGuide.model_validate(data)
    return str(caught.value)


def test_good_guide_validates(guide_data):
    guide = ServiceGuide.model_validate(guide_data)
    assert guide.id == "test-bundle"
    assert [s.id for s in guide.situations] == ["q1", "q2", "q3"]
    second = guide.situation("q2")
    assert second is not None and second.ask_when == {"q1": ["y"]}
    assert guide.situation("nope") is None
    assert guide.local_rules_note == LOCAL_RULES_PREVAIL
    assert guide.as_of.isoformat() == "2024-10-01"


def test_holds():
    assert holds({}, {})
    assert holds({"q1": ["y"]}, {"q1": "y"})
    assert not holds({"q1": ["y"]}, {"q1": "n"})
    assert not holds({"q1": ["y"]}, {})  # unanswered: does not hold
    assert holds({"q1": ["y", "n"], "q3": ["m"]}, {"q1": "n", "q3": "m"})


def test_unknown_situation_in_when(guide_data):
    guide_data["materials"][2]["when"] = {"zz": ["x"]}
    assert "materials[extra].when: unknown situation 'zz'" in _error(guide_data)


def test_unknown_option_in_when(guide_data):
    guide_data["sub_items"][1]["when"] = {"q1": ["maybe"]}
    assert "sub_items[b].when: 'q1' has no option 'maybe'" in _error(guide_data)


def test_unknown_option_in_ask_when(guide_data):
    guide_data["situations"][1]["ask_when"] = {"q1": ["maybe"]}
    assert "situations[q2].ask.when: 'q1' has no option 'maybe'" in _error(guide_data)


def test_ask_when_referring_to_itself(guide_data):
    guide_data["situations"][2]["ask_when"] = {"q3": ["m"]}
    assert "situations[q3].ask_when refers to itself" in _error(guide_data)


def test_duplicate_material_ids(guide_data):
    guide_data["materials"][1]["id"] = "id_card"
    assert "materials: duplicate ids id_card" in _error(guide_data)


def test_duplicate_situation_and_option_ids(guide_data):
    guide_data["situations"][2]["id"] = "q1"
    assert "situations: duplicate ids q1" in _error(guide_data)
    guide_data["situations"][2]["id"] = "q3"
    guide_data["situations"][2]["options"][1]["id"] = "m"
    assert "duplicate option ids: m" in _error(guide_data)


def test_unknown_sub_item_in_for_items(guide_data):
    guide_data["materials"][0]["for_items"] = ["a", "c"]
    assert "materials[id_card].for_items: unknown sub-item 'c'" in _error(guide_data)


def test_bundle_needs_two_sub_items(guide_data):
    guide_data["sub_items"] = guide_data["sub_items"][:1]
    guide_data["materials"] = [m for m in guide_data["materials"] if "b" not in m.get("for_items", [])]
    assert "a bundle (一件事) needs at least two sub-items" in _error(guide_data)


def test_item_cannot_have_sub_items(guide_data):
    guide_data["kind"] = "item"
    assert "only a bundle (kind: bundle) has sub-items" in _error(guide_data)


def test_item_without_sub_items_is_fine(guide_data):
    guide_data["kind"] = "item"
    guide_data["sub_items"] = []
    for material in guide_data["materials"]:
        material.pop("for_items", None)
    assert ServiceGuide.model_validate(guide_data).kind == "item"


def test_extra_field_is_rejected(guide_data):
    guide_data["materials"][0]["colour"] = "red"
    message = _error(guide_data)
    assert "materials.0.colour" in message and "Extra inputs are not permitted" in message


@pytest.mark.parametrize("bad_id", ["", "-leading-dash", "有中文", "has space", "slash/id"])
def test_bad_id(guide_data, bad_id):
    guide_data["id"] = bad_id
    with pytest.raises(ValidationError) as caught:
        ServiceGuide.model_validate(guide_data)
    assert caught.value.errors()[0]["loc"] == ("id",)


def test_bad_form_copies_and_channel(guide_data):
    guide_data["materials"][0]["form"] = "photocopy"
    guide_data["materials"][1]["copies"] = -1
    guide_data["channels"][0]["kind"] = "fax"
    locations = {e["loc"] for e in _errors(guide_data)}
    assert {("materials", 0, "form"), ("materials", 1, "copies"), ("channels", 0, "kind")} <= locations


def test_situation_needs_two_options_and_source_is_required(guide_data):
    guide_data["situations"][2]["options"] = guide_data["situations"][2]["options"][:1]
    del guide_data["source"]
    locations = {e["loc"] for e in _errors(guide_data)}
    assert ("situations", 2, "options") in locations and ("source",) in locations


def _errors(data: dict[str, Any]) -> list[Any]:
    with pytest.raises(ValidationError) as caught:
        ServiceGuide.model_validate(data)
    return list(caught.value.errors())
