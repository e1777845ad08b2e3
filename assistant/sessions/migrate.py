"""Additive schema upgrades: columns a newer version added are added to an older database.

Only nullable (or defaulted) columns are ever added, so old rows stay valid and nothing is lost; a
removed or changed column would need a real migration and is not attempted.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.schema import CreateColumn

from assistant.components.tables import lost_a_race

logger = logging.getLogger(__name__)


def add_missing_columns(engine: Engine, base: type[DeclarativeBase]) -> list[str]:
    """Add every nullable model column and missing index the existing tables lack; returns the columns."""
    inspector = inspect(engine)
    added: list[str] = []
    for table in base.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable:
                raise RuntimeError(
                    f"database table {table.name} lacks the required column {column.name}; "
                    "it cannot be added automatically"
                )
            definition = CreateColumn(column).compile(dialect=engine.dialect)
            try:
                with engine.begin() as connection:
                    connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {definition}")
            except DBAPIError as error:
                if not lost_a_race(error):
                    raise
                continue
            added.append(f"{table.name}.{column.name}")
            logger.info("database upgraded: added column %s.%s", table.name, column.name)
        for index in table.indexes:  # e.g. the unique index of a column added just now
            try:
                index.create(engine, checkfirst=True)
            except DBAPIError as error:
                if not lost_a_race(error):
                    raise
    return added
