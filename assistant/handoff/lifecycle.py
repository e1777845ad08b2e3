"""Ticket vocabulary and the 接诉即办 lifecycle: which action moves a ticket from which status to which.

::

    待受理 ─受理→ 已受理 ─办理→ 办理中 ─反馈→ 已反馈 ─办结→ 已办结
       └──────转办──────┴─→ 已转办 ─办理→ 办理中       (转办 also from 办理中 and 已转办)
    已反馈 / 已办结 ─回访→ (unchanged)      已反馈 / 已办结 ─重新打开→ 办理中

Replies and notes are not transitions; a reply is refused once the ticket is 已办结.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum, StrEnum
from typing import TypeVar

from assistant.handoff.errors import IllegalTransitionError, InvalidValueError, TicketClosedError

EnumT = TypeVar("EnumT", bound=Enum)


class TicketStatus(StrEnum):
    PENDING = "待受理"
    ACCEPTED = "已受理"
    TRANSFERRED = "已转办"
    IN_PROGRESS = "办理中"
    RESPONDED = "已反馈"
    CLOSED = "已办结"


class Category(StrEnum):
    CONSULTATION = "咨询"
    HELP = "求助"
    COMPLAINT = "投诉"
    SUGGESTION = "建议"


class Priority(IntEnum):
    """Lower sorts first in the queue; ``key`` names it in settings and the API."""

    URGENT = 1
    HIGH = 2
    NORMAL = 3
    LOW = 4

    @property
    def key(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: Priority | int | str) -> Priority:
        """A priority from its number, its key (``"urgent"``) or itself."""
        if isinstance(value, str) and not value.isdigit():
            try:
                return cls[value.upper()]
            except KeyError:
                raise InvalidValueError(f"unknown priority {value!r}; use one of {_PRIORITY_KEYS}") from None
        try:
            return cls(int(value))
        except ValueError:
            raise InvalidValueError(f"unknown priority {value!r}; use one of {_PRIORITY_KEYS}") from None


_PRIORITY_KEYS = ", ".join(p.name.lower() for p in Priority)


class TicketSource(StrEnum):
    CHAT = "chat"  # the assistant handed the conversation off
    BUTTON = "button"  # the citizen pressed 转人工
    PHONE = "phone"  # an agent recorded a hotline call


class Satisfaction(StrEnum):
    """The citizen's verdict recorded by 回访."""

    SATISFIED = "满意"
    MOSTLY_SATISFIED = "基本满意"
    UNSATISFIED = "不满意"


class MessageKind(StrEnum):
    REPLY = "reply"  # the citizen sees it in their chat session
    NOTE = "note"  # internal, staff only
    CITIZEN = "citizen"  # the citizen wrote in their chat session while the ticket was open


class Action(StrEnum):
    """What an audit event records; the first seven are lifecycle actions."""

    CLAIM = "受理"
    TRANSFER = "转办"
    START = "办理"
    RESPOND = "反馈"
    CLOSE = "办结"
    REVISIT = "回访"
    REOPEN = "重新打开"
    CREATE = "创建"
    REPLY = "回复"
    NOTE = "备注"
    CITIZEN_MESSAGE = "市民留言"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[TicketStatus]
    target: TicketStatus | None  # None: the status does not change


S = TicketStatus
TRANSITIONS: dict[Action, Transition] = {
    Action.CLAIM: Transition(frozenset({S.PENDING}), S.ACCEPTED),
    Action.TRANSFER: Transition(
        frozenset({S.PENDING, S.ACCEPTED, S.TRANSFERRED, S.IN_PROGRESS}), S.TRANSFERRED
    ),
    Action.START: Transition(frozenset({S.ACCEPTED, S.TRANSFERRED}), S.IN_PROGRESS),
    Action.RESPOND: Transition(frozenset({S.IN_PROGRESS}), S.RESPONDED),
    Action.CLOSE: Transition(frozenset({S.RESPONDED}), S.CLOSED),
    Action.REVISIT: Transition(frozenset({S.RESPONDED, S.CLOSED}), None),
    Action.REOPEN: Transition(frozenset({S.RESPONDED, S.CLOSED}), S.IN_PROGRESS),
}
"""Every lifecycle action, the statuses it may start from, and where it leads."""

OPEN_STATUSES: frozenset[TicketStatus] = frozenset(S) - {S.CLOSED}

_ORDER = list(TicketStatus)


def target_status(ticket_id: str, status: TicketStatus, action: Action) -> TicketStatus:
    """The status ``action`` leads to from ``status``; raises when the lifecycle forbids it.

    A closed ticket raises :class:`TicketClosedError` for everything but 回访 and 重新打开; any other
    illegal move raises :class:`IllegalTransitionError` naming both statuses.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidValueError(f"{action} is not a lifecycle action")
    if status in transition.sources:
        return transition.target or status
    if status is S.CLOSED:
        raise TicketClosedError(ticket_id, action.value)
    allowed = " / ".join(s.value for s in _ORDER if s in transition.sources)
    to = (transition.target or status).value
    raise IllegalTransitionError(ticket_id, action.value, status.value, to, allowed)


def allowed_actions(status: TicketStatus) -> list[Action]:
    """The lifecycle actions possible from ``status`` (for buttons in the agent console)."""
    return [action for action, t in TRANSITIONS.items() if status in t.sources]


def parse_enum(kind: type[EnumT], value: object) -> EnumT:
    """``kind(value)``, or :class:`InvalidValueError` listing the accepted values."""
    try:
        return kind(value)
    except ValueError:
        choices = " / ".join(str(member.value) for member in kind)
        raise InvalidValueError(f"unknown {kind.__name__} {value!r}; use one of {choices}") from None
