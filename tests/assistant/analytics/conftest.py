"""Analytics fixtures: a database (SQLite, and PostgreSQL when configured) seeded through the real stores.

The seeded story (times in UTC; days are counted in China Standard Time, UTC+8)::

    03-02 09:00 CST  A: 社保断缴 → refused(no_evidence); 社会保险断缴 → handoff(repeated_refusals); ticket A
    03-02 11:00 CST  B: 身份证补领材料 → answered, 好(准确); 多久拿到 → answered, 差(信息过时, comment)
    03-03 01:30 CST  D: 公积金贷款 → answered, 差 (no reason)        (still 03-02 in UTC)
    03-03 10:00 CST  A: 还在吗 → handoff(awaiting_agent)
    03-03 11:00 CST  C: 天气 → refused(out_of_scope); 我要投诉 → handoff(complaint); ticket C, never claimed
    03-03 12:00 CST  phone ticket (咨询, 公积金中心): claimed late, closed late
    03-04 09:00 CST  ticket A closed on time, rated 好 by session A; 18:00 phone ticket closed (late)
    03-05 10:00 CST  E: 社保补缴去哪里办 → refused(no_evidence)
    now = 03-20
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from assistant.analytics.feedback import create_schema as create_feedback_schema
from assistant.analytics.feedback import record_answer_feedback
from assistant.analytics.report import AnalyticsService
from assistant.components.database import make_engine
from assistant.handoff.models import create_schema as create_handoff_schema
from assistant.handoff.ratings import RatingsBase, TicketRatings
from assistant.handoff.tickets import TicketService
from assistant.lexicon import load_lexicon
from assistant.sessions import SessionStore
from assistant.settings import Settings
from assistant.tokenization import ChineseTokenizer
from tests.handoff_db import fresh_postgres_schema

PHONE = "13800138000"
BACKENDS = ("sqlite", "postgresql")
SEEDED_NOW = datetime(2026, 3, 20, tzinfo=UTC)


class Clock:
    """A settable UTC clock shared by the session store, the tickets and the analytics."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, month: int, day: int, hour: int, minute: int = 0) -> None:
        self.now = datetime(2026, month, day, hour, minute, tzinfo=UTC)


def create_all(engine: Engine) -> None:
    SessionStore(engine).create_schema()
    create_handoff_schema(engine)
    RatingsBase.metadata.create_all(engine)
    create_feedback_schema(engine)


@pytest.fixture(scope="session")
def tokenizer() -> ChineseTokenizer:
    return ChineseTokenizer(load_lexicon(Settings(_env_file=None).lexicon_dir))  # type: ignore[call-arg]


@contextmanager
def postgres_schema() -> Iterator[Engine]:
    """An engine on a fresh schema of the configured PostgreSQL with every table; dropped afterwards."""
    with fresh_postgres_schema() as engine:
        create_all(engine)
        yield engine


@contextmanager
def any_engine(backend: str, folder: Path) -> Iterator[Engine]:
    """Every table the analytics read, empty, on SQLite (a file in ``folder``) or PostgreSQL."""
    if backend == "postgresql":
        with postgres_schema() as engine:
            yield engine
        return
    engine = make_engine(f"sqlite:///{folder / 'analytics.db'}")
    create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own for one test."""
    with any_engine(request.param, tmp_path) as fresh:
        yield fresh


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock, also patched into the session store and the ticket ratings (which read ``utcnow``)."""
    clock = Clock()
    monkeypatch.setattr("assistant.sessions.store.utcnow", clock)
    monkeypatch.setattr("assistant.handoff.ratings.utcnow", clock)
    return clock


@pytest.fixture
def service(engine: Engine, tokenizer: ChineseTokenizer, clock: Clock) -> AnalyticsService:
    """Analytics on the empty database of ``engine``."""
    return AnalyticsService(engine, tokenizer, clock=clock)


def cite(doc_id: str, title: str, section: str) -> dict[str, object]:
    return {"index": 1, "doc_id": doc_id, "title": title, "section": section, "snippet": "……", "score": 0.8}


@dataclass(frozen=True)
class Seeded:
    engine: Engine
    ticket_a: str
    ticket_c: str
    ticket_phone: str
    good_answer: str
    bad_answer_with_reason: str
    bad_answer_without_reason: str


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The story of the module docstring on its own database, built once per module and backend."""
    with any_engine(request.param, tmp_path_factory.mktemp("seeded")) as engine:
        with pytest.MonkeyPatch.context() as patch:
            clock = Clock()
            patch.setattr("assistant.sessions.store.utcnow", clock)
            patch.setattr("assistant.handoff.ratings.utcnow", clock)
            story = seed(engine, clock)
        yield story


@pytest.fixture
def analytics(seeded: Seeded, tokenizer: ChineseTokenizer) -> AnalyticsService:
    """Analytics on the seeded database, at ``SEEDED_NOW``."""
    return AnalyticsService(seeded.engine, tokenizer, clock=lambda: SEEDED_NOW)


def seed(engine: Engine, clock: Clock) -> Seeded:
    """Write the story through SessionStore, TicketService and TicketRatings."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        handoff_accept_sla_hours={"normal": 2.0},
        handoff_resolve_sla_hours={"咨询": 24.0, "求助": 168.0, "投诉": 168.0},
    )
    store = SessionStore(engine)
    tickets = TicketService(engine, settings, clock=clock)
    ratings = TicketRatings(engine, tickets)

    def turn(session: str | None, question: str, outcome: str, answer: str, **kw: object) -> tuple[str, str]:
        state = store.start_turn(session, question)
        message = store.add_message(state.id, "assistant", answer, outcome=outcome, **kw)  # type: ignore[arg-type]
        return state.id, message.id

    clock.at(3, 2, 1)
    a, _ = turn(None, "社保断缴了怎么补缴？", "refused", "抱歉……", reason="no_evidence")
    turn(a, "社会保险断缴以后如何补缴", "handoff", "已为您转人工", reason="repeated_refusals")
    ticket_a = tickets.open_ticket(
        "社会保险断缴以后如何补缴",
        session_id=a,
        reason="repeated_refusals",
        category="求助",
        department="人社局",
    ).id
    clock.at(3, 2, 2)
    tickets.claim(ticket_a, "agent_li")
    tickets.start(ticket_a, "agent_li")

    clock.at(3, 2, 3)
    b, good = turn(
        None,
        "居民身份证补领要带什么",
        "answered",
        "需要……[1]",
        citations=[cite("d1", "居民身份证办理指南", "申请材料")],
    )
    store.rate_message(good, "good")
    record_answer_feedback(engine, good, "好", "准确")
    _, bad = turn(
        b,
        "身份证补领多久能拿到",
        "answered",
        "一般……[1]",
        citations=[
            cite("d1", "居民身份证办理指南", "办理时限"),
            cite("d1", "居民身份证办理指南", "申请材料"),
        ],
    )
    store.rate_message(bad, "bad")
    record_answer_feedback(engine, bad, "差", "信息过时", f"打{PHONE}没人接，和窗口说的不一样")

    clock.at(3, 2, 17, 30)
    _, bad_d = turn(
        None,
        "住房公积金贷款最高能贷多少",
        "answered",
        "最高……[1]",
        citations=[cite("d2", "住房公积金贷款管理办法", "第五条")],
    )
    store.rate_message(bad_d, "bad")

    clock.at(3, 3, 2)
    turn(a, "还在吗", "handoff", "工作人员会回复您", reason="awaiting_agent")

    clock.at(3, 3, 3)
    c, _ = turn(None, "今天天气怎么样", "refused", "不在服务范围", reason="out_of_scope")
    turn(c, "我要投诉", "handoff", "已记录您的投诉", reason="complaint")
    ticket_c = tickets.open_ticket("我要投诉", session_id=c, reason="complaint", category="投诉").id

    clock.at(3, 3, 4)
    phone = tickets.open_ticket(
        "公积金提取要什么材料", source="phone", category="咨询", department="公积金中心", actor="agent_wang"
    ).id
    clock.at(3, 3, 7)
    tickets.claim(phone, "agent_wang")
    tickets.start(phone, "agent_wang")
    clock.at(3, 4, 1)
    tickets.respond(ticket_a, "agent_li")
    tickets.close(ticket_a, "agent_li", "已告知补缴流程")
    ratings.rate(ticket_a, a, "好", "办理及时")
    clock.at(3, 4, 10)
    tickets.respond(phone, "agent_wang")
    tickets.close(phone, "agent_wang", "已电话答复")

    clock.at(3, 5, 2)
    turn(None, "社保补缴去哪里办", "refused", "抱歉……", reason="no_evidence")

    clock.now = SEEDED_NOW
    return Seeded(engine, ticket_a, ticket_c, phone, good, bad, bad_d)
