"""Exception handlers: the handoff services' errors and a dropped database, as clear JSON answers."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from assistant.handoff.errors import AuthenticationError, HandoffError

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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HandoffError, handoff_error)
    app.add_exception_handler(OperationalError, database_unavailable)
    app.add_exception_handler(InterfaceError, database_unavailable)  # e.g. "connection already closed"
