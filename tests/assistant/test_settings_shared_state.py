"""Where rate-limit counters and pre-review uploads live (``shared_state_store``): the database for a
PostgreSQL URL or when asked, this machine otherwise; the scale-out profile refuses 'local'."""

from __future__ import annotations

import pytest

from assistant.settings import Settings

PG = "postgresql+psycopg://govassist:s3cret-Enough@db.internal:5432/govassist"


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.mark.parametrize(
    ("values", "shared"),
    [
        ({}, False),  # the default: SQLite in data_dir, counters in memory, uploads on disk
        ({"database_url": "sqlite:////srv/shared/govassist.db"}, False),
        ({"database_url": PG}, True),
        ({"database_url": PG, "shared_state_store": "local"}, False),
        ({"database_url": "sqlite:////srv/shared/govassist.db", "shared_state_store": "database"}, True),
        ({"shared_state_store": "database"}, True),  # the default SQLite file, shared by its workers
    ],
)
def test_where_shared_state_lives(values: dict[str, object], shared: bool) -> None:
    assert settings(**values).shares_state_in_database is shared


def test_the_scale_out_profile_refuses_local_shared_state() -> None:
    profile = {
        "deployment_profile": "scale-out",
        "database_url": PG,
        "vectorstore_mode": "chroma-http",
        "index_store": "database",
    }
    assert settings(**profile).shares_state_in_database
    with pytest.raises(ValueError, match="GOVASSIST_SHARED_STATE_STORE"):
        settings(**profile, shared_state_store="local")
