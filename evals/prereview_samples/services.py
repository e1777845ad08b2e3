"""The services a case set covers: for each, a planner and the 情形 answer combinations used.

A planner takes the answers and returns the people involved and the files of every checklist
material. ``SCENARIOS`` lists, per service, answer combinations that answer every question asked, so
the checklist is final. Materials outside the recognised types are planned as titled documents with
``checked=False`` (expected status ``not_checked``).
"""

from __future__ import annotations

from collections.abc import Callable

from evals.prereview_samples.business_services import (
    employee_hiring,
    enterprise_info_change,
    restaurant,
    utilities_connection,
)
from evals.prereview_samples.personal_services import (
    newborn,
    retirement,
    school_enrolment,
    social_security_card_service,
)
from evals.prereview_samples.plan import CaseContext, MaterialPlan

Answers = dict[str, str]
Planner = Callable[[CaseContext, Answers], list[MaterialPlan]]

#: service id → (planner, [(answers, weight)]).
SCENARIOS: dict[str, tuple[Planner, list[tuple[Answers, int]]]] = {
    "yjs-newborn": (
        newborn,
        [
            ({"married": "married", "follow": "father", "insure": "together"}, 4),
            ({"married": "married", "follow": "mother", "insure": "later"}, 2),
            ({"married": "married", "follow": "father", "insure": "later"}, 2),
            ({"married": "unmarried", "follow": "mother", "insure": "together"}, 1),
            ({"married": "unmarried", "follow": "father", "insure": "later"}, 1),
        ],
    ),
    "yjs-retirement": (
        retirement,
        [
            ({"staff_type": "enterprise", "retire_type": "normal", "deemed": "none", "fund": "skip"}, 3),
            ({"staff_type": "public", "deemed": "none", "fund": "skip"}, 2),
        ],
    ),
    "yjs-social-security-card": (
        social_security_card_service,
        [
            ({"status": "first", "applicant": "self"}, 2),
            ({"status": "lost", "applicant": "self"}, 1),
            ({"status": "damaged", "applicant": "self"}, 1),
            ({"status": "first", "applicant": "minor"}, 2),
            ({"status": "damaged", "applicant": "minor"}, 1),
            ({"status": "first", "applicant": "proxy"}, 2),
            ({"status": "lost", "applicant": "proxy"}, 1),
            ({"status": "has_card"}, 1),
        ],
    ),
    "yjs-school-enrolment": (
        school_enrolment,
        [
            ({"stage": "primary", "hukou": "local", "housing": "own"}, 3),
            ({"stage": "primary", "hukou": "local", "housing": "rent"}, 1),
        ],
    ),
    "yjs-utilities-connection": (
        utilities_connection,
        [
            ({"applicant": "premises", "power": "low", "gas": "no_gas"}, 3),
            ({"applicant": "premises", "power": "high", "gas": "no_gas"}, 1),
            ({"applicant": "premises", "power": "low", "gas": "need_gas"}, 1),
        ],
    ),
    "yjs-restaurant": (
        restaurant,
        [
            ({"has_license": "licensed", "venue": "small", "signboard": "no_sign"}, 3),
            ({"has_license": "licensed", "venue": "public_venue", "signboard": "sign"}, 1),
            ({"has_license": "new", "entity": "individual", "venue": "small", "signboard": "no_sign"}, 2),
            ({"has_license": "new", "entity": "company", "venue": "public_venue", "signboard": "no_sign"}, 1),
        ],
    ),
    "yjs-employee-hiring": (
        employee_hiring,
        [
            ({"nationality": "mainland", "has_card": "has", "fund_account": "opened"}, 2),
            ({"nationality": "mainland", "has_card": "none", "fund_account": "opened"}, 1),
            ({"nationality": "mainland", "has_card": "has", "fund_account": "none"}, 2),
            ({"nationality": "mainland", "has_card": "none", "fund_account": "none"}, 1),
        ],
    ),
    "yjs-enterprise-info-change": (
        enterprise_info_change,
        [
            ({"change": "legal_rep", "company_type": "llc", "fund": "opened"}, 2),
            ({"change": "address", "company_type": "llc", "fund": "opened"}, 2),
            ({"change": "scope", "company_type": "jsc", "fund": "none"}, 1),
            ({"change": "name", "company_type": "llc", "fund": "opened"}, 1),
            ({"change": "legal_rep", "company_type": "non_company", "fund": "opened"}, 1),
        ],
    ),
}
