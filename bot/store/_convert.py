"""ORM rows to the frozen records the store hands out, and time helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from . import _records as r
from ._schema import Conversation, Customer, CustomerHandle, FeedbackEvent, Message, Outbox, Ticket

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime is refused (it has no meaning on its own)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: pass a timezone-aware one")
    return value.astimezone(UTC)


def customer(row: Customer) -> r.CustomerRecord:
    return r.CustomerRecord(
        id=row.id, display_name=row.display_name, language=row.language, created_at=row.created_at
    )


def handle(row: CustomerHandle) -> r.HandleRecord:
    return r.HandleRecord(
        customer_id=row.customer_id, channel=row.channel, channel_user_id=row.channel_user_id
    )


def conversation(row: Conversation, customer_name: str | None) -> r.ConversationRecord:
    return r.ConversationRecord(
        id=row.id,
        customer_id=row.customer_id,
        customer_name=customer_name,
        channel=row.channel,
        channel_user_id=row.channel_user_id,
        state=cast(r.ConversationState, row.state),
        department=row.department,
        assigned_agent=row.assigned_agent,
        language=row.language,
        policy_state=dict(row.policy_state or {}),
        created_at=row.created_at,
        updated_at=row.updated_at,
        waiting_since=row.waiting_since,
        last_inbound_at=row.last_inbound_at,
    )


def message(row: Message) -> r.MessageRecord:
    return r.MessageRecord(
        id=row.id,
        conversation_id=row.conversation_id,
        direction=cast(r.Direction, row.direction),
        sender=cast(r.Sender, row.sender),
        channel=row.channel,
        channel_message_id=row.channel_message_id,
        text=row.text,
        buttons=_buttons(row.buttons),
        kind=row.kind,
        entry_id=row.entry_id,
        bank_version=row.bank_version,
        approved_by=row.approved_by,
        score=row.score,
        agent=row.agent,
        created_at=row.created_at,
        processed_at=row.processed_at,
    )


def outbox(row: Outbox) -> r.OutboxRecord:
    return r.OutboxRecord(
        id=row.id,
        message_id=row.message_id,
        conversation_id=row.conversation_id,
        channel=row.channel,
        status=cast(r.OutboxStatus, row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
    )


def outbox_item(row: Outbox, msg: Message, channel_user_id: str) -> r.OutboxItem:
    return r.OutboxItem(
        outbox_id=row.id,
        message_id=row.message_id,
        conversation_id=row.conversation_id,
        channel=row.channel,
        channel_user_id=channel_user_id,
        sender=cast(r.Sender, msg.sender),
        kind=msg.kind,
        text=msg.text,
        buttons=_buttons(msg.buttons),
        attempts=row.attempts,
    )


def ticket(row: Ticket) -> r.TicketRecord:
    return r.TicketRecord(
        id=row.id,
        conversation_id=row.conversation_id,
        department=row.department,
        state=cast(r.TicketState, row.state),
        priority=row.priority,
        assigned_agent=row.assigned_agent,
        opened_at=row.opened_at,
        claimed_at=row.claimed_at,
        first_response_at=row.first_response_at,
        resolved_at=row.resolved_at,
    )


def feedback(row: FeedbackEvent) -> r.FeedbackRecord:
    return r.FeedbackRecord(
        id=row.id,
        conversation_id=row.conversation_id,
        message_id=row.message_id,
        kind=row.kind,
        at=row.at,
    )


def _buttons(value: Any) -> list[dict[str, str]] | None:
    return None if value is None else [dict(button) for button in value]
