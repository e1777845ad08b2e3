"""A database from before a column existed is upgraded in place, keeping its rows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from assistant.components.database import make_engine
from assistant.sessions import SessionStore


def test_an_old_sessions_table_gets_the_guide_state_column(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE chat_sessions (id VARCHAR(64) PRIMARY KEY, created_at DATETIME, updated_at DATETIME, "
            "last_topic TEXT, consecutive_refusals INTEGER, handoff_id VARCHAR(64))"
        )
        connection.exec_driver_sql(
            "INSERT INTO chat_sessions VALUES ('s_old', NULL, NULL, '跨省通办', 0, NULL)"
        )
    store = SessionStore(engine)
    store.create_schema()
    state = store.get_session("s_old")
    assert state is not None and state.last_topic == "跨省通办" and state.guide_state is None
    store.set_guide_state("s_old", {"stage": "situations", "guide_id": "yjs-newborn", "opening": "x"})
    migrated = store.get_session("s_old")
    assert migrated is not None and migrated.guide_state is not None
    assert migrated.guide_state["guide_id"] == "yjs-newborn"
    store.create_schema()  # idempotent
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from chat_sessions")).scalar() == 1
    engine.dispose()


def test_an_old_messages_table_gets_the_client_id_column_and_its_unique_index(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE chat_sessions (id VARCHAR(64) PRIMARY KEY, created_at DATETIME, updated_at DATETIME, "
            "last_topic TEXT, consecutive_refusals INTEGER, handoff_id VARCHAR(64))"
        )
        connection.exec_driver_sql(
            "CREATE TABLE chat_messages (pk INTEGER PRIMARY KEY, id VARCHAR(64) UNIQUE, session_id VARCHAR(64), "
            "role VARCHAR(16), content TEXT, outcome VARCHAR(16), reason VARCHAR(64), citations JSON, "
            "rating VARCHAR(8), created_at DATETIME)"
        )
    store = SessionStore(engine)
    store.create_schema()
    first = store.start_turn(None, "你好", "client-1")
    again = store.start_turn(None, "你好", "client-1")
    assert again.repeated and again.id == first.id and again.message_id == first.message_id
    with engine.connect() as connection:
        indexes = connection.exec_driver_sql("PRAGMA index_list(chat_messages)").all()
    assert any(row[1] == "uq_chat_messages_client_id" and row[2] == 1 for row in indexes)
