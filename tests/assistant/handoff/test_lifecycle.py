"""The 接诉即办 lifecycle table: legal moves, and errors that name both statuses."""

from __future__ import annotations

import pytest

from assistant.handoff.errors import IllegalTransitionError, InvalidValueError, TicketClosedError
from assistant.handoff.lifecycle import (
    Action,
    Priority,
    TicketStatus,
    allowed_actions,
    target_status,
)

S = TicketStatus

LEGAL = [
    (S.PENDING, Action.CLAIM, S.ACCEPTED),
    (S.PENDING, Action.TRANSFER, S.TRANSFERRED),
    (S.ACCEPTED, Action.TRANSFER, S.TRANSFERRED),
    (S.ACCEPTED, Action.START, S.IN_PROGRESS),
    (S.TRANSFERRED, Action.START, S.IN_PROGRESS),
    (S.TRANSFERRED, Action.TRANSFER, S.TRANSFERRED),
    (S.IN_PROGRESS, Action.TRANSFER, S.TRANSFERRED),
    (S.IN_PROGRESS, Action.RESPOND, S.RESPONDED),
    (S.RESPONDED, Action.CLOSE, S.CLOSED),
    (S.RESPONDED, Action.REVISIT, S.RESPONDED),
    (S.CLOSED, Action.REVISIT, S.CLOSED),
    (S.RESPONDED, Action.REOPEN, S.IN_PROGRESS),
    (S.CLOSED, Action.REOPEN, S.IN_PROGRESS),
]


@pytest.mark.parametrize(("before", "action", "after"), LEGAL)
def test_legal_transitions(before: TicketStatus, action: Action, after: TicketStatus) -> None:
    assert target_status("tk_1", before, action) is after
    assert action in allowed_actions(before)


def test_every_other_move_is_rejected() -> None:
    legal = {(before, action) for before, action, _ in LEGAL}
    not_lifecycle = (Action.CREATE, Action.REPLY, Action.NOTE, Action.CITIZEN_MESSAGE)
    lifecycle = [a for a in Action if a not in not_lifecycle]
    for before in TicketStatus:
        for action in lifecycle:
            if (before, action) in legal:
                continue
            with pytest.raises((IllegalTransitionError, TicketClosedError)):
                target_status("tk_1", before, action)


def test_illegal_transition_names_both_statuses() -> None:
    with pytest.raises(IllegalTransitionError) as caught:
        target_status("tk_7", S.PENDING, Action.CLOSE)
    error = caught.value
    assert (error.from_status, error.to_status, error.action) == ("待受理", "已办结", "办结")
    assert "待受理 → 已办结" in str(error) and "已反馈" in str(error) and "tk_7" in str(error)
    assert error.http_status == 409


def test_closed_ticket_refuses_work_but_not_revisit_or_reopen() -> None:
    with pytest.raises(TicketClosedError) as caught:
        target_status("tk_9", S.CLOSED, Action.CLAIM)
    assert caught.value.http_status == 409 and "重新打开" in str(caught.value)
    assert allowed_actions(S.CLOSED) == [Action.REVISIT, Action.REOPEN]


def test_non_lifecycle_action_is_invalid() -> None:
    with pytest.raises(InvalidValueError):
        target_status("tk_1", S.PENDING, Action.REPLY)


def test_the_happy_path_follows_the_order_of_the_statuses() -> None:
    status = S.PENDING
    for action in (Action.CLAIM, Action.START, Action.RESPOND, Action.CLOSE):
        status = target_status("tk_1", status, action)
    assert status is S.CLOSED


@pytest.mark.parametrize(
    ("value", "expected"), [("urgent", Priority.URGENT), (2, Priority.HIGH), ("3", Priority.NORMAL)]
)
def test_priority_parses_keys_and_numbers(value: object, expected: Priority) -> None:
    assert Priority.parse(value) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["soon", 0, "9"])
def test_unknown_priority_is_invalid(value: object) -> None:
    with pytest.raises(InvalidValueError):
        Priority.parse(value)  # type: ignore[arg-type]
