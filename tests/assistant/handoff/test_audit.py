"""The staff audit log: every log-in, failed log-in, log-out and account change leaves one row."""

from __future__ import annotations

import logging

import pytest

from assistant.handoff.audit import AuditEvent, StaffAuditLog
from assistant.handoff.auth import AuthService
from assistant.handoff.errors import AuthenticationError
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
