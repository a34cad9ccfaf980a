"""Tickets of handed-off conversations, and feedback events about the bot's work."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from . import _convert as to
from . import _records as r
from ._base import StoreBase, get_conversation, get_row, unresolved_ticket
from ._convert import as_utc
from ._errors import NotFound
from ._schema import FeedbackEvent, Message, Ticket


class TicketStore(StoreBase):
    """Tickets and feedback events."""

    async def open_ticket(
        self, conversation_id: str, department: str, priority: int = 0
    ) -> r.TicketRecord:
        """The conversation's unresolved ticket, opening one in ``department`` if it
        has none. On retry, and when two callers race: the same single ticket."""

        async def open_or_find(session: AsyncSession) -> r.TicketRecord:
            await get_conversation(session, conversation_id)
            found = await unresolved_ticket(session, conversation_id)
            if found is None:
                found = Ticket(
                    conversation_id=conversation_id,
                    department=department,
                    state="open",
                    priority=priority,
                    opened_at=self._now(),
                )
                session.add(found)
                await session.flush()
            return to.ticket(found)

        return await self._write_racing(open_or_find)

    async def claim_ticket(self, conversation_id: str, agent: str) -> r.TicketRecord:
        """Assign the conversation's unresolved ticket to ``agent`` (NotFound if there
        is none). On retry: same result; a claim by another agent reassigns it."""
        async with self._transaction() as session:
            found = await unresolved_ticket(session, conversation_id)
            if found is None:
                raise NotFound(f"conversation {conversation_id} has no open ticket")
            found.state = "claimed"
            found.assigned_agent = agent
            found.claimed_at = found.claimed_at or self._now()
            return to.ticket(found)

    async def resolve_ticket(self, conversation_id: str) -> r.TicketRecord | None:
        """Resolve the conversation's unresolved ticket; None if it has none.
        On retry: None (already resolved)."""
        async with self._transaction() as session:
            found = await unresolved_ticket(session, conversation_id)
            if found is None:
                return None
            found.state = "resolved"
            found.resolved_at = self._now()
            return to.ticket(found)

    async def open_ticket_for(self, conversation_id: str) -> r.TicketRecord | None:
        """The conversation's unresolved (open or claimed) ticket, if any."""
        async with self._transaction(write=False) as session:
            found = await unresolved_ticket(session, conversation_id)
            return to.ticket(found) if found is not None else None

    async def record_feedback(
        self, conversation_id: str, kind: str, message_id: int | None = None
    ) -> r.FeedbackRecord:
        """Note a signal about the bot's work (thanks, handoff_request,
        declined_offer, complaint...), optionally about one message of the
        conversation. On retry: counted twice."""
        async with self._transaction() as session:
            await get_conversation(session, conversation_id)
            if message_id is not None:
                message = await get_row(session, Message, message_id)
                if message.conversation_id != conversation_id:
                    raise NotFound(f"message {message_id} is not in conversation {conversation_id}")
            row = FeedbackEvent(
                conversation_id=conversation_id, message_id=message_id, kind=kind, at=self._now()
            )
            session.add(row)
            await session.flush()
            return to.feedback(row)

    async def feedback_counts(self, since: datetime | None = None) -> dict[str, int]:
        """How many events of each kind, all time or from ``since`` on."""
        query = sa.select(FeedbackEvent.kind, sa.func.count()).group_by(FeedbackEvent.kind)
        if since is not None:
            query = query.where(FeedbackEvent.at >= as_utc(since))
        async with self._transaction(write=False) as session:
            return {kind: count for kind, count in (await session.execute(query)).all()}

    async def messages_with_feedback(
        self, kind: str, since: datetime | None = None, limit: int = 1000
    ) -> list[r.MessageRecord]:
        """The customer messages a signal of ``kind`` points at (e.g. ``unanswered``:
        what the bank did not cover), newest first."""
        query = (
            sa.select(Message)
            .join(FeedbackEvent, FeedbackEvent.message_id == Message.id)
            .where(FeedbackEvent.kind == kind)
            .order_by(FeedbackEvent.at.desc())
            .limit(limit)
        )
        if since is not None:
            query = query.where(FeedbackEvent.at >= as_utc(since))
        async with self._transaction(write=False) as session:
            return [to.message(row) for row in await session.scalars(query)]
