"""The agent console's event handlers: plain functions over ``Services`` that each return a ``Step``.

Every handler first checks the login token with ``AuthService``; a missing, revoked or expired one gives
a step back to the login view that leaves the draft reply alone. Service errors (``HandoffError``) become
a clear Chinese message with the service's own words in brackets; anything else is logged and reported
without a stack trace. The calls mirror ``assistant.api.agent_router``, so the page and the HTTP API do
the same thing.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from assistant.container import Services
from assistant.handoff.assist_store import SuggestionAction
from assistant.handoff.auth import require_role
from assistant.handoff.errors import AuthenticationError, HandoffError
from assistant.handoff.lifecycle import Action, TicketSource, TicketStatus, allowed_actions
from assistant.handoff.records import Page, Ticket
from assistant.handoff.staff import Role, StaffUser
from ui.agent_errors import UNAVAILABLE_TEXT, describe
from ui.agent_render import TicketView, reply_text
from ui.agent_state import (
    EXPIRED_TEXT,
    LOGGED_OUT_TEXT,
    PAGE_SIZE,
    REPLY_SENT_TEXT,
    Pending,
    PhoneAssist,
    QueueQuery,
    Step,
)

logger = logging.getLogger(__name__)
DRAFT_KEPT_TEXT = "回复框里还有未发送的草稿，请确认它适用于这个工单。"


def _staff_step(services: Services, token: str | None, work: Callable[[StaffUser], Step]) -> Step:
    """Run ``work`` as the token's staff user, turning failures into a message."""
    try:
        user = require_role(services.auth.verify(token or ""), Role.AGENT)
    except AuthenticationError:
        return Step(view="login", login_notice=EXPIRED_TEXT, token="")
    except HandoffError as error:
        return Step(view="login", login_notice=describe(error), token="")
    return _guard(lambda: work(user))


def _guard(work: Callable[[], Step]) -> Step:
    try:
        return work()
    except HandoffError as error:
        return Step(notice=describe(error), error=True)
    except Exception:
        logger.exception("agent console action failed")
        return Step(notice=UNAVAILABLE_TEXT, error=True)


# ------------------------------------------------------------------------------------- log-in


def login(services: Services, username: str, password: str, draft: str = "") -> Step:
    """Log in; on success show the console with the default queue and restore the kept draft."""

    def work() -> Step:
        try:
            result = services.auth.login(username, password)
        except AuthenticationError:
            return Step(login_notice="用户名或密码错误，请重试。", error=True)
        user = require_role(result.user, Role.AGENT)
        queue = services.tickets.list_queue(QueueQuery().to_filter(user), page_size=PAGE_SIZE)
        hello = f"欢迎，{user.display_name}。"
        return Step(view="console", token=result.token, user=user, queue=queue, draft=draft, notice=hello)

    step = _guard(work)
    if step.error and step.login_notice is None:
        return Step(login_notice=step.notice, error=True)
    return step


def logout(services: Services, token: str | None) -> Step:
    """Revoke the token and go back to the login view."""
    if token:
        try:
            services.auth.logout(token)
        except Exception:  # leaving must always work; the token expires on its own
            logger.exception("logout failed")
    return Step(view="login", login_notice=LOGGED_OUT_TEXT, token="")


# -------------------------------------------------------------------------------------- queue


def _queue(services: Services, user: StaffUser, query: QueueQuery) -> Page[Ticket]:
    page = max(1, int(query.page or 1))
    return services.tickets.list_queue(query.to_filter(user), page=page, page_size=PAGE_SIZE)


def refresh_queue(services: Services, token: str | None, query: QueueQuery) -> Step:
    """The queue page matching ``query``."""
    return _staff_step(services, token, lambda user: Step(queue=_queue(services, user, query)))


def ticket_view(services: Services, ticket_id: str) -> TicketView:
    """A ticket with its transcript, messages, audit trail and the lifecycle actions it allows."""
    tickets = services.tickets
    ticket = tickets.get(ticket_id)
    return TicketView(
        ticket,
        tickets.transcript(ticket_id),
        tickets.messages(ticket_id),
        tickets.events(ticket_id),
        allowed_actions(ticket.status),
        ticket.status is not TicketStatus.CLOSED,
    )


def open_ticket(services: Services, token: str | None, ticket_id: str, draft: str = "") -> Step:
    """Show one ticket and compute agent-assist suggestions for its citizen questions.

    A draft already in the reply box is kept, with a reminder to check it suits this ticket.
    """
    if not ticket_id:
        return Step(notice="请先在队列中选择一个工单。", error=True)

    def work(_user: StaffUser) -> Step:
        view = ticket_view(services, ticket_id)
        suggestions = [s.to_dict() for s in services.assist.for_ticket(ticket_id)]
        notice = DRAFT_KEPT_TEXT if draft.strip() else f"已打开工单 {ticket_id}。"
        return Step(ticket=view, suggestions=suggestions, pending=Pending(), notice=notice)

    return _staff_step(services, token, work)


def open_picked(services: Services, token: str | None, ticket_id: str, draft: str = "") -> Step:
    """The ticket picker's own event: a ticket picked opens; an empty picker (Tab passing through it,
    the text cleared) is no request, so it changes nothing and warns of nothing."""
    if not ticket_id:
        return Step()
    return open_ticket(services, token, ticket_id, draft)


# ---------------------------------------------------------------------------------- lifecycle

NEEDS_TEXT = {Action.CLOSE: "请填写办理结果后再办结。", Action.REOPEN: "请填写重新打开的原因。"}


def lifecycle(
    services: Services,
    token: str | None,
    ticket_id: str,
    action: Action | str,
    text: str = "",
    satisfaction: str = "",
    query: QueueQuery | None = None,
) -> Step:
    """受理 / 办理 / 反馈 / 办结 / 回访 / 重新打开 (转办 has its own handler), then refresh."""
    chosen = Action(action)
    if not ticket_id:
        return Step(notice="请先在队列中选择一个工单。", error=True)
    if chosen in NEEDS_TEXT and not text.strip():
        return Step(notice=NEEDS_TEXT[chosen], error=True)
    if chosen is Action.REVISIT and not satisfaction:
        return Step(notice="请选择回访结果（满意 / 基本满意 / 不满意）。", error=True)

    def work(user: StaffUser) -> Step:
        me, tickets = user.username, services.tickets
        if chosen is Action.CLAIM:
            tickets.claim(ticket_id, me)
        elif chosen is Action.START:
            tickets.start(ticket_id, me)
        elif chosen is Action.RESPOND:
            tickets.respond(ticket_id, me, note=text.strip())
        elif chosen is Action.CLOSE:
            services.handoff.close(ticket_id, me, text.strip())
        elif chosen is Action.REVISIT:
            tickets.revisit(ticket_id, me, satisfaction, note=text.strip())
        elif chosen is Action.REOPEN:
            tickets.reopen(ticket_id, me, text.strip())
        else:
            return Step(notice=f"“{chosen.value}”请使用对应的按钮。", error=True)
        return _after_change(services, user, ticket_id, query, f"已{chosen.value}。")

    return _staff_step(services, token, work)


def claim(services: Services, token: str | None, ticket_id: str, query: QueueQuery | None = None) -> Step:
    """受理: the first agent to claim gets the ticket; the others see who has it."""
    return lifecycle(services, token, ticket_id, Action.CLAIM, query=query)


def transfer(
    services: Services,
    token: str | None,
    ticket_id: str,
    department: str,
    note: str = "",
    query: QueueQuery | None = None,
) -> Step:
    """转办 to a department."""
    if not department.strip():
        return Step(notice="请填写要转办的部门。", error=True)

    def work(user: StaffUser) -> Step:
        services.tickets.transfer(ticket_id, user.username, department.strip(), note=note.strip())
        return _after_change(services, user, ticket_id, query, f"已转办至 {department.strip()}。")

    return _staff_step(services, token, work)


def add_note(
    services: Services, token: str | None, ticket_id: str, body: str, query: QueueQuery | None = None
) -> Step:
    """An internal note (the citizen never sees it)."""
    if not body.strip():
        return Step(notice="备注不能为空。", error=True)

    def work(user: StaffUser) -> Step:
        services.tickets.add_note(ticket_id, user.username, body.strip())
        return _after_change(services, user, ticket_id, query, "备注已添加（仅工作人员可见）。")

    return _staff_step(services, token, work)


def _after_change(
    services: Services, user: StaffUser, ticket_id: str, query: QueueQuery | None, notice: str
) -> Step:
    """The ticket and (when the page's filters are known) the queue, re-read after a change."""
    queue = _queue(services, user, query) if query is not None else None
    return Step(notice=notice, ticket=ticket_view(services, ticket_id), queue=queue, clear_inputs=True)


# ------------------------------------------------------------------------- replies, suggestions


def send_reply(
    services: Services,
    token: str | None,
    ticket_id: str,
    body: str,
    pending: Pending | None = None,
    query: QueueQuery | None = None,
) -> Step:
    """Reply to the citizen (it reaches their chat session); record ``used`` / ``edited`` for an
    accepted suggestion, by whether the text sent is the suggestion's."""
    if not ticket_id:
        return Step(notice="请先在队列中选择一个工单。", error=True)
    if not body.strip():
        return Step(notice="回复内容不能为空。", error=True)

    def work(user: StaffUser) -> Step:
        services.handoff.reply(ticket_id, user.username, body.strip())
        notice = REPLY_SENT_TEXT
        if pending is not None and pending.suggestion_id:
            action = SuggestionAction.USED if _same(body, pending.text) else SuggestionAction.EDITED
            final = "" if action is SuggestionAction.USED else body.strip()
            try:
                services.assist.record_feedback(
                    ticket_id, pending.suggestion_id, user.username, action, final
                )
            except HandoffError as error:  # the reply is out; only the statistic is lost
                notice += f" 建议采纳情况未能记录：{describe(error)}"
        step = _after_change(services, user, ticket_id, query, notice)
        return replace(step, draft="", pending=Pending(), clear_inputs=False)

    return _staff_step(services, token, work)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _pick(suggestions: Sequence[Mapping[str, Any]], index: int | None) -> Mapping[str, Any] | None:
    if not suggestions:
        return None
    position = len(suggestions) - 1 if index is None else index
    return suggestions[position] if 0 <= position < len(suggestions) else None


def accept_suggestion(
    services: Services,
    token: str | None,
    ticket_id: str,
    suggestions: Sequence[Mapping[str, Any]],
    index: int | None = None,
) -> Step:
    """Put the chosen suggestion (default: the latest) into the reply box; sending records the verdict."""
    chosen = _pick(suggestions, index)
    if chosen is None:
        return Step(notice="没有可采用的建议答复。", error=True)

    def work(_user: StaffUser) -> Step:
        text = reply_text(chosen)
        pending = Pending(str(chosen["suggestion_id"]), text)
        return Step(draft=text, pending=pending, notice="建议答复已填入回复框，可修改后发送。")

    return _staff_step(services, token, work)


def discard_suggestion(
    services: Services,
    token: str | None,
    ticket_id: str,
    suggestions: Sequence[Mapping[str, Any]],
    index: int | None = None,
    pending: Pending | None = None,
) -> Step:
    """Record that the chosen suggestion was not used."""
    chosen = _pick(suggestions, index)
    if chosen is None:
        return Step(notice="没有可放弃的建议答复。", error=True)

    def work(user: StaffUser) -> Step:
        suggestion_id = str(chosen["suggestion_id"])
        services.assist.record_feedback(ticket_id, suggestion_id, user.username, SuggestionAction.DISCARDED)
        kept = pending if pending is not None and pending.suggestion_id != suggestion_id else Pending()
        return Step(notice="已记录：不采用该建议。", pending=kept)

    return _staff_step(services, token, work)


# ---------------------------------------------------------------------------------- phone calls


def phone_assist(services: Services, token: str | None, text: str) -> Step:
    """A suggested answer (with citations) for what a caller asks."""
    if not text.strip():
        return Step(notice="请先输入来电内容。", error=True)

    def work(_user: StaffUser) -> Step:
        suggestion = services.assist.for_text(text).to_dict()
        return Step(phone=PhoneAssist(text.strip(), suggestion), notice="已生成建议答复。")

    return _staff_step(services, token, work)


def create_phone_ticket(
    services: Services,
    token: str | None,
    text: str,
    phone: PhoneAssist | None = None,
    query: QueueQuery | None = None,
) -> Step:
    """Record a ticket for the call (as ``POST /api/agent/tickets`` does) and open it."""
    question = text.strip()
    if not question:
        return Step(notice="请先输入来电内容。", error=True)

    def work(user: StaffUser) -> Step:
        hint = services.handoff.suggest(question)
        key = phone.key if phone is not None and phone.text == question else uuid.uuid4().hex
        ticket = services.tickets.open_ticket(
            question,
            source=TicketSource.PHONE,
            department=hint.department[:128] if hint is not None else "",
            reason="phone_call",
            actor=user.username,
            idempotency_key="phone:" + hashlib.sha256(f"{user.id}\x00ui:{key}".encode()).hexdigest()[:48],
        )
        step = _after_change(services, user, ticket.id, query, f"已创建电话工单 {ticket.id}。")
        suggestions = [s.to_dict() for s in services.assist.for_ticket(ticket.id)]
        return replace(step, suggestions=suggestions, pending=Pending())

    return _staff_step(services, token, work)
