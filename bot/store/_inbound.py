"""Customers' messages: stored before the channel hears "200 OK", once each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from . import _convert as to
from . import _records as r
from ._base import StoreBase, mark_processed
from ._convert import as_utc
from ._schema import Conversation, Customer, CustomerHandle, Message


@dataclass(frozen=True, slots=True)
class _Inbound:
    channel: str
    channel_user_id: str
    channel_message_id: str | None
    text: str
    display_name: str | None
    language: str | None
    received_at: datetime | None
    kind: str


class InboundStore(StoreBase):
    """Customers' messages in, and what a restart must still decide."""

    async def record_inbound(
        self,
        channel: str,
        channel_user_id: str,
        channel_message_id: str | None,
        text: str,
        display_name: str | None = None,
        language: str | None = None,
        received_at: datetime | None = None,
        kind: str = "customer",
    ) -> r.InboundResult:
        """Store a customer's message before the channel is told it arrived.

        Finds or creates the customer by channel handle (``display_name`` and
        ``language``, when given, update it) and the handle's open conversation
        (a new one in state ``bot`` if there is none, e.g. after resolution).
        ``received_at`` (the channel's time, default now) becomes the message's
        ``created_at``.

        On retry: if ``(channel, channel_message_id)`` is stored already, nothing is
        written and the stored message comes back with ``duplicate=True``; this holds
        for concurrent deliveries too (the unique constraint decides, the loser
        re-reads). ``channel_message_id=None`` is never a duplicate. The id must be
        unique within the channel (Telegram's message ids are per chat: prefix them
        with the chat id, or use the update id).
        """
        inbound = _Inbound(
            channel, channel_user_id, channel_message_id, text, display_name, language,
            as_utc(received_at) if received_at is not None else None, kind,
        )  # fmt: skip
        return await self._write_racing(lambda session: self._record(session, inbound))

    async def _record(self, session: AsyncSession, inbound: _Inbound) -> r.InboundResult:
        if inbound.channel_message_id is not None:
            stored = await _stored_duplicate(session, inbound.channel, inbound.channel_message_id)
            if stored is not None:
                return stored
        now = self._now()
        person = await _customer_by_handle(session, inbound.channel, inbound.channel_user_id, now)
        person.display_name = inbound.display_name or person.display_name
        person.language = inbound.language or person.language
        conv = await _open_conversation(
            session, person, inbound.channel, inbound.channel_user_id, now
        )
        conv.language = inbound.language or conv.language
        at = inbound.received_at or now
        conv.last_inbound_at = max(at, conv.last_inbound_at) if conv.last_inbound_at else at
        conv.updated_at = now
        row = Message(
            conversation_id=conv.id,
            direction="in",
            sender="customer",
            channel=inbound.channel,
            channel_message_id=inbound.channel_message_id,
            text=inbound.text,
            kind=inbound.kind,
            created_at=at,
        )
        session.add(row)
        await session.flush()
        return r.InboundResult(
            message=to.message(row),
            conversation=to.conversation(conv, person.display_name),
            customer=to.customer(person),
            duplicate=False,
        )

    async def open_conversation(
        self, channel: str, channel_user_id: str, display_name: str | None = None
    ) -> r.ConversationRecord:
        """The handle's open conversation, created (with its customer) if there is none.

        Used when a channel opens before the first message (the web chat's hello).
        On retry: returns the same open conversation; concurrent calls create one.
        """

        async def find_or_create(session: AsyncSession) -> r.ConversationRecord:
            now = self._now()
            person = await _customer_by_handle(session, channel, channel_user_id, now)
            person.display_name = display_name or person.display_name
            conv = await _open_conversation(session, person, channel, channel_user_id, now)
            await session.flush()
            return to.conversation(conv, person.display_name)

        return await self._write_racing(find_or_create)

    async def mark_processed(self, message_id: int) -> None:
        """Note that the policy has decided on inbound message ``message_id``.
        On retry: no-op (the first time is kept)."""
        async with self._transaction() as session:
            await mark_processed(session, message_id, self._now())

    async def unprocessed_inbound(self, limit: int | None = None) -> list[r.MessageRecord]:
        """Inbound messages stored but never decided (e.g. the process died between
        storing and deciding), oldest first: what a restart must handle."""
        async with self._transaction(write=False) as session:
            rows = await session.scalars(
                sa.select(Message)
                .where(Message.direction == "in", Message.processed_at.is_(None))
                .order_by(Message.id)
                .limit(limit)
            )
            return [to.message(row) for row in rows]


async def _stored_duplicate(
    session: AsyncSession, channel: str, channel_message_id: str
) -> r.InboundResult | None:
    stored = await session.scalar(
        sa.select(Message).where(
            Message.channel == channel, Message.channel_message_id == channel_message_id
        )
    )
    if stored is None:
        return None
    conv = await session.get_one(Conversation, stored.conversation_id)
    person = await session.get_one(Customer, conv.customer_id)
    return r.InboundResult(
        message=to.message(stored),
        conversation=to.conversation(conv, person.display_name),
        customer=to.customer(person),
        duplicate=True,
    )


async def _customer_by_handle(
    session: AsyncSession, channel: str, channel_user_id: str, now: datetime
) -> Customer:
    found = await session.scalar(
        sa.select(Customer)
        .join(CustomerHandle, CustomerHandle.customer_id == Customer.id)
        .where(CustomerHandle.channel == channel, CustomerHandle.channel_user_id == channel_user_id)
    )
    if found is not None:
        return found
    person = Customer(id=uuid.uuid4().hex, created_at=now)
    session.add(person)
    session.add(
        CustomerHandle(customer_id=person.id, channel=channel, channel_user_id=channel_user_id)
    )
    await session.flush()  # a concurrent first message from the same handle fails here
    return person


async def _open_conversation(
    session: AsyncSession, person: Customer, channel: str, channel_user_id: str, now: datetime
) -> Conversation:
    found = await session.scalar(
        sa.select(Conversation).where(
            Conversation.channel == channel,
            Conversation.channel_user_id == channel_user_id,
            Conversation.state != "resolved",
        )
    )
    if found is not None:
        return found
    conv = Conversation(
        id=uuid.uuid4().hex,
        customer_id=person.id,
        channel=channel,
        channel_user_id=channel_user_id,
        state="bot",
        language=person.language,
        policy_state={},
        created_at=now,
        updated_at=now,
    )
    session.add(conv)
    return conv
