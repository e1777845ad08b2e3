"""Service errors as the agent console says them: plain Chinese, the service's own words in brackets."""

from __future__ import annotations

from assistant.handoff.assist_store import SuggestionNotFoundError
from assistant.handoff.errors import (
    AuthenticationError,
    HandoffError,
    IllegalTransitionError,
    InvalidValueError,
    PermissionDeniedError,
    TextTooLongError,
    TicketAlreadyClaimedError,
    TicketClosedError,
    TicketConflictError,
    TicketNotFoundError,
)

UNAVAILABLE_TEXT = "系统暂时不可用，请稍后重试。"


def describe(error: HandoffError) -> str:
    """What went wrong, for the status line and the warning toast (never a stack trace)."""
    if isinstance(error, TicketAlreadyClaimedError):
        text = f"该工单已被 {error.assignee or '其他工作人员'} 受理，请选择其他工单。"
    elif isinstance(error, TicketClosedError):
        text = "该工单已办结；如需继续办理，请先“重新打开”。"
    elif isinstance(error, IllegalTransitionError):
        text = f"工单当前为“{error.from_status}”，不能“{error.action}”。"
    elif isinstance(error, TicketConflictError):
        text = "操作未完成：工单刚被更新，请刷新后重试。"
    elif isinstance(error, TicketNotFoundError | SuggestionNotFoundError):
        text = "找不到该工单或建议，请刷新队列。"
    elif isinstance(error, TextTooLongError):
        text = f"内容过长：{error.length} 字，上限 {error.limit} 字。"
    elif isinstance(error, AuthenticationError):
        text = "登录已失效，请重新登录。"
    elif isinstance(error, PermissionDeniedError):
        text = "您的账号没有此项权限。"
    elif isinstance(error, InvalidValueError):
        text = "输入有误，请检查后重试。"
    else:
        text = "操作未完成。"
    return f"{text}（{error}）"
