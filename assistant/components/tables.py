"""Creating tables that several processes may create at the same moment (workers, machines starting
together on an empty database)."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData
from sqlalchemy.exc import DBAPIError


def create_tables(metadata: MetaData, engine: Engine) -> None:
    """``metadata.create_all`` that tolerates a concurrent creator.

    On PostgreSQL two ``CREATE TABLE``s of one name at once end with one of them failing (a unique
    violation in the catalogue, or "relation already exists") after the other commits; the DDL ran in
    one transaction, so trying again finds everything there and creates nothing. SQLite says "table …
    already exists". SQLite commits each ``CREATE TABLE`` on its own, so racing creators interleave table
    by table and one may lose once per table; each loss means that table now exists (the next attempt
    skips it), so one attempt more than there are tables always suffices.
    """
    attempts = len(metadata.tables) + 1
    for attempt in range(attempts):
        try:
            metadata.create_all(engine)
            return
        except DBAPIError as error:
            if not lost_a_race(error) or attempt == attempts - 1:
                raise


def lost_a_race(error: DBAPIError) -> bool:
    """Whether a failed ``CREATE TABLE``, ``ALTER TABLE … ADD COLUMN`` or ``CREATE INDEX`` lost a race
    to another process making the same change: PostgreSQL says "already exists" or reports a unique
    violation in its catalogue ("duplicate key"), SQLite "already exists" / "duplicate column name"."""
    text = str(error.orig).lower()
    return "already exists" in text or "duplicate column" in text or "duplicate key" in text
