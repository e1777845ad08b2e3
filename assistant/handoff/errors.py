"""Typed errors of the handoff services; ``http_status`` is what the API answers with."""

from __future__ import annotations

from typing import ClassVar


class HandoffError(Exception):
    """Base of every error the ticket and staff services raise on purpose."""

    http_status: ClassVar[int] = 400


class TicketNotFoundError(HandoffError):
    """No ticket has this id."""

    http_status = 404

    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"ticket {ticket_id} does not exist")
        self.ticket_id = ticket_id


class TicketConflictError(HandoffError):
    """The request lost a race or contradicts the ticket's current state."""

    http_status = 409


class IllegalTransitionError(TicketConflictError):
    """The lifecycle does not allow this action from the ticket's current status."""

    def __init__(self, ticket_id: str, action: str, from_status: str, to_status: str, allowed: str) -> None:
        super().__init__(
            f"ticket {ticket_id}: cannot {action} ({from_status} → {to_status}); "
            f"{action} is allowed only from {allowed}"
        )
        self.ticket_id = ticket_id
        self.action = action
        self.from_status = from_status
        self.to_status = to_status


class TicketClosedError(TicketConflictError):
    """The ticket is 已办结: no replies or transitions until it is reopened (重新打开)."""

    def __init__(self, ticket_id: str, action: str) -> None:
        super().__init__(f"ticket {ticket_id} is closed (已办结); reopen it (重新打开) before {action}")
        self.ticket_id = ticket_id
        self.action = action


class TicketAlreadyClaimedError(TicketConflictError):
    """Another agent claimed (受理) the ticket first."""

    def __init__(self, ticket_id: str, assignee: str | None) -> None:
        super().__init__(f"ticket {ticket_id} has already been claimed by {assignee or 'another agent'}")
        self.ticket_id = ticket_id
        self.assignee = assignee


class TextTooLongError(HandoffError):
    """A text field is longer than ``handoff_max_text_chars``."""

    http_status = 413

    def __init__(self, field: str, length: int, limit: int) -> None:
        super().__init__(f"{field} is {length} characters long; the limit is {limit}")
        self.field = field
        self.length = length
        self.limit = limit


class InvalidValueError(HandoffError):
    """A value outside its vocabulary (category, priority, role…) or otherwise malformed."""

    http_status = 422


class AuthenticationError(HandoffError):
    """Wrong username or password, or a missing, unknown or expired token."""

    http_status = 401


class PermissionDeniedError(HandoffError):
    """The staff user's role does not allow the action."""

    http_status = 403


class StaffUserExistsError(HandoffError):
    """A staff user with this username already exists."""

    http_status = 409

    def __init__(self, username: str) -> None:
        super().__init__(f"staff user {username!r} already exists")
        self.username = username


class StaffUserNotFoundError(HandoffError):
    """No staff user has this username."""

    http_status = 404

    def __init__(self, username: str) -> None:
        super().__init__(f"staff user {username!r} does not exist")
        self.username = username
