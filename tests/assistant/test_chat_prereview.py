"""Recognising a request to pre-review materials in the chat, and the upload invitation's wording."""

from __future__ import annotations

import pytest

from assistant.chat_prereview import asks_for_prereview, invitation
from assistant.settings import Settings


@pytest.mark.parametrize("text", ["上传材料预审", "帮我看看材料", "我想上传照片", "檢查一下我的材料"])
def test_requests_to_check_materials_are_recognised(text: str) -> None:
    assert asks_for_prereview(text)


@pytest.mark.parametrize("text", ["什么是智能预审？", "预审有什么用", "新生儿出生要什么材料", "你好"])
def test_questions_and_other_messages_are_not_requests(text: str) -> None:
    assert not asks_for_prereview(text)


def test_the_invitation_states_the_configured_limits_and_retention(settings: Settings) -> None:
    custom = settings.model_copy(update={"prereview_max_file_mb": 5, "prereview_retention_hours": 2})
    text = invitation("新生儿出生", custom)
    assert "【新生儿出生】" in text and "5 MB" in text and "2小时" in text and "仅供参考" in text
