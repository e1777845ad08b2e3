"""Tests for assistant.sessions: sessions, messages, ratings, refusal counts and handoffs (PII masked)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text

from assistant.components.database import make_engine
from assistant.sessions import SessionStore
from tests.handoff_db import BACKENDS, database_engine

PHONE = "13800138000"  # made up


def make_id(first17: str) -> str:
    """A made-up 18-digit ID number with its GB 11643 (ISO 7064 MOD 11-2) check character."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


ID_NUMBER = make_id("11010519900307123")
RAW = (PHONE, ID_NUMBER)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db" / "sessions.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SessionStore]:
    session_store = SessionStore(make_engine(f"sqlite:///{db_path}"))
    session_store.create_schema()
    yield session_store
    session_store.engine.dispose()


@pytest.fixture(params=BACKENDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionStore]:
    """A store on SQLite, and on a fresh schema of the test PostgreSQL when there is one."""
    with database_engine(request.param, tmp_path) as engine:
        session_store = SessionStore(engine)
        session_store.create_schema()
        yield session_store


def raw_rows(store: SessionStore, table: str) -> str:
    with store.engine.connect() as connection:
        return repr(connection.execute(text(f"SELECT * FROM {table}")).all())


def test_the_id_helper_makes_a_valid_number() -> None:
    assert ID_NUMBER == "110105199003071239"  # check character computed by hand as well


# ------------------------------------------------------------------------------------ sessions


def test_a_new_or_unknown_id_opens_a_new_session(store: SessionStore) -> None:
    first = store.open_session(None)
    assert first.created and first.id.startswith("s_")
    assert (first.last_topic, first.consecutive_refusals, first.handoff_id) == ("", 0, None)

    unknown = store.open_session("s_does_not_exist")
    assert unknown.created and unknown.id not in (first.id, "s_does_not_exist")
    assert store.open_session("").created

    again = store.open_session(first.id)
    assert not again.created and again.id == first.id
    assert store.get_session(first.id) == again
    assert store.get_session("s_does_not_exist") is None


def test_make_engine_creates_the_folder_and_uses_wal(db_path: Path, store: SessionStore) -> None:
    assert db_path.parent.is_dir()
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


# ------------------------------------------------------------------------------------ messages


def test_messages_are_stored_in_order_and_masked(store: SessionStore) -> None:
    session = store.open_session(None)
    other = store.open_session(None)
    store.add_message(session.id, "user", f"我的手机号是{PHONE}，身份证号{ID_NUMBER}，怎么办居住证？")
    reply = store.add_message(
        session.id,
        "assistant",
        "请携带身份证原件办理 [1]",
        outcome="answered",
        citations=[{"index": 1, "doc_id": "d", "snippet": f"咨询电话{PHONE}"}],
    )
    store.add_message(other.id, "user", "别的会话")
    store.add_message(session.id, "user", "谢谢")

    messages = store.messages(session.id)
    assert [(m.role, m.outcome) for m in messages] == [("user", ""), ("assistant", "answered"), ("user", "")]
    assert messages[0].content == "我的手机号是138****8000，身份证号110105********1239，怎么办居住证？"
    assert messages[1] == reply and store.get_message(reply.id) == reply
    assert reply.citations == [{"index": 1, "doc_id": "d", "snippet": "咨询电话138****8000"}]
    assert messages[2].content == "谢谢"
    assert [m.content for m in store.messages(other.id)] == ["别的会话"]
    assert store.get_message("m_unknown") is None

    for table in ("chat_messages", "chat_sessions"):
        dump = raw_rows(store, table)
        assert not any(raw in dump for raw in RAW), table
    assert "138****8000" in raw_rows(store, "chat_messages")


def test_nothing_raw_reaches_the_database_files(store: SessionStore, db_path: Path) -> None:
    session = store.open_session(None)
    store.add_message(session.id, "user", f"电话{PHONE} 身份证{ID_NUMBER}")
    store.record_outcome(session.id, "answered", f"{PHONE}的居住证")
    store.create_handoff(session.id, "button", f"身份证{ID_NUMBER}")
    store.engine.dispose()  # checkpoint the WAL
    data = b"".join(p.read_bytes() for p in db_path.parent.iterdir() if p.is_file())
    assert data  # the database is really there
    assert not any(raw.encode() in data for raw in RAW)


def test_rate_message(store: SessionStore) -> None:
    session = store.open_session(None)
    question = store.add_message(session.id, "user", "什么是跨省通办？")
    answer = store.add_message(session.id, "assistant", "跨省通办是…… [1]", outcome="answered")
    assert store.rate_message(answer.id, "好")
    assert store.get_message(answer.id).rating == "好"  # type: ignore[union-attr]
    assert store.rate_message(answer.id, "差")
    assert store.get_message(answer.id).rating == "差"  # type: ignore[union-attr]
    assert not store.rate_message(question.id, "好")  # only assistant messages are rated
    assert store.get_message(question.id).rating is None  # type: ignore[union-attr]
    assert not store.rate_message("m_unknown", "好")


# ------------------------------------------------------------------------------------- outcomes


def test_record_outcome_counts_consecutive_refusals_and_resets(any_store: SessionStore) -> None:
    session = any_store.open_session(None)
    assert any_store.record_outcome(session.id, "refused", None) == 1
    assert any_store.record_outcome(session.id, "refused", None) == 2
    assert any_store.get_session(session.id).consecutive_refusals == 2  # type: ignore[union-attr]
    assert any_store.record_outcome(session.id, "answered", "什么是跨省通办？") == 0
    assert any_store.record_outcome(session.id, "refused", None) == 1
    assert any_store.record_outcome(session.id, "clarify", None) == 0
    state = any_store.get_session(session.id)
    assert state is not None and state.last_topic == "什么是跨省通办？"  # a topic-less outcome keeps it
    assert any_store.record_outcome("s_unknown", "refused", None) == 0


def test_the_topic_is_masked(store: SessionStore) -> None:
    session = store.open_session(None)
    store.record_outcome(session.id, "answered", f"{PHONE}这个号码能办什么")
    assert store.get_session(session.id).last_topic == "138****8000这个号码能办什么"  # type: ignore[union-attr]


def test_concurrent_refusals_are_all_counted(any_store: SessionStore) -> None:
    session = any_store.open_session(None)
    counts: list[int] = []
    barrier = threading.Barrier(8)

    def refuse() -> None:
        barrier.wait()
        counts.append(any_store.record_outcome(session.id, "refused", None))

    threads = [threading.Thread(target=refuse) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 9))
    assert any_store.get_session(session.id).consecutive_refusals == 8  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------- handoffs


def test_create_handoff_stores_a_masked_transcript_and_is_idempotent_while_open(store: SessionStore) -> None:
    session = store.open_session(None)
    store.add_message(session.id, "user", f"我的电话是{PHONE}")
    store.add_message(session.id, "assistant", "抱歉……", outcome="refused", reason="no_evidence")

    ticket = store.create_handoff(session.id, "repeated_refusals", f"身份证{ID_NUMBER}怎么补办")
    assert ticket.id.startswith("t_") and ticket.status == "open" and ticket.reason == "repeated_refusals"
    assert ticket.question == "身份证110105********1239怎么补办"
    assert ticket.transcript == [
        {"role": "user", "content": "我的电话是138****8000", "outcome": ""},
        {"role": "assistant", "content": "抱歉……", "outcome": "refused"},
    ]
    assert store.get_session(session.id).handoff_id == ticket.id  # type: ignore[union-attr]
    assert store.get_handoff(ticket.id) == ticket
    assert store.get_handoff("t_unknown") is None

    again = store.create_handoff(session.id, "button", "")
    assert again == ticket  # the open ticket is returned, not a second one
    assert [h.id for h in store.handoffs()] == [ticket.id]
    assert [h.id for h in store.handoffs("open")] == [ticket.id]
    assert store.handoffs("closed") == []
    dump = raw_rows(store, "handoffs")
    assert not any(raw in dump for raw in RAW)


def test_a_closed_handoff_lets_a_new_one_open(store: SessionStore) -> None:
    session = store.open_session(None)
    first = store.create_handoff(session.id, "button", "")
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE handoffs SET status = 'closed' WHERE id = :id"), {"id": first.id})
    second = store.create_handoff(session.id, "complaint", "态度差")
    assert second.id != first.id and second.status == "open"
    assert store.get_session(session.id).handoff_id == second.id  # type: ignore[union-attr]
    assert {h.id for h in store.handoffs()} == {first.id, second.id}


# ----------------------------------------------------------------------------------- concurrency


def test_concurrent_add_message_loses_nothing(store: SessionStore) -> None:
    session = store.open_session(None)
    threads_count, per_thread = 8, 25
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def writer(thread_no: int) -> None:
        try:
            barrier.wait()
            for n in range(per_thread):
                store.add_message(session.id, "user", f"t{thread_no}-{n}")
        except BaseException as exc:  # surfaced below: a thread's exception would otherwise be lost
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    messages = store.messages(session.id)
    assert len(messages) == threads_count * per_thread
    assert len({m.id for m in messages}) == len(messages)
    for thread_no in range(threads_count):
        mine = [m.content for m in messages if m.content.startswith(f"t{thread_no}-")]
        assert mine == [f"t{thread_no}-{n}" for n in range(per_thread)]  # each writer's order is kept
    with store.engine.connect() as connection:
        count = connection.execute(
            text("SELECT COUNT(*) FROM chat_messages WHERE session_id = :s"), {"s": session.id}
        ).scalar()
    assert count == threads_count * per_thread


def test_concurrent_create_handoff_opens_one_ticket(store: SessionStore) -> None:
    session = store.open_session(None)
    # Make the race deterministic: each caller waits, right after reading the session row, until the other
    # has read it too. A store that serialises the read-then-write would block the second reader instead;
    # the barrier then times out and both go on.
    barrier = threading.Barrier(2, timeout=2)

    def after_execute(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM chat_sessions" in statement:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()

    tickets: list[str] = []

    def request() -> None:
        tickets.append(store.create_handoff(session.id, "button", "").id)

    event.listen(store.engine, "after_cursor_execute", after_execute)
    try:
        threads = [threading.Thread(target=request) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        event.remove(store.engine, "after_cursor_execute", after_execute)
    assert len(tickets) == 2
    assert len(set(tickets)) == 1
    assert len(store.handoffs("open")) == 1


def test_a_retried_turn_is_stored_once_and_finds_its_reply(any_store: SessionStore) -> None:
    first = any_store.start_turn(None, "社保卡怎么补办", "c-42")
    assert not first.repeated and first.replay is None
    pending = any_store.start_turn(first.id, "社保卡怎么补办", "c-42")  # retried before any reply was stored
    assert pending.repeated and pending.replay is None and pending.message_id == first.message_id
    reply = any_store.add_message(first.id, "assistant", "可到社保经办机构补办 [1]", outcome="answered")
    replayed = any_store.start_turn(None, "社保卡怎么补办", "c-42")  # retried without the session id
    assert replayed.id == first.id and replayed.replay is not None and replayed.replay.id == reply.id
    assert [m.role for m in any_store.messages(first.id)] == ["user", "assistant"]
    other = any_store.start_turn(first.id, "社保卡怎么补办", "c-43")  # another message, same words
    assert not other.repeated and len(any_store.messages(first.id)) == 3


def test_a_retry_without_its_session_leaves_no_stray_session(any_store: SessionStore) -> None:
    first = any_store.start_turn(None, "居住证怎么办理", "c-7")
    any_store.start_turn(
        None, "居住证怎么办理", "c-7"
    )  # would open a new session: rolled back with the insert
    with any_store.engine.connect() as connection:
        assert connection.execute(text("SELECT id FROM chat_sessions")).scalars().all() == [first.id]


def test_start_turn_reads_a_known_session_and_opens_one_for_an_unknown_id(any_store: SessionStore) -> None:
    first = any_store.start_turn(None, f"我的电话是{PHONE}，社保卡怎么补办")
    assert first.created and first.message_id and first.message_id.startswith("m_")
    any_store.add_message(
        first.id, "assistant", "可到社保经办机构补办", outcome="answered", topic="社保卡补办"
    )
    any_store.record_outcome(first.id, "refused", None)
    again = any_store.start_turn(first.id, "要带什么")
    assert not again.created and again.id == first.id
    assert (again.last_topic, again.consecutive_refusals) == ("社保卡补办", 1)
    unknown = any_store.start_turn("s_gone", "你好")
    assert unknown.created and unknown.id not in ("s_gone", first.id)
    assert [m.content for m in any_store.messages(first.id) if m.role == "user"] == [
        "我的电话是138****8000，社保卡怎么补办",
        "要带什么",
    ]


def test_a_refusal_with_a_topic_keeps_the_topic_and_counts(any_store: SessionStore) -> None:
    session = any_store.open_session(None)
    assert any_store.record_outcome(session.id, "refused", f"{PHONE}的机主是谁") == 1
    state = any_store.get_session(session.id)
    assert state is not None and (state.last_topic, state.consecutive_refusals) == (
        "138****8000的机主是谁",
        1,
    )
