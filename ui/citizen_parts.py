"""Small pure pieces of the citizen page: its fixed texts, option-button updates, the clicked example,
the checklist file for download, the question a “一件事” entry sends, the saved 简/繁 choice."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from ui.citizen_handlers import Turn, unchanged
from ui.citizen_render import (
    SCRIPTS,
    SIMPLIFIED,
    checklist_document,
    checklist_filename,
    display_history,
    format_checklist,
    to_script,
)
from ui.citizen_script import pairs_json
from ui.file_cache import page_file_folder

TITLE = "政务服务智能助手"
INTRO = "有问题直接问我，或点下面的常见问题、“一件事”。回答都注明政策出处；需要时可以点“转人工”。"
PRIVACY_NOTICE = (
    "🔒 请不要输入身份证号、手机号、银行卡号等个人敏感信息；对话中的个人号码在保存前会被自动遮盖。"
)
UPLOAD_NOTICE = (
    "🔒 **上传前请阅读**：材料仅用于本次预审，系统会在规定时间后自动删除；预审结果仅供参考，"
    "以窗口正式审核为准。请只上传与本次办理有关的材料（JPEG、PNG、PDF、DOCX）。"
)
CONSENT_LABEL = "我已阅读并同意上述说明"
"""Uploading is enabled only once this is ticked (and the server checks it again)."""
OPTION_SLOTS = 12
"""Buttons for a guided question's options; more options than this can still be typed (their number)."""
CHECKLIST_DIR: Path | None = None
"""Where checklists are written for download; None: the pages' file cache (swept with the uploads)."""


def pick(index: int | None, choices: Sequence[str] | None) -> str:
    """The choice clicked in a Dataset of ``type="index"`` (empty if the index is stale)."""
    if index is None or not choices or not 0 <= index < len(choices):
        return ""
    return choices[index]


def option_updates(options: Any) -> list[Any]:
    """One update per option button: the first ``len(options)`` shown with their text, the rest hidden."""
    if unchanged(options):
        return [gr.update() for _ in range(OPTION_SLOTS)]
    shown = list(options)[:OPTION_SLOTS]
    return [
        gr.update(value=shown[i], visible=True) if i < len(shown) else gr.update(visible=False)
        for i in range(OPTION_SLOTS)
    ]


def save_checklist(checklist: dict[str, Any], session_id: str | None) -> str:
    """Write the checklist's Markdown for download; returns its path (one file per session and item)."""
    folder = (CHECKLIST_DIR or page_file_folder("checklists")) / (session_id or "anonymous")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / checklist_filename(checklist)
    path.write_text(checklist_document(checklist), encoding="utf-8")
    return str(path)


def entry_question(name: str) -> str:
    """What clicking a “一件事” entry sends: names the item and asks for its materials (starts 导办)."""
    return f"办理{name}一件事需要什么材料"


def restore_script(saved: str | None) -> str:
    """The script saved in the browser, or 简体."""
    return saved if saved in SCRIPTS else SIMPLIFIED


def turn_outputs(turn: Turn, chosen: str) -> tuple[Any, ...]:
    """A ``Turn`` as the page's chat outputs: stored and shown conversation (in ``chosen`` script),
    session, input box, notice, the option buttons, the checklist state, view, panel and file, then the
    options' texts in both scripts (for the page's 简/繁 display, see ``ui.citizen_script``)."""
    if isinstance(turn.checklist, dict) and not unchanged(turn.checklist):
        sheet: tuple[Any, ...] = (
            turn.checklist,
            to_script(format_checklist(turn.checklist), chosen),
            gr.update(visible=True),
            save_checklist(turn.checklist, turn.session_id),
        )
    else:
        sheet = (gr.update(), gr.update(), gr.update(), gr.update())
    pairs = gr.update() if unchanged(turn.options) else pairs_json(turn.options)
    return (
        turn.history,
        display_history(turn.history, chosen),
        turn.session_id,
        turn.message,
        to_script(turn.notice, chosen),
        *option_updates(turn.options),
        *sheet,
        pairs,
    )
