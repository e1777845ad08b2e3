"""Who may use the operator dashboard: staff log-in through ``AuthService``, admin role required.

Plain functions (no Gradio) so that the rules are testable without a browser. Every dashboard action
re-checks its token with :func:`require_admin`, so an expired or revoked log-in stops at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.handoff.auth import AuthService, require_role
from assistant.handoff.errors import AuthenticationError, PermissionDeniedError
from assistant.handoff.staff import Role, StaffUser

NEEDS_ADMIN = "需要管理员权限：请使用管理员账号登录。"
WRONG_LOGIN = "用户名或密码不正确。"
LOGIN_EXPIRED = "登录已过期或已退出，请重新登录。"
MISSING_FIELDS = "请输入用户名和密码。"


class AdminAccessError(Exception):
    """The visitor may not use the dashboard; ``str(error)`` is the message to show."""


@dataclass(frozen=True)
class AdminLogin:
    """A successful admin log-in: the bearer token to keep in the page state, and who it is."""

    token: str
    user: StaffUser

    @property
    def greeting(self) -> str:
        return f"已登录：{self.user.display_name or self.user.username}（管理员）"


def admin_login(auth: AuthService, username: str, password: str) -> AdminLogin:
    """Log in and insist on the admin role; :class:`AdminAccessError` with a Chinese message otherwise.

    A staff member without the role is logged out again at once, so no token is left behind.
    """
    if not username.strip() or not password:
        raise AdminAccessError(MISSING_FIELDS)
    try:
        login = auth.login(username, password)
    except AuthenticationError:
        raise AdminAccessError(WRONG_LOGIN) from None
    try:
        require_role(login.user, Role.ADMIN)
    except PermissionDeniedError:
        auth.logout(login.token)
        raise AdminAccessError(NEEDS_ADMIN) from None
    return AdminLogin(login.token, login.user)


def require_admin(auth: AuthService, token: str | None) -> StaffUser:
    """The admin a live token belongs to; :class:`AdminAccessError` for none, expired, or not admin."""
    if not token:
        raise AdminAccessError(LOGIN_EXPIRED)
    try:
        user = auth.verify(token)
    except AuthenticationError:
        raise AdminAccessError(LOGIN_EXPIRED) from None
    try:
        return require_role(user, Role.ADMIN)
    except PermissionDeniedError:
        raise AdminAccessError(NEEDS_ADMIN) from None


def admin_logout(auth: AuthService, token: str | None) -> None:
    """Revoke the token (nothing happens for none or an unknown one)."""
    if token:
        auth.logout(token)
