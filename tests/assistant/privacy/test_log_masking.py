"""Log records are masked when they are made: messages, arguments, exception text, access-log paths."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest

from assistant.privacy.log_masking import install_log_masking, mask_record

PHONE = "13800138000"  # made up


def test_installed_factory_masks_messages_arguments_and_exceptions(caplog: pytest.LogCaptureFixture) -> None:
    install_log_masking()
    install_log_masking()  # idempotent: one wrapper, not two
    caplog.set_level(logging.INFO)
    log = logging.getLogger("tests.privacy.logs")
    log.info(f"来电{PHONE}")
    log.info("来电 %s (%d)", PHONE, 3)
    log.info("%(who)s", {"who": f"邮箱zhangsan@example.com，电话{PHONE}"})
    try:
        raise ValueError(f"bad phone {PHONE}")
    except ValueError:
        log.exception("failed")
    assert caplog.records and PHONE not in caplog.text
    messages = [r.getMessage() for r in caplog.records]
    assert messages[:3] == [
        "来电138****8000",
        "来电 138****8000 (3)",
        "邮箱z***@example.com，电话138****8000",
    ]
    assert "bad phone 138****8000" in caplog.text


def test_uvicorn_access_log_paths_are_masked_even_percent_encoded() -> None:
    from uvicorn.logging import AccessFormatter

    path = "/api/services?q=" + quote(f"手机{PHONE}")
    assert PHONE in path  # the digits survive percent-encoding, glued to %xx escapes
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", path, "1.1", 200),
        None,
    )
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False).format(
        mask_record(record)
    )
    assert PHONE not in line and "138****8000" in line and '" 200' in line


def test_records_without_personal_data_are_unchanged() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "GET %s %s", ("/api/health?x=%20", 200), None)
    masked = mask_record(record)
    assert masked.getMessage() == "GET /api/health?x=%20 200"
