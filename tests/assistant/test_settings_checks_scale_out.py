"""The scale-out profile refuses stores that live on one machine (assistant.settings_checks)."""

from __future__ import annotations

import pytest

from assistant.settings import Settings
from assistant.settings_checks import scale_out_problems

PG = "postgresql+psycopg://govassist:s3cret-Enough@db.internal:5432/govassist"


def scale_out(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "deployment_profile": "scale-out",
        "database_url": PG,
        "vectorstore_mode": "chroma-http",
        "index_store": "database",
    }
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg, arg-type]


def test_the_profile_file_values_pass() -> None:
    settings = scale_out()
    assert settings.vectorstore_mode == "chroma-http" and settings.index_store == "database"


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"database_url": ""}, "GOVASSIST_DATABASE_URL"),
        ({"database_url": "sqlite:////srv/govassist.db"}, "GOVASSIST_DATABASE_URL"),
        ({"vectorstore_mode": "chroma-local"}, "GOVASSIST_VECTORSTORE_MODE"),
        ({"index_store": "local"}, "GOVASSIST_INDEX_STORE"),
    ],
)
def test_one_machine_stores_are_refused(override: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=named):  # pydantic wraps the UnsafeSettingsError
        scale_out(**override)


def test_every_problem_is_listed_and_single_is_unchecked() -> None:
    problems = scale_out_problems(
        database_url="not a url", vectorstore_mode="chroma-local", index_store="local"
    )
    assert len(problems) == 3
    assert Settings(_env_file=None).deployment_profile == "single"  # type: ignore[call-arg]
