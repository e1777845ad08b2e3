"""The staff audit log: every log-in, failed log-in, log-out and account change leaves one row."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from assistant.handoff.audit import AuditEvent, StaffAuditLog
from assistant.handoff.auth import AuthService
from assistant.handoff.errors import AuthenticationError
from assistant.settings import Settings
from tests.assistant.handoff.conftest import FakeClock

PASSWORD = "qingshan-lvshui-2026"


def events(auth: AuthService) -> list[tuple[str, str, str]]:
    return [(e.event, e.username, e.detail) for e in reversed(auth.audit.recent())]


def test_account_lifecycle_is_audited(auth: AuthService, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="govassist.audit")
    auth.create_schema()
    auth.create_user("Agent_Li", PASSWORD, "supervisor")
    token = auth.login("agent_li", PASSWORD).token
    with pytest.raises(AuthenticationError):
        auth.login("agent_li", "wrong-password-123")
    with pytest.raises(AuthenticationError):
        auth.login("13800138000", PASSWORD)  # someone typed their phone number as the username
    assert auth.logout(token) is True
    assert auth.logout(token) is False  # already revoked: nothing more to audit
    auth.set_password("agent_li", PASSWORD + "-new")
    auth.set_active("agent_li", False)
    with pytest.raises(AuthenticationError):
        auth.login("agent_li", PASSWORD + "-new")
    auth.set_active("agent_li", True)

    assert events(auth) == [
        ("user_created", "agent_li", "role=supervisor"),
        ("login", "agent_li", "role=supervisor"),
        ("login_failed", "agent_li", "wrong password"),
        ("login_failed", "138****8000", "unknown user"),
        ("logout", "agent_li", ""),
        ("password_changed", "agent_li", ""),
        ("account_disabled", "agent_li", ""),
        ("login_failed", "agent_li", "account disabled"),
        ("account_enabled", "agent_li", ""),
    ]
    assert [e.event for e in auth.audit.recent(2, event=AuditEvent.LOGIN_FAILED)] == ["login_failed"] * 2
    lines = [r.getMessage() for r in caplog.records if r.name == "govassist.audit"]
    assert len(lines) == 9 and "login_failed user='138****8000' unknown user" in lines[3]
    assert all("13800138000" not in line and PASSWORD not in line for line in lines)


def test_entries_are_time_stamped_and_truncated(auth: AuthService, clock: FakeClock) -> None:
    auth.create_schema()
    log = StaffAuditLog(auth.engine, clock=clock)
    log.record(AuditEvent.LOGIN, "x" * 100, "d" * 300)
    [entry] = log.recent()
    assert (len(entry.username), len(entry.detail)) == (64, 256)
    assert entry.at == clock()


def test_repeated_failures_lock_the_name_out_for_a_while(
    engine: Engine, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    auth = AuthService(
        engine, make_settings(staff_login_max_failures=3, staff_login_lockout_minutes=10), clock=clock
    )
    auth.create_schema()
    auth.create_user("agent_li", PASSWORD)
    for _ in range(2):
        with pytest.raises(AuthenticationError, match="wrong username"):
            auth.login("agent_li", "not-the-password")
    auth.login("agent_li", PASSWORD)  # a success resets the count
    for _ in range(3):
        with pytest.raises(AuthenticationError, match="wrong username"):
            auth.login("Agent_Li", "not-the-password")
    with pytest.raises(AuthenticationError, match="too many failed log-ins"):
        auth.login("agent_li", PASSWORD)  # locked: even the right password is refused
    with pytest.raises(AuthenticationError, match="too many failed log-ins"):
        auth.login("agent_li", PASSWORD)
    assert auth.audit.recent(1)[0].detail == "locked out"
    clock.advance(minutes=11)  # the last refused attempt was counted too, so wait out its window
    auth.login("agent_li", PASSWORD)
    # Unknown names lock the same way (no hint about which usernames exist).
    for _ in range(3):
        with pytest.raises(AuthenticationError, match="wrong username"):
            auth.login("ghost", PASSWORD)
    with pytest.raises(AuthenticationError, match="too many failed log-ins"):
        auth.login("ghost", PASSWORD)


def test_lockout_can_be_switched_off(engine: Engine, make_settings: Callable[..., Settings]) -> None:
    auth = AuthService(engine, make_settings(staff_login_max_failures=0))
    auth.create_schema()
    auth.create_user("agent_li", PASSWORD)
    for _ in range(8):
        with pytest.raises(AuthenticationError, match="wrong username"):
            auth.login("agent_li", "not-the-password")
    assert auth.login("agent_li", PASSWORD).user.username == "agent_li"
