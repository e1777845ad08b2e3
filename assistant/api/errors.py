"""Exception handlers: the handoff services' errors, a dropped database, a full upload store and an
unreachable vector store, as clear JSON answers."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from assistant.components.vectorstore import VectorStoreUnavailable
from assistant.handoff.errors import AuthenticationError, HandoffError
from assistant.prereview.storage import StorageFull

logger = logging.getLogger(__name__)


async def handoff_error(_request: Request, error: Exception) -> JSONResponse:
    """Every ticket/staff error answers with its own ``http_status`` and says what went wrong."""
    assert isinstance(error, HandoffError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, AuthenticationError) else None
    return JSONResponse(
        status_code=error.http_status,
        content={"detail": str(error), "error": type(error).__name__},
        headers=headers,
    )


async def database_unavailable(_request: Request, error: Exception) -> JSONResponse:
    """A dropped connection or a database locked beyond its busy timeout: the transaction was rolled back
    (and a dropped connection discarded from the pool), so a retry is safe."""
    logger.warning("database unavailable: %s", getattr(error, "orig", error))
    return JSONResponse(
        status_code=503,
        content={"detail": "数据库暂时不可用，请稍后重试 (database unavailable; retry)"},
        headers={"Retry-After": "1"},
    )


async def storage_full(_request: Request, error: Exception) -> JSONResponse:
    """The upload store is full (disk, quota or its cap): 507, nothing of the request was kept."""
    reason = getattr(error, "reason", "")
    return JSONResponse(
        status_code=507,
        content={
            "detail": "上传存储空间已满，本次材料未保存，请稍后重试或到窗口办理 "
            "(upload storage is full: nothing from this request was kept; please retry later)",
            "error": "StorageFull",
            "reason": reason,
        },
        headers={"Retry-After": "60"},
    )


async def vectorstore_unavailable(_request: Request, error: Exception) -> JSONResponse:
    """The Chroma server cannot be reached: 503, and the next request tries it again."""
    logger.warning("vector store unavailable: %s", error)
    return JSONResponse(
        status_code=503,
        content={
            "detail": "知识库检索服务暂时不可用，请稍后重试 (vector store unavailable; retry)",
            "error": "VectorStoreUnavailable",
        },
        headers={"Retry-After": "5"},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HandoffError, handoff_error)
    app.add_exception_handler(OperationalError, database_unavailable)
    app.add_exception_handler(InterfaceError, database_unavailable)  # e.g. "connection already closed"
    app.add_exception_handler(StorageFull, storage_full)
    app.add_exception_handler(VectorStoreUnavailable, vectorstore_unavailable)
