"""Staff accounts on SQLite and PostgreSQL: scrypt hashes, tokens with expiry, roles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.handoff.auth import TOKEN_PREFIX, AuthService, create_staff_user, require_role
from assistant.handoff.errors import (
    AuthenticationError,
    InvalidValueError,
    PermissionDeniedError,
    StaffUserExistsError,
    StaffUserNotFoundError,
)
from assistant.handoff.models import StaffTokenRow, StaffUserRow
from assistant.handoff.staff import Role, StaffUser, hash_password, verify_password
from assistant.settings import Settings
from tests.assistant.handoff.conftest import FakeClock

PASSWORD = "qingshan-lvshui-2026"


class TestPasswordHashing:
    def test_salted_scrypt_that_verifies(self) -> None:
        first, second = hash_password(PASSWORD), hash_password(PASSWORD)
        assert first.startswith("scrypt$") and first != second  # a fresh salt each time
        assert PASSWORD not in first
        assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
        assert not verify_password(PASSWORD + "x", first)

    @pytest.mark.parametrize("stored", ["", "plain", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$AA==$AA=="])
    def test_malformed_hashes_never_verify(self, stored: str) -> None:
        assert not verify_password(PASSWORD, stored)


class TestUsers:
    def test_create_and_read_back(self, auth: AuthService) -> None:
        user = auth.create_user(
            " Agent_Li ", PASSWORD, "agent", display_name="李晓华", department="12345热线"
        )
        assert (user.username, user.role, user.display_name, user.active) == (
            "agent_li",
            Role.AGENT,
            "李晓华",
            True,
        )
        assert auth.get_user("AGENT_LI") == user
        with Session(auth.engine) as db:
            stored = db.scalars(select(StaffUserRow.password_hash)).one()
        assert stored.startswith("scrypt$") and PASSWORD not in stored

    def test_duplicates_and_bad_input_are_refused(self, auth: AuthService) -> None:
        auth.create_user("agent_li", PASSWORD)
        with pytest.raises(StaffUserExistsError) as caught:
            auth.create_user("Agent_Li", PASSWORD)
        assert caught.value.http_status == 409
        with pytest.raises(InvalidValueError):
            auth.create_user("agent_zhou", "short")
        with pytest.raises(InvalidValueError):
            auth.create_user("agent_zhou", PASSWORD, role="root")
        with pytest.raises(InvalidValueError):
            auth.create_user("a b", PASSWORD)
        with pytest.raises(StaffUserNotFoundError):
            auth.get_user("nobody_here")
        assert [u.username for u in auth.list_users()] == ["agent_li"]

    def test_cli_helper_creates_the_schema_and_the_user(self, make_settings: Callable[..., Settings]) -> None:
        settings = make_settings()
        user = create_staff_user(settings, "admin_wu", PASSWORD, "admin")
        assert user.role is Role.ADMIN
        assert Path(settings.data_dir / "govassist.db").exists()
        with pytest.raises(StaffUserExistsError):
            create_staff_user(settings, "admin_wu", PASSWORD, "admin")


class TestTokens:
    def test_login_verify_logout(self, auth: AuthService, clock: FakeClock) -> None:
        created = auth.create_user("agent_li", PASSWORD, Role.AGENT)
        login = auth.login("agent_li", PASSWORD)
        assert login.token.startswith(TOKEN_PREFIX) and login.user == created
        assert login.expires_at == clock.now + auth.token_ttl
        assert auth.verify(login.token) == created
        with Session(auth.engine) as db:
            digests = db.scalars(select(StaffTokenRow.token_hash)).all()
        assert login.token not in digests and len(digests) == 1
        assert auth.logout(login.token)
        assert not auth.logout(login.token)
        with pytest.raises(AuthenticationError):
            auth.verify(login.token)

    def test_wrong_password_and_unknown_user_read_the_same(self, auth: AuthService) -> None:
        auth.create_user("agent_li", PASSWORD)
        messages = []
        for username, password in (("agent_li", "wrong-password!"), ("agent_nobody", PASSWORD), ("", "")):
            with pytest.raises(AuthenticationError) as caught:
                auth.login(username, password)
            assert caught.value.http_status == 401
            messages.append(str(caught.value))
        assert len(set(messages)) == 1

    def test_tokens_expire(self, auth: AuthService, clock: FakeClock) -> None:
        auth.create_user("agent_li", PASSWORD)
        token = auth.login("agent_li", PASSWORD).token
        clock.advance(hours=11.9)
        auth.verify(token)
        clock.advance(hours=0.2)
        with pytest.raises(AuthenticationError, match="expired"):
            auth.verify(token)
        assert auth.purge_expired() == 1

    @pytest.mark.parametrize("token", ["", "Bearer abc", TOKEN_PREFIX + "made-up", TOKEN_PREFIX + "x" * 500])
    def test_made_up_tokens_are_refused(self, auth: AuthService, token: str) -> None:
        with pytest.raises(AuthenticationError):
            auth.verify(token)

    def test_password_change_and_disabling_end_sessions(self, auth: AuthService) -> None:
        auth.create_user("agent_li", PASSWORD)
        token = auth.login("agent_li", PASSWORD).token
        auth.set_password("agent_li", PASSWORD + "-new")
        with pytest.raises(AuthenticationError):
            auth.verify(token)
        token = auth.login("agent_li", PASSWORD + "-new").token
        assert not auth.set_active("agent_li", False).active
        with pytest.raises(AuthenticationError):
            auth.verify(token)
        with pytest.raises(AuthenticationError):
            auth.login("agent_li", PASSWORD + "-new")


class TestRoles:
    @pytest.mark.parametrize(
        ("role", "needed", "allowed"),
        [
            (Role.AGENT, Role.AGENT, True),
            (Role.AGENT, Role.SUPERVISOR, False),
            (Role.SUPERVISOR, Role.AGENT, True),
            (Role.SUPERVISOR, Role.ADMIN, False),
            (Role.ADMIN, Role.SUPERVISOR, True),
        ],
    )
    def test_roles_are_ordered(self, role: Role, needed: Role, allowed: bool) -> None:
        user = StaffUser("su_1", "zhang_wei", "张伟", role, "", True, FakeClock().now)
        if allowed:
            assert require_role(user, needed) is user
        else:
            with pytest.raises(PermissionDeniedError) as caught:
                require_role(user, needed)
            assert caught.value.http_status == 403

    def test_a_disabled_user_holds_no_role(self) -> None:
        user = StaffUser("su_1", "zhang_wei", "张伟", Role.ADMIN, "", False, FakeClock().now)
        assert not user.can(Role.AGENT)
