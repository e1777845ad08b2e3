"""Races with real threads on SQLite and PostgreSQL: one claim wins, retries never duplicate."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

import pytest

from assistant.handoff.errors import TicketAlreadyClaimedError, TicketClosedError
from assistant.handoff.lifecycle import Action, TicketStatus
from assistant.handoff.tickets import TicketService

T = TypeVar("T")
THREADS = 8


def race(calls: list[Callable[[], T]]) -> list[T | Exception]:
    """Run the calls at the same moment on their own threads; results (or errors) in call order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T | Exception:
        barrier.wait()
        try:
            return call()
        except Exception as error:
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


class TestClaimRace:
    @pytest.mark.parametrize("round_", range(3))
    def test_exactly_one_agent_wins(self, tickets: TicketService, round_: int) -> None:
        ticket = tickets.open_ticket(f"第{round_}轮抢单")
        agents = [f"agent_{i}" for i in range(THREADS)]
        results = race([partial(tickets.claim, ticket.id, agent) for agent in agents])
        winners = [r for r in results if not isinstance(r, Exception)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1, results
        assert all(isinstance(e, TicketAlreadyClaimedError) for e in losers), losers
        winner = winners[0].assignee
        assert all(e.assignee == winner for e in losers if isinstance(e, TicketAlreadyClaimedError))
        stored = tickets.get(ticket.id)
        assert (stored.status, stored.assignee, stored.version) == (TicketStatus.ACCEPTED, winner, 2)
        claims = [e for e in tickets.events(ticket.id) if e.action is Action.CLAIM]
        assert [e.actor for e in claims] == [winner]


class TestIdempotencyRace:
    def test_concurrent_creates_with_one_key_make_one_ticket(self, tickets: TicketService) -> None:
        results = race(
            [lambda: tickets.open_ticket("转人工", source="button", idempotency_key="k-1")] * THREADS
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        assert len({r.id for r in results if not isinstance(r, Exception)}) == 1
        assert tickets.list_queue().total == 1

    def test_concurrent_handoffs_of_one_session_share_a_ticket(self, tickets: TicketService) -> None:
        results = race([lambda: tickets.open_ticket("我要人工", session_id="s_race")] * THREADS)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert len({r.id for r in results if not isinstance(r, Exception)}) == 1
        assert len(tickets.tickets_for_session("s_race")) == 1

    def test_concurrent_retries_of_a_reply_store_it_once(self, tickets: TicketService) -> None:
        ticket = tickets.open_ticket("问题")
        results = race(
            [lambda: tickets.reply(ticket.id, "agent_li", "您好", idempotency_key="r-1")] * THREADS
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        assert len({r.id for r in results if not isinstance(r, Exception)}) == 1
        assert len(tickets.messages(ticket.id)) == 1
        assert [e.action for e in tickets.events(ticket.id)].count(Action.REPLY) == 1


class TestReplyCloseRace:
    def test_no_reply_lands_after_the_ticket_is_closed(self, tickets: TicketService) -> None:
        ticket = tickets.open_ticket("问题")
        tickets.claim(ticket.id, "agent_li")
        tickets.start(ticket.id, "agent_li")
        tickets.respond(ticket.id, "agent_li")
        calls: list[Callable[[], object]] = [lambda: tickets.close(ticket.id, "agent_li", "办结")]
        calls += [partial(tickets.reply, ticket.id, "agent_zhou", f"补充{i}") for i in range(THREADS - 1)]
        results = race(calls)
        assert not isinstance(results[0], Exception), results[0]
        refused = [r for r in results[1:] if isinstance(r, Exception)]
        assert all(isinstance(e, TicketClosedError) for e in refused), refused
        actions = [e.action for e in tickets.events(ticket.id)]
        assert actions[-1] is Action.CLOSE  # every accepted reply is recorded before the close
        assert len(tickets.messages(ticket.id)) == THREADS - 1 - len(refused)
