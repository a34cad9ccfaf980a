"""The store's tables as SQLAlchemy declarative models, portable across SQLite and
PostgreSQL. The Alembic revisions in ``migrations/`` create exactly these tables; a
test compares the two.

Rules the database itself keeps (so that concurrent writers cannot break them):
- a channel handle (channel, channel_user_id) belongs to one customer;
- a handle has at most one open (non-resolved) conversation (partial unique index);
- an inbound message id is stored once per channel (outbound rows keep
  ``channel_message_id`` NULL, and NULLs never collide on either engine);
- a conversation has at most one unresolved ticket (partial unique index).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware datetime, stored as UTC.

    PostgreSQL keeps ``timestamptz``; SQLite keeps text without an offset, so values
    are converted to UTC before they are written and read back as UTC. A naive
    datetime is refused: its meaning depends on the machine that wrote it.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def _one_of(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name)


_NOT_RESOLVED = sa.text("state != 'resolved'")


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(sa.String)
    language: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime]


class CustomerHandle(Base):
    __tablename__ = "customer_handles"
    __table_args__ = (sa.UniqueConstraint("channel", "channel_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(32))
    channel_user_id: Mapped[str] = mapped_column(sa.String)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        _one_of("state", ("bot", "waiting", "human", "resolved"), "state"),
        sa.Index("ix_conversations_state_department", "state", "department"),
        sa.Index(
            "uq_conversations_open_handle",
            "channel",
            "channel_user_id",
            unique=True,
            sqlite_where=_NOT_RESOLVED,
            postgresql_where=_NOT_RESOLVED,
        ),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(32))
    channel_user_id: Mapped[str] = mapped_column(sa.String)
    state: Mapped[str] = mapped_column(sa.String(16))
    department: Mapped[str | None] = mapped_column(sa.String(64))
    assigned_agent: Mapped[str | None] = mapped_column(sa.String)
    language: Mapped[str | None] = mapped_column(sa.String(16))
    policy_state: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    waiting_since: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        sa.UniqueConstraint("channel", "channel_message_id"),
        _one_of("direction", ("in", "out"), "direction"),
        _one_of("sender", ("customer", "bot", "agent"), "sender"),
        sa.CheckConstraint(
            "direction = 'in' OR channel_message_id IS NULL", name="outbound_has_no_channel_id"
        ),
        sa.Index("ix_messages_direction_processed_at", "direction", "processed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(sa.ForeignKey("conversations.id"), index=True)
    direction: Mapped[str] = mapped_column(sa.String(8))
    sender: Mapped[str] = mapped_column(sa.String(16))
    channel: Mapped[str] = mapped_column(sa.String(32))
    channel_message_id: Mapped[str | None] = mapped_column(sa.String)
    text: Mapped[str] = mapped_column(sa.Text)
    buttons: Mapped[list[dict[str, str]] | None] = mapped_column(sa.JSON(none_as_null=True))
    kind: Mapped[str] = mapped_column(sa.String(32))
    entry_id: Mapped[str | None] = mapped_column(sa.String)
    bank_version: Mapped[str | None] = mapped_column(sa.String)
    approved_by: Mapped[str | None] = mapped_column(sa.String)
    score: Mapped[float | None] = mapped_column(sa.Float)
    agent: Mapped[str | None] = mapped_column(sa.String)
    created_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


class Outbox(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        _one_of("status", ("pending", "delivered", "failed"), "status"),
        sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("messages.id"), unique=True)
    conversation_id: Mapped[str] = mapped_column(sa.ForeignKey("conversations.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    delivered_at: Mapped[datetime | None]


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        _one_of("state", ("open", "claimed", "resolved"), "state"),
        sa.Index("ix_tickets_state_department", "state", "department"),
        sa.Index(
            "uq_tickets_unresolved_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=_NOT_RESOLVED,
            postgresql_where=_NOT_RESOLVED,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(sa.ForeignKey("conversations.id"), index=True)
    department: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(16))
    priority: Mapped[int] = mapped_column(default=0)
    assigned_agent: Mapped[str | None] = mapped_column(sa.String)
    opened_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]


class FeedbackEvent(Base):
    __tablename__ = "feedback_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(sa.ForeignKey("conversations.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    at: Mapped[datetime] = mapped_column(index=True)
