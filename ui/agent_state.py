"""What the agent console keeps between events (queue filters, the accepted suggestion, a phone call's
suggestion) and the ``Step`` each handler returns to say what changes on the page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.handoff.records import Page, QueueFilter, Ticket
from assistant.handoff.staff import StaffUser
from ui.agent_render import TicketView

ALL = "全部"
SCOPES = (ALL, "我的", "未分配")
PAGE_SIZE = 50
EXPIRED_TEXT = "登录已失效，请重新登录。未发送的回复草稿已保留。"
LOGGED_OUT_TEXT = "已退出登录。"
REPLY_SENT_TEXT = "回复已发送，市民会在对话中看到。"


@dataclass(frozen=True)
class QueueQuery:
    """The queue filters as the page holds them (``全部`` or empty means no restriction)."""

    statuses: tuple[str, ...] = ()
    category: str = ALL
    department: str = ""
    scope: str = ALL
    sla_breached: bool = False
    page: int = 1

    def to_filter(self, user: StaffUser) -> QueueFilter:
        """The service's filter, as ``GET /api/agent/tickets`` builds it."""
        return QueueFilter(
            statuses=self.statuses,
            category=None if self.category in ("", ALL) else self.category,
            department=self.department.strip() or None,
            assignee=user.username if self.scope == "我的" else None,
            unassigned=self.scope == "未分配",
            sla_breached=True if self.sla_breached else None,
        )


@dataclass(frozen=True)
class Pending:
    """The suggestion the agent put into the reply box (empty id: none), to judge used / edited."""

    suggestion_id: str = ""
    text: str = ""


@dataclass(frozen=True)
class PhoneAssist:
    """A suggestion for a caller's question, and the key that makes 创建电话工单 happen once."""

    text: str
    suggestion: dict[str, Any]
    key: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass(frozen=True)
class Step:
    """What one event changes on the page; ``None`` leaves that part as it is."""

    view: Literal["login", "console"] | None = None
    notice: str | None = None
    error: bool = False
    login_notice: str | None = None
    token: str | None = None  # "" forgets the token
    user: StaffUser | None = None
    queue: Page[Ticket] | None = None
    ticket: TicketView | None = None
    suggestions: list[dict[str, Any]] | None = None
    pending: Pending | None = None
    draft: str | None = None
    clear_inputs: bool = False  # the note and 办理说明 boxes
    phone: PhoneAssist | None = None
