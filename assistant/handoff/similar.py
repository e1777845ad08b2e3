"""Similar resolved tickets: the most recently closed tickets, compared with a question by shared terms.

Every call reads which tickets are the ``max_past`` most recently closed (their ids and close times only)
and fetches the rest of a ticket (question, resolution, department, category) once per close, keeping
its question's terms in memory. So a lookup stays a few milliseconds with thousands of closed tickets,
and the answer is never stale: a reopened ticket drops out, and a re-closed one is fetched again.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, select

from assistant.components.database import read_only
from assistant.handoff.lifecycle import TicketStatus
from assistant.handoff.ticket_queries import TICKETS

MIN_SIMILARITY = 0.2

_RECENT = (
    select(TICKETS.c.id, TICKETS.c.closed_at)
    .where(TICKETS.c.status == TicketStatus.CLOSED.value)
    .order_by(TICKETS.c.closed_at.desc(), TICKETS.c.id)
    .limit(bindparam("b_limit"))
)
_DETAILS = select(
    TICKETS.c.id,
    TICKETS.c.closed_at,
    TICKETS.c.question,
    TICKETS.c.resolution,
    TICKETS.c.department,
    TICKETS.c.category,
).where(TICKETS.c.id.in_(bindparam("b_ids", expanding=True)))
_FETCH_CHUNK = 500


@dataclass(frozen=True)
class _Closed:
    id: str
    closed_at: datetime | None
    question: str
    resolution: str
    department: str
    category: str
    terms: frozenset[str]


class ClosedTickets:
    """The recently closed tickets of one database, with their question terms cached per close."""

    def __init__(self, engine: Engine, tokenize: Callable[[str], Sequence[str]], max_past: int) -> None:
        self.engine = engine
        self._reads = read_only(engine)
        self.tokenize = tokenize
        self.max_past = max_past
        self._cache: dict[str, _Closed] = {}
        self._lock = threading.Lock()

    def similar(self, question: str, *, exclude: str | None, k: int) -> list[dict[str, Any]]:
        """Up to ``k`` closed tickets by cosine over term sets (≥ ``MIN_SIMILARITY``), best first."""
        wanted = frozenset(self.tokenize(question))
        if not wanted:
            return []
        scored: list[tuple[float, _Closed]] = []
        for ticket in self._recent():
            if ticket.id == exclude or not ticket.terms:
                continue
            shared = len(wanted & ticket.terms)
            if shared:
                score = shared / math.sqrt(len(wanted) * len(ticket.terms))
                if score >= MIN_SIMILARITY:
                    scored.append((score, ticket))
        scored.sort(key=lambda pair: (-pair[0], pair[1].id))
        return [
            {
                "ticket_id": t.id,
                "question": t.question,
                "resolution": t.resolution,
                "department": t.department,
                "category": t.category,
                "score": round(score, 4),
            }
            for score, t in scored[:k]
        ]

    def _recent(self) -> list[_Closed]:
        """The ``max_past`` most recently closed tickets, fetching only those not cached as closed then."""
        with self._reads.connect() as db:
            recent = db.execute(_RECENT, {"b_limit": self.max_past}).all()
            with self._lock:
                missing = [
                    row.id
                    for row in recent
                    if (cached := self._cache.get(row.id)) is None or cached.closed_at != row.closed_at
                ]
            fetched = [
                row
                for start in range(0, len(missing), _FETCH_CHUNK)
                for row in db.execute(_DETAILS, {"b_ids": missing[start : start + _FETCH_CHUNK]})
            ]
        entries = [
            _Closed(
                r.id,
                r.closed_at,
                r.question,
                r.resolution,
                r.department,
                r.category,
                frozenset(self.tokenize(r.question)),
            )
            for r in fetched
        ]
        with self._lock:
            for entry in entries:
                self._cache[entry.id] = entry
            wanted = {row.id for row in recent}
            for stale in [i for i in self._cache if i not in wanted]:  # reopened, or no longer recent
                del self._cache[stale]
            return [self._cache[row.id] for row in recent if row.id in self._cache]
