"""好差评 and 堵点 analytics over HTTP (staff only: the app adds the supervisor/admin dependency).

Every endpoint takes ``since`` / ``until`` (ISO dates, both inclusive, days in China Standard Time);
an unreadable date or ``since`` after ``until`` is a 422 that says which.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from assistant.analytics.export import TABLES, build_table, to_csv
from assistant.analytics.period import InvalidPeriodError, Period
from assistant.analytics.report import AnalyticsService

router = APIRouter(prefix="/api/analytics", tags=["analytics (好差评与堵点)"])


def get_analytics(request: Request) -> AnalyticsService:
    """The app's analytics service: ``app.state.analytics``, else ``app.state.services.analytics``."""
    service = getattr(request.app.state, "analytics", None)
    if service is None:
        service = getattr(getattr(request.app.state, "services", None), "analytics", None)
    if not isinstance(service, AnalyticsService):
        raise HTTPException(status_code=503, detail="analytics is not configured on this server")
    return service


AnalyticsDep = Annotated[AnalyticsService, Depends(get_analytics)]


def get_period(
    service: AnalyticsDep,
    since: Annotated[str | None, Query(description="First day, YYYY-MM-DD (inclusive).")] = None,
    until: Annotated[str | None, Query(description="Last day, YYYY-MM-DD (inclusive).")] = None,
) -> Period:
    try:
        return service.period(since, until)
    except InvalidPeriodError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None


PeriodDep = Annotated[Period, Depends(get_period)]
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many rows.")]


@router.get("/summary", summary="Headline counts: questions, outcomes, 好/差, tickets")
def summary(service: AnalyticsDep, period: PeriodDep) -> dict[str, Any]:
    return asdict(service.summary(period))


@router.get("/unanswered-topics", summary="堵点: questions refused or handed off, grouped into topics")
def unanswered_topics(service: AnalyticsDep, period: PeriodDep, limit: Limit = 20) -> list[dict[str, Any]]:
    return [asdict(t) for t in service.unanswered_topics(period, limit)]


@router.get("/worst-answers", summary="Answers rated 差 with their questions, reasons and sources")
def worst_answers(service: AnalyticsDep, period: PeriodDep, limit: Limit = 20) -> list[dict[str, Any]]:
    return [asdict(w) for w in service.worst_answers(period, limit)]


@router.get("/worst-sources", summary="Cited documents by how often their answers were rated 差")
def worst_sources(service: AnalyticsDep, period: PeriodDep, limit: Limit = 20) -> list[dict[str, Any]]:
    return [asdict(s) for s in service.worst_sources(period, limit)]


@router.get("/handoff-reasons", summary="Why conversations reached a person")
def handoff_reasons(service: AnalyticsDep, period: PeriodDep) -> list[dict[str, Any]]:
    return [asdict(h) for h in service.handoff_reasons(period)]


@router.get("/feedback-reasons", summary="Reasons given with 好/差 on answers and on tickets")
def feedback_reasons(service: AnalyticsDep, period: PeriodDep) -> list[dict[str, Any]]:
    return [asdict(f) for f in service.feedback_reasons(period)]


@router.get("/sla", summary="SLA compliance (受理 and 办结 on time) by category and department")
def sla(service: AnalyticsDep, period: PeriodDep, limit: Limit = 50) -> dict[str, Any]:
    return asdict(service.sla(period, limit))


@router.get("/trends", summary="Per day: questions, answered, refused, handoffs, 好, 差, tickets")
def trends(service: AnalyticsDep, period: PeriodDep) -> list[dict[str, Any]]:
    return [asdict(d) for d in service.trends(period)]


@router.get(
    "/export/{table}.csv",
    summary="One table as CSV (UTF-8 with BOM)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export(table: str, service: AnalyticsDep, period: PeriodDep, limit: Limit = 500) -> Response:
    if table not in TABLES:
        raise HTTPException(
            status_code=404, detail=f"unknown table {table!r}; use one of {', '.join(TABLES)}"
        )
    body = to_csv(build_table(service, table, period, limit))
    stamp = f"_{period.since or 'start'}_{period.until or 'now'}" if period.since or period.until else ""
    return Response(
        content=body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{table}{stamp}.csv"'},
    )
