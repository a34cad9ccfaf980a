"""Replies: stored with a pending outbox item before anything is sent, then
handed to senders, retried with backoff until delivered or given up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa

from . import _convert as to
from . import _records as r
from ._base import StoreBase, get_conversation, get_row, mark_processed
from ._convert import as_utc
from ._schema import Conversation, Message, Outbox, Ticket

_OUTBOUND_SENDERS = frozenset({"bot", "agent"})
_MAX_ERROR_CHARS = 2000


class OutboxStore(StoreBase):
    """Replies out, through the outbox."""

    async def record_outbound(
        self,
        conversation_id: str,
        sender: Literal["bot", "agent"],
        text: str,
        kind: str,
        buttons: Sequence[Mapping[str, str]] | None = None,
        entry_id: str | None = None,
        bank_version: str | None = None,
        approved_by: str | None = None,
        score: float | None = None,
        agent: str | None = None,
        *,
        processed_message_id: int | None = None,
    ) -> tuple[r.MessageRecord, r.OutboxRecord]:
        """Store a reply and its pending outbox row, before anything is sent.

        An agent's reply also stamps the open ticket's ``first_response_at`` (once).
        ``processed_message_id`` marks that inbound message processed in the same
        transaction: pass it with the last reply of a decision, so a crash can never
        leave replies stored for a message a restart would decide again.

        On retry: a second message and outbox row are written (the customer would
        get the reply twice), so retry only after :class:`StoreUnavailable`.
        """
        if sender not in _OUTBOUND_SENDERS:
            raise ValueError(f"outbound sender must be bot or agent, not {sender!r}")
        now = self._now()
        async with self._transaction() as session:
            conv = await get_conversation(session, conversation_id)
            row = Message(
                conversation_id=conv.id,
                direction="out",
                sender=sender,
                channel=conv.channel,
                text=text,
                buttons=[dict(b) for b in buttons] if buttons is not None else None,
                kind=kind,
                entry_id=entry_id,
                bank_version=bank_version,
                approved_by=approved_by,
                score=score,
                agent=agent,
                created_at=now,
            )
            session.add(row)
            await session.flush()
            item = Outbox(
                message_id=row.id,
                conversation_id=conv.id,
                channel=conv.channel,
                status="pending",
                attempts=0,
                next_attempt_at=now,
            )
            session.add(item)
            conv.updated_at = now
            if sender == "agent":
                await session.execute(
                    sa.update(Ticket)
                    .where(
                        Ticket.conversation_id == conv.id,
                        Ticket.state != "resolved",
                        Ticket.first_response_at.is_(None),
                    )
                    .values(first_response_at=now)
                )
            if processed_message_id is not None:
                await mark_processed(session, processed_message_id, now)
            await session.flush()
            return to.message(row), to.outbox(item)

    async def due_outbox(
        self,
        now: datetime,
        limit: int = 100,
        *,
        lease: timedelta | None = timedelta(seconds=60),
        channels: set[str] | None = None,
        conversation_id: str | None = None,
        include_backoff: bool = False,
    ) -> list[r.OutboxItem]:
        """Pending replies whose ``next_attempt_at`` has come, oldest first.

        With a ``lease`` (the default), the items are claimed: their next attempt
        moves to ``now + lease``, so another sender (or process) does not pick them
        up meanwhile; a sender that dies without reporting gets them retried when the
        lease ends. On PostgreSQL rows another process is claiming are skipped.
        ``lease=None`` only reads. ``channels`` / ``conversation_id`` narrow the
        search (the push worker; a pull channel collecting one conversation's replies).
        ``include_backoff`` also takes pending replies whose next attempt lies in the
        future (the customer is back: no reason to wait out the backoff).
        """
        now = as_utc(now)
        query = (
            sa.select(Outbox, Message, Conversation.channel_user_id)
            .join(Message, Message.id == Outbox.message_id)
            .join(Conversation, Conversation.id == Outbox.conversation_id)
            .where(Outbox.status == "pending")
            .order_by(Outbox.next_attempt_at, Outbox.id)
            .limit(limit)
        )
        if not include_backoff:
            query = query.where(Outbox.next_attempt_at <= now)
        if channels is not None:
            query = query.where(Outbox.channel.in_(sorted(channels)))
        if conversation_id is not None:
            query = query.where(Outbox.conversation_id == conversation_id)
        if lease is not None:
            query = query.with_for_update(skip_locked=True, of=Outbox)
        async with self._transaction(write=lease is not None) as session:
            rows = (await session.execute(query)).all()
            if lease is not None:
                for item, _, _ in rows:
                    item.next_attempt_at = now + lease
            return [to.outbox_item(item, msg, user) for item, msg, user in rows]

    async def mark_delivered(self, outbox_id: int, at: datetime) -> r.OutboxRecord:
        """The channel accepted the reply. On retry: no-op (the first time is kept)."""
        at = as_utc(at)
        async with self._transaction() as session:
            item = await get_row(session, Outbox, outbox_id)
            if item.status != "delivered":
                item.status = "delivered"
                item.delivered_at = at
            return to.outbox(item)

    async def mark_failed_attempt(
        self, outbox_id: int, error: str, next_attempt_at: datetime, give_up: bool = False
    ) -> r.OutboxRecord:
        """Sending failed: count the attempt, keep the error, and try again at
        ``next_attempt_at`` — or, with ``give_up``, mark the reply ``failed``.

        A report about an already delivered reply changes nothing. On retry: the
        attempt is counted twice (harmless: it only advances the backoff).
        """
        next_attempt_at = as_utc(next_attempt_at)
        async with self._transaction() as session:
            item = await get_row(session, Outbox, outbox_id)
            if item.status != "delivered":
                item.attempts += 1
                item.last_error = error[:_MAX_ERROR_CHARS]
                item.next_attempt_at = next_attempt_at
                item.status = "failed" if give_up else "pending"
            return to.outbox(item)
