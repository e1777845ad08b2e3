"""Staff accounts: roles, the user record, and salted scrypt password hashes (standard library only)."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Row

from assistant.handoff.models import StaffUserRow

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _KEY_BYTES, _SALT_BYTES = 2**14, 8, 1, 32, 16
_MAX_PASSWORD_CHARS = 1024  # scrypt reads any length; this only bounds the work one request can ask for


class Role(StrEnum):
    """Each role may do what the roles before it may: agent < supervisor < admin."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    def at_least(self, other: Role) -> bool:
        order = list(Role)
        return order.index(self) >= order.index(other)


@dataclass(frozen=True)
class StaffUser:
    id: str
    username: str
    display_name: str
    role: Role
    department: str
    active: bool
    created_at: datetime

    def can(self, role: Role) -> bool:
        """Whether this user holds ``role`` or a higher one (and is active)."""
        return self.active and self.role.at_least(role)

    @classmethod
    def from_row(cls, row: StaffUserRow | Row[*tuple[Any, ...]]) -> StaffUser:
        return cls(
            row.id, row.username, row.display_name, Role(row.role), row.department, row.active, row.created_at
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * r * n + 2**20
    )


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$key`` with a fresh random salt (the parameters travel with the hash)."""
    if len(password) > _MAX_PASSWORD_CHARS:
        raise ValueError(f"passwords are limited to {_MAX_PASSWORD_CHARS} characters")
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _KEY_BYTES)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``; the comparison takes constant time."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt" or len(password) > _MAX_PASSWORD_CHARS:
            return False
        expected = base64.b64decode(key)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


@functools.cache
def dummy_hash() -> str:
    """A hash to check against when the username is unknown, so the answer takes as long either way."""
    return hash_password(secrets.token_urlsafe(16))


def generate_password() -> str:
    """A random password to hand to a new staff member (about 128 bits)."""
    return secrets.token_urlsafe(16)
