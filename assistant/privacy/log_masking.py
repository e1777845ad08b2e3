"""Mask personal data in every log record, whoever logs it (our modules, uvicorn's access log, libraries).

:func:`install_log_masking` wraps the process's log-record factory, so records are masked when they are
made, before any handler or formatter sees them — handlers that a server configures later (uvicorn's
``dictConfig``) are covered too. The message, each string argument (kept in place, so formatters that
read ``record.args`` by position, like uvicorn's access formatter, still work) and the text of an
attached exception are masked with :func:`~assistant.privacy.mask_pii`. A percent-encoded argument (a
request path with a query) is decoded first when that reveals personal data: ``?q=%E6%89%8B%E6%9C%BA…``.
Records of disabled levels are never made, so they cost nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from assistant.privacy.redaction import mask_pii

__all__ = ["install_log_masking", "mask_record"]

_FORMATTER = logging.Formatter()
_installed: dict[str, Callable[..., logging.LogRecord]] = {}


def _mask_value(value: object) -> object:
    if not isinstance(value, str):
        return value
    masked = mask_pii(value)
    if masked == value and "%" in value:
        decoded = unquote(value)
        if decoded != value and (decoded_masked := mask_pii(decoded)) != decoded:
            return decoded_masked
    return masked


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """``record`` with its message, string arguments and exception text masked (in place)."""
    record.msg = _mask_value(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_mask_value(a) for a in record.args)
    elif isinstance(record.args, Mapping):
        record.args = {k: _mask_value(v) for k, v in record.args.items()}
    if record.exc_info and not record.exc_text:
        record.exc_text = mask_pii(_FORMATTER.formatException(record.exc_info))
    return record


def install_log_masking() -> None:
    """Make every future log record of this process masked; calling it again changes nothing."""
    if "factory" in _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(previous(*args, **kwargs))

    _installed["factory"] = factory
    logging.setLogRecordFactory(factory)
