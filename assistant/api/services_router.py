"""智能导办 over HTTP: search the service catalogue, read one item, and build its checklist."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from assistant.api.dependencies import ServicesDep
from assistant.guide.service import GuideService, UnknownGuide

router = APIRouter(prefix="/api/services", tags=["services (智能导办)"])


class ServiceSummary(BaseModel):
    id: str
    name: str
    kind: str
    department: str
    region: str
    score: float = Field(description="How well the item fits the query (0–1).")


class ChecklistRequest(BaseModel):
    answers: dict[str, str] = Field(
        default_factory=dict,
        description="情形 answers: situation id → option id (see the item's `situations`).",
        examples=[{"marriage": "unmarried", "hukou": "mother"}],
    )


def _guides(services: ServicesDep) -> GuideService:
    if services.guides is None:
        raise HTTPException(status_code=503, detail="智能导办 is switched off (settings: guide_enabled)")
    return services.guides


@router.get("", response_model=list[ServiceSummary], summary="Search the service catalogue")
def search_services(
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="e.g. 孩子刚出生要办什么")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[dict[str, Any]]:
    if not q.strip():
        raise HTTPException(status_code=422, detail="q must not be blank")
    return [
        {
            "id": m.guide.id,
            "name": m.guide.name,
            "kind": m.guide.kind,
            "department": m.guide.department,
            "region": m.guide.region,
            "score": round(m.score, 4),
        }
        for m in _guides(services).search(q, limit)
    ]


@router.get("/{service_id}", summary="One service item or 一件事 with its 情形 questions and materials")
def get_service(service_id: str, services: ServicesDep) -> dict[str, Any]:
    try:
        return _guides(services).get(service_id).model_dump(mode="json")
    except UnknownGuide:
        raise HTTPException(status_code=404, detail=f"unknown service id: {service_id}") from None


@router.post("/{service_id}/checklist", summary="The personalised checklist for these 情形 answers")
def checklist(service_id: str, request: ChecklistRequest, services: ServicesDep) -> dict[str, Any]:
    try:
        return _guides(services).checklist(service_id, request.answers).to_dict()
    except UnknownGuide:
        raise HTTPException(status_code=404, detail=f"unknown service id: {service_id}") from None
    except ValueError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
