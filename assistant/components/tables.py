"""Creating tables that several processes may create at the same moment (workers, machines starting
together on an empty database)."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

_ATTEMPTS = 3


def create_tables(metadata: MetaData, engine: Engine) -> None:
    """``metadata.create_all`` that tolerates a concurrent creator.

    On PostgreSQL two ``CREATE TABLE``s of one name at once end with one of them failing (a unique
    violation in the catalogue, or "relation already exists") after the other commits; the DDL ran in
    one transaction, so trying again finds everything there and creates nothing. SQLite says "table …
    already exists".
    """
    for attempt in range(_ATTEMPTS):
        try:
            metadata.create_all(engine)
            return
        except (IntegrityError, ProgrammingError, OperationalError) as error:
            concurrent = not isinstance(error, OperationalError) or "already exists" in str(error.orig)
            if not concurrent or attempt == _ATTEMPTS - 1:
                raise
