"""After a whole conversation over HTTP, no log line and no database row holds an unmasked number.

The real app (``create_app``) on a temp SQLite file: a citizen asks with a made-up ID number, mobile and
bank card in the message, rates the answer with a comment holding an e-mail, asks for a person; an
agent logs in, records a hotline call holding a landline and a credit code, claims the chat ticket,
notes and replies (quoting the numbers), closes it; the citizen reads the reply and rates the ticket.
Then every captured log record and every cell of every table of the database is scanned: none may
contain the raw numbers (whatever their separators) or anything :func:`contains_pii` detects.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, select

from assistant.api.app import create_app
from assistant.container import Services
from assistant.privacy import contains_pii, find_pii
from assistant.privacy.patterns import fold
from tests.handoff_db import database_engine, services_on

PASSWORD = "correct-horse-battery"
PHONE = "15833875004"
CARD = "6225884026859952"
LANDLINE = "010-65123456"
EMAIL = "wangxiaoming@example.com"


def _valid_id(first17: str) -> str:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def _valid_credit(first17: str) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(chars.index(c) * 3**i % 31 for i, c in enumerate(first17))
    return first17 + chars[(31 - total % 31) % 31]


# All made up, with valid check characters so that the detectors (and so a leak) would recognise them.
ID_NUMBER = _valid_id("11010519810313074")
CREDIT = _valid_credit("91110105MA01ABCD1")
SECRETS = {"id": ID_NUMBER, "phone": PHONE, "card": CARD, "landline": "65123456", "credit": CREDIT}
_ALNUM = re.compile(r"[0-9A-Za-z@.]")


@pytest.fixture
def services(chat_services: Services, tmp_path: Path) -> Iterator[Services]:
    with database_engine("sqlite", tmp_path) as engine:
        built = services_on(chat_services, engine)
        built.auth.create_user("agent.zhao", PASSWORD, "agent", display_name="赵坐席")
        yield built


def _conversation(client: TestClient) -> None:
    spaced_card = " ".join(CARD[i : i + 4] for i in range(0, 16, 4))
    first = client.post(
        "/api/chat",
        json={
            "message": f"我叫王小明，身份证号{ID_NUMBER}，手机{PHONE}，社保卡{spaced_card}，"
            "失业保险金怎么申领？"
        },
    )
    assert first.status_code == 200, first.text
    session_id = first.json()["session_id"]
    answer_id = next(
        m["id"] for m in client.get(f"/api/sessions/{session_id}/messages").json() if m["role"] == "assistant"
    )
    rated = client.post(
        f"/api/messages/{answer_id}/rating",
        json={"rating": "bad", "comment": f"没解决，请发邮件到{EMAIL}或打{PHONE}"},
    )
    assert rated.status_code == 200, rated.text
    handed = client.post(
        "/api/chat",
        json={"message": f"转人工，回电{PHONE[:3]}-{PHONE[3:7]}-{PHONE[7:]}", "session_id": session_id},
    ).json()
    if handed["outcome"] != "handoff":
        handed = client.post("/api/chat/handoff", json={"session_id": session_id, "reason": "button"}).json()
    assert handed["outcome"] == "handoff", handed
    ticket_id = handed["handoff"]["ticket_id"]

    token = client.post("/api/agent/login", json={"username": "agent.zhao", "password": PASSWORD}).json()[
        "token"
    ]
    auth = {"Authorization": f"Bearer {token}"}
    phone_call = client.post(
        "/api/agent/tickets",
        json={"question": f"企业{CREDIT}咨询社保，联系座机{LANDLINE}，经办人身份证{ID_NUMBER}"},
        headers=auth,
    )
    assert phone_call.status_code == 201, phone_call.text
    assert client.post(f"/api/agent/tickets/{ticket_id}/claim", headers=auth).status_code == 200
    note = client.post(
        f"/api/agent/tickets/{ticket_id}/note",
        json={"body": f"已核对卡号{CARD}与身份证{ID_NUMBER}"},
        headers=auth,
    )
    assert note.status_code == 201, note.text
    reply = client.post(
        f"/api/agent/tickets/{ticket_id}/reply",
        json={"body": f"王先生您好，已为您尾号{CARD[-4:]}的社保卡{CARD}办理，稍后致电{PHONE}。"},
        headers=auth,
    )
    assert reply.status_code == 201, reply.text
    assert client.post(f"/api/agent/tickets/{ticket_id}/start", headers=auth).status_code == 200
    responded = client.post(
        f"/api/agent/tickets/{ticket_id}/respond", json={"note": f"已电话{PHONE}告知"}, headers=auth
    )
    assert responded.status_code == 200, responded.text
    closed = client.post(
        f"/api/agent/tickets/{ticket_id}/close", json={"resolution": f"已办结，联系电话{PHONE}"}, headers=auth
    )
    assert closed.status_code == 200, closed.text
    assert client.get(f"/api/agent/tickets/{ticket_id}", headers=auth).status_code == 200
    seen = client.get(f"/api/sessions/{session_id}/ticket")
    assert seen.status_code == 200 and PHONE not in seen.text and CARD not in seen.text
    rating = client.post(
        f"/api/tickets/{ticket_id}/rating",
        json={"session_id": session_id, "rating": "好", "comment": f"谢谢，身份证{ID_NUMBER}的事办好了"},
    )
    assert rating.status_code in (200, 201), rating.text


def _cells(engine: Engine) -> Iterator[tuple[str, str]]:
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in zip(table.columns.keys(), row, strict=True):
                    if value is not None:
                        yield f"{table.name}.{column}", str(value)


def _raw_numbers(text: str) -> list[str]:
    """Which of the secrets appear in ``text``, separators and full-width forms ignored."""
    core = "".join(_ALNUM.findall(fold(text))).upper()
    return [name for name, secret in SECRETS.items() if "".join(_ALNUM.findall(secret)).upper() in core]


def _leaks(engine: Engine, lines: list[str]) -> tuple[list[tuple[str, str]], set[str], int]:
    """Log lines and ``table.column`` cells holding a raw secret or detectable PII; tables seen; cells."""
    found = [("log", line) for line in lines if _raw_numbers(line) or contains_pii(line)]
    tables: set[str] = set()
    scanned = 0
    for where, value in _cells(engine):
        scanned += 1
        tables.add(where.split(".")[0])
        if _raw_numbers(value) or contains_pii(value):
            found.append((where, value))
    return found, tables, scanned


def test_no_unmasked_number_in_any_log_line_or_database_row(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(services=services, mount_ui=False)) as client:
        _conversation(client)
    assert caplog.records, "the run logged nothing: the scan would prove nothing"
    lines = [record.getMessage() for record in caplog.records] + [caplog.text]

    found, tables, scanned = _leaks(services.store.engine, lines)
    assert found == [], [(where, value, find_pii(value)) for where, value in found]
    # The flow really wrote where the numbers were typed: messages, tickets, notes, replies, feedback.
    assert {"chat_messages", "tickets", "ticket_messages"} <= tables, tables
    assert scanned > 50


def test_the_scan_finds_a_planted_number(tmp_path: Path) -> None:
    from sqlalchemy import Column, String, Table, create_engine, insert

    engine = create_engine(f"sqlite:///{tmp_path / 'planted.db'}")
    metadata = MetaData()
    notes = Table("notes", metadata, Column("body", String))
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(notes), [{"body": "已核对"}, {"body": f"卡号{CARD[:8]} {CARD[8:]}"}])
    found, tables, _ = _leaks(engine, ["ok", f"phone={PHONE[:3]}****{PHONE[-4:]}", f"id={ID_NUMBER}"])
    assert found == [("log", f"id={ID_NUMBER}"), ("notes.body", f"卡号{CARD[:8]} {CARD[8:]}")]
    assert tables == {"notes"}
    engine.dispose()
