"""What the store hands out: frozen snapshots of rows, never ORM objects.

Every datetime in a record is timezone-aware UTC, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

ConversationState = Literal["bot", "waiting", "human", "resolved"]
Direction = Literal["in", "out"]
Sender = Literal["customer", "bot", "agent"]
OutboxStatus = Literal["pending", "delivered", "failed"]
TicketState = Literal["open", "claimed", "resolved"]

CONVERSATION_STATES: frozenset[str] = frozenset({"bot", "waiting", "human", "resolved"})
OPEN_STATES: frozenset[str] = CONVERSATION_STATES - {"resolved"}


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    id: str
    display_name: str | None
    language: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class HandleRecord:
    """One way to reach a customer: a user id on one channel."""

    customer_id: str
    channel: str
    channel_user_id: str


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    id: str
    customer_id: str
    customer_name: str | None
    channel: str
    channel_user_id: str
    state: ConversationState
    department: str | None
    assigned_agent: str | None
    language: str | None
    policy_state: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    waiting_since: datetime | None
    last_inbound_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.state != "resolved"


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """A message in or out. Outbound answers carry the FAQ entry, the bank version
    and the approver, so every answer can be traced to approved words."""

    id: int
    conversation_id: str
    direction: Direction
    sender: Sender
    channel: str
    channel_message_id: str | None
    text: str
    buttons: list[dict[str, str]] | None
    kind: str
    entry_id: str | None
    bank_version: str | None
    approved_by: str | None
    score: float | None
    agent: str | None
    created_at: datetime
    processed_at: datetime | None


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    id: int
    message_id: int
    conversation_id: str
    channel: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A reply due for sending, with everything a connector needs to send it."""

    outbox_id: int
    message_id: int
    conversation_id: str
    channel: str
    channel_user_id: str
    sender: Sender
    kind: str
    text: str
    buttons: list[dict[str, str]] | None
    attempts: int


@dataclass(frozen=True, slots=True)
class TicketRecord:
    id: int
    conversation_id: str
    department: str
    state: TicketState
    priority: int
    assigned_agent: str | None
    opened_at: datetime
    claimed_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    id: int
    conversation_id: str
    message_id: int | None
    kind: str
    at: datetime


@dataclass(frozen=True, slots=True)
class InboundResult:
    """What :meth:`Store.record_inbound` did. ``duplicate`` means the channel had
    delivered this message before: nothing new was stored, and ``message`` is the
    one stored the first time."""

    message: MessageRecord
    conversation: ConversationRecord
    customer: CustomerRecord
    duplicate: bool


@dataclass(frozen=True, slots=True)
class CustomerCard:
    """A customer with every channel handle and conversation (newest first)."""

    customer: CustomerRecord
    handles: tuple[HandleRecord, ...]
    conversations: tuple[ConversationRecord, ...]
