"""智能预审 over HTTP: upload materials for a service and 情形, get the advisory report; delete them."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Response, UploadFile
from fastapi.responses import JSONResponse

from assistant.api.dependencies import ServicesDep
from assistant.chat_prereview import NoItemInSession, PrereviewContext, UnknownSession
from assistant.guide.service import UnknownGuide
from assistant.prereview.models import IntakeError
from assistant.prereview.report import render_report_text, report_to_dict
from assistant.prereview.service import PrereviewService

router = APIRouter(prefix="/api/prereview", tags=["pre-review (智能预审)"])


def _service(services: ServicesDep) -> PrereviewService:
    if services.prereview is None:
        raise HTTPException(status_code=503, detail="智能预审 is switched off (settings: guide_enabled)")
    return services.prereview


def _rejected(error: IntakeError) -> dict[str, Any]:
    return {"file": error.file_name, "status": error.status, "detail": str(error)}


@router.post(
    "",
    summary="Pre-check uploaded materials against a service's checklist (advisory, never a rejection)",
    response_description="Per material 已提供 / 缺少 / 疑似有误 / 无法识别 with reasons and what to do, the "
    "verdict (可以提交 / 需补正), files that matched nothing, refused files, and a text rendering.",
)
async def prereview(
    services: ServicesDep,
    files: Annotated[list[UploadFile], File(description="Up to 20 JPEG, PNG, PDF or DOCX files")],
    service_id: Annotated[
        str, Form(description="The catalogue item, e.g. yjs-newborn; defaults to the session's item")
    ] = "",
    answers: Annotated[
        str | None,
        Form(description='情形 answers as JSON, e.g. {"married": "married"}; default: the session\'s'),
    ] = None,
    session_id: Annotated[
        str, Form(description="A chat session whose guided flow chose the item; the report joins it")
    ] = "",
) -> Any:
    service = _service(services)
    context = _session_context(services, session_id) if session_id else None
    if not service_id:
        if context is None:
            detail = "service_id is required (or a session_id whose guided flow chose an item)"
            raise HTTPException(status_code=422, detail=detail)
        service_id = context.guide_id
    if answers is None and context is not None and context.guide_id == service_id:
        parsed: object = context.answers
    else:
        try:
            parsed = json.loads(answers or "{}")
        except json.JSONDecodeError:
            raise HTTPException(status_code=422, detail="answers must be a JSON object") from None
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise HTTPException(status_code=422, detail="answers must map situation ids to option ids")
    uploads: list[tuple[str, bytes]] = []
    for upload in files:  # the body limit bounds the request; intake checks the count and sizes
        data = await upload.read(service.limits.max_file_bytes + 1)  # at most one byte over the limit
        uploads.append((upload.filename or "file", data))
    try:
        outcome = service.review(service_id, parsed, uploads)
    except UnknownGuide:
        raise HTTPException(status_code=404, detail=f"unknown service id: {service_id}") from None
    except IntakeError as error:
        raise HTTPException(status_code=error.status, detail=str(error)) from None
    except ValueError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
    text = render_report_text(outcome.report)
    body = {
        **report_to_dict(outcome.report),
        "rejected": [_rejected(e) for e in outcome.rejected],
        "text": text,
    }
    if context is not None:
        body["session_id"] = context.session_id
        body["message_id"] = services.chat.record_prereview(context.session_id, len(uploads), text)
    if outcome.rejected and len(outcome.rejected) == len(uploads):
        status = max(e.status for e in outcome.rejected)
        return JSONResponse(
            status_code=status, content={"detail": "没有可预审的文件 (no file could be read)", **body}
        )
    return body


def _session_context(services: ServicesDep, session_id: str) -> PrereviewContext | None:
    """The session's item and answers; 404 for an unknown session, None when it has chosen no item."""
    try:
        return services.chat.prereview_context(session_id)
    except UnknownSession:
        raise HTTPException(status_code=404, detail=f"unknown session id: {session_id}") from None
    except NoItemInSession:
        return None


@router.delete("/{review_id}", status_code=204, summary="Delete a pre-review's uploaded files now")
def delete_review(review_id: str, services: ServicesDep) -> Response:
    if not _service(services).delete(review_id):
        raise HTTPException(status_code=404, detail=f"unknown pre-review id: {review_id}")
    return Response(status_code=204)
