"""Production settings refuse default secrets; development accepts anything."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.settings import Settings
from assistant.settings_checks import is_placeholder, production_problems

REMOTE = "https://llm.example.com/v1"


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_development_accepts_defaults_and_placeholders() -> None:
    assert settings().environment == "development"
    assert settings(llm_mode="openai", llm_base_url=REMOTE).llm_api_key == "not-needed"
    assert settings(database_url="postgresql://postgres:postgres@db/govassist").database_url


def test_production_with_safe_defaults_is_accepted() -> None:
    # No LLM, SQLite, the default staff-password minimum: nothing secret is left at a default.
    assert settings(environment="production").environment == "production"
    # A local LLM (Ollama on loopback) needs no key.
    assert settings(environment="production", llm_mode="openai").llm_mode == "openai"
    safe = settings(
        environment="production",
        llm_mode="openai",
        llm_base_url=REMOTE,
        llm_api_key="sk-3c1d0f5a9e",
        database_url="postgresql+psycopg://govassist:Zq8-long-random@db:5432/govassist",
    )
    assert safe.llm_api_key == "sk-3c1d0f5a9e"


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"llm_mode": "openai", "llm_base_url": REMOTE}, "LLM_API_KEY"),
        ({"llm_mode": "openai", "llm_base_url": REMOTE, "llm_api_key": "ChangeMe"}, "LLM_API_KEY"),
        ({"database_url": "postgresql://postgres:postgres@db/govassist"}, "database password"),
        ({"database_url": "postgresql://app:password@db/govassist"}, "database password"),
        ({"staff_password_min_chars": 6}, "STAFF_PASSWORD_MIN_CHARS"),
    ],
)
def test_production_refuses_default_secrets(values: dict[str, object], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        settings(environment="production", **values)


def test_production_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVASSIST_ENVIRONMENT", "production")
    monkeypatch.setenv("GOVASSIST_DATABASE_URL", "postgresql://postgres:postgres@db/govassist")
    with pytest.raises(ValidationError, match="unsafe production settings"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_problem_list_and_placeholders() -> None:
    assert is_placeholder(" Not-Needed ") and is_placeholder("") and not is_placeholder("k9-Hq2")
    problems = production_problems(
        llm_mode="openai",
        llm_base_url=REMOTE,
        llm_api_key="",
        database_url="not a url",
        staff_password_min_chars=4,
    )
    assert len(problems) == 3
