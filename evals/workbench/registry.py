"""The suites ``govassist eval --suite`` knows, in the order ``all`` runs them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from evals.workbench.suite import Suite
from evals.workbench.suites_chat import BehaviourSuite, QaSuite
from evals.workbench.suites_external import MsgabenchSuite
from evals.workbench.suites_guangdong import GuangdongSuite
from evals.workbench.suites_guide import GuideSuite
from evals.workbench.suites_msgabench import MsgabenchAnswersSuite, MsgabenchNluSuite
from evals.workbench.suites_ops import PrereviewSuite, RoutingSuite
from evals.workbench.suites_reading import NcpPoliciesSuite
from evals.workbench.suites_retrieval import RetrievalSuite
from evals.workbench.suites_safety import SafetySuite
from evals.workbench.suites_scope import ScopeSuite

SUITES: dict[str, Callable[[], Suite]] = {
    "retrieval": RetrievalSuite,
    "qa": QaSuite,
    "behaviour": BehaviourSuite,
    "guide": GuideSuite,
    "routing": RoutingSuite,
    "msgabench": MsgabenchSuite,
    "msgabench_answers": MsgabenchAnswersSuite,
    "msgabench_nlu": MsgabenchNluSuite,
    "ncppolicies": NcpPoliciesSuite,
    "guangdong": GuangdongSuite,
    "prereview": PrereviewSuite,
    "safety": SafetySuite,
    "scope": ScopeSuite,
}
SMOKE = ("retrieval", "qa", "behaviour", "guide", "routing")
"""What the smoke profile runs when no suite is named: the bundled data only (no ../shared, no OCR)."""


def resolve(names: Sequence[str], *, smoke: bool = False) -> list[str]:
    """Suite names in run order; ``all`` (or nothing) means every suite (the smoke set with ``smoke``)."""
    unknown = [n for n in names if n != "all" and n not in SUITES]
    if unknown:
        raise ValueError(f"unknown suite {', '.join(unknown)}; choose from {', '.join(SUITES)} or all")
    if not names or "all" in names:
        return list(SMOKE if smoke else SUITES)
    return [n for n in SUITES if n in names]
