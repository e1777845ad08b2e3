"""Checks that refuse an unsafe configuration outside development (``GOVASSIST_ENVIRONMENT``).

In ``development`` (the default) anything goes, so a checkout runs as it is. In ``production`` the
settings object refuses to be built when a secret still has its default or a well-known placeholder
value: an LLM API key for a remote endpoint, a database password, or a staff-password minimum below
:data:`MIN_STAFF_PASSWORD_CHARS`. The scale-out profile (``GOVASSIST_DEPLOYMENT_PROFILE``) refuses
stores that live on one machine. Pure functions over plain values, called by ``Settings``.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

#: Values that are not secrets: defaults of this project and the usual placeholders.
PLACEHOLDER_SECRETS: Final = frozenset(
    {"", "not-needed", "changeme", "change-me", "secret", "password", "admin", "test", "example", "sk-xxx"}
    | {"postgres", "root", "123456", "12345678", "govassist", "none", "null", "default", "ollama"}
)
MIN_STAFF_PASSWORD_CHARS: Final = 10
_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})


class UnsafeSettingsError(ValueError):
    """The configuration keeps a default secret (or another unsafe default) outside development."""


def is_placeholder(secret: str) -> bool:
    """Whether ``secret`` is empty or a well-known default / placeholder (case-insensitive)."""
    return secret.strip().lower() in PLACEHOLDER_SECRETS


def production_problems(
    *, llm_mode: str, llm_base_url: str, llm_api_key: str, database_url: str, staff_password_min_chars: int
) -> list[str]:
    """What is unsafe about these values for a production deployment (empty: nothing)."""
    problems: list[str] = []
    llm_host = urlsplit(llm_base_url).hostname or ""
    if llm_mode != "none" and llm_host not in _LOOPBACK and is_placeholder(llm_api_key):
        problems.append(
            f"GOVASSIST_LLM_API_KEY is a default or placeholder but the LLM endpoint {llm_host!r} is remote"
        )
    if database_url:
        try:
            url = make_url(database_url)
        except ArgumentError:
            problems.append("GOVASSIST_DATABASE_URL is not a valid SQLAlchemy URL")
        else:
            if (
                not url.drivername.startswith("sqlite")
                and url.password is not None
                and is_placeholder(str(url.password))
            ):
                problems.append("GOVASSIST_DATABASE_URL uses a default or placeholder database password")
    if staff_password_min_chars < MIN_STAFF_PASSWORD_CHARS:
        problems.append(
            f"GOVASSIST_STAFF_PASSWORD_MIN_CHARS is {staff_password_min_chars}; "
            f"production needs at least {MIN_STAFF_PASSWORD_CHARS}"
        )
    return problems


def scale_out_problems(*, database_url: str, vectorstore_mode: str, index_store: str) -> list[str]:
    """What keeps these values from the scale-out profile, where workers share nothing but PostgreSQL
    and a Chroma server (empty: nothing)."""
    problems: list[str] = []
    try:
        backend = make_url(database_url).get_backend_name() if database_url else "sqlite"
    except ArgumentError:
        backend = "invalid"
    if backend != "postgresql":
        problems.append("GOVASSIST_DATABASE_URL must name a PostgreSQL database (SQLite is one machine's)")
    if vectorstore_mode != "chroma-http":
        problems.append("GOVASSIST_VECTORSTORE_MODE must be chroma-http (embedded Chroma is one process's)")
    if index_store != "database":
        problems.append("GOVASSIST_INDEX_STORE must be database (a local ledger is one machine's file)")
    return problems
