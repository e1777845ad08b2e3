"""智能预审 inside the chat: the invitation after a checklist, and the session's item and 情形 answers.

After a guided flow has chosen an item (and usually produced its checklist), the citizen can upload
their materials with the session id instead of naming the service again: the pre-review takes the
item and 情形 answers from the session, and its report is added to the conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.guide.dialogue_state import GuideState
from assistant.sessions import SessionStore
from assistant.settings import Settings
from assistant.textnorm import normalize

UPLOAD_OPTION = "上传材料预审"
_ASKS_FOR_PREREVIEW = re.compile(r"预审|上传(材料|文件|照片|扫描件)|(检查|核对|看看)(一下)?(我的)?材料")
_ABOUT_PREREVIEW = re.compile(r"什么是|是什么|指什么|什么意思|有什么用|有哪些|政策|规定")
PRIVACY_NOTICE = (
    "材料仅用于本次预审，按设置保存{hours:g}小时后自动删除，您也可以随时删除；"
    "结果仅供参考，以窗口正式审核为准。"
)


class UnknownSession(LookupError):
    """No session has this id."""


class NoItemInSession(LookupError):
    """The session has not chosen a service item, so a pre-review needs the service named."""


@dataclass(frozen=True)
class PrereviewContext:
    """What a pre-review in this session checks against: the item and the 情形 answers given."""

    session_id: str
    guide_id: str
    answers: dict[str, str]


def asks_for_prereview(text: str) -> bool:
    """Whether the citizen asks to have their materials checked (“上传材料预审”, “帮我看看材料”);
    “什么是智能预审？” asks about the service and is answered as a question."""
    normalized = normalize(text)
    return bool(_ASKS_FOR_PREREVIEW.search(normalized)) and not _ABOUT_PREREVIEW.search(normalized)


def prereview_context(store: SessionStore, session_id: str) -> PrereviewContext:
    """The session's item and answers; ``UnknownSession`` or ``NoItemInSession`` otherwise."""
    session = store.get_session(session_id)
    if session is None:
        raise UnknownSession(session_id)
    state = GuideState.from_dict(session.guide_state) if session.guide_state else None
    if state is None or not state.guide_id:
        raise NoItemInSession(session_id)
    return PrereviewContext(session.id, state.guide_id, dict(state.answers))


def invitation(guide_name: str, settings: Settings) -> str:
    """How to upload, the limits and the privacy notice, for the item being pre-reviewed."""
    notice = PRIVACY_NOTICE.format(hours=settings.prereview_retention_hours)
    return (
        f"可以为【{guide_name}】预审材料：请点击“上传材料”，选择身份证、户口簿、证照、申请表等的照片、扫描件"
        f"或 PDF/Word 文件（JPEG、PNG、PDF、DOCX，每个不超过{settings.prereview_max_file_mb:g} MB，"
        f"一次最多{settings.prereview_max_files}个）。我会逐项告诉您哪些齐全、哪些缺少、哪些可能有误。{notice}"
    )


NO_ITEM_TEXT = (
    "请先告诉我您要办理的事项（例如“新生儿出生”“开办餐饮店”），我列出材料清单后就可以上传材料预审。"
)
