"""Conversations as the policy and the agents see them, and customers' cards."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from . import _convert as to
from . import _records as r
from ._base import StoreBase, customer_name, get_conversation, get_row
from ._convert import as_utc
from ._errors import Conflict
from ._schema import Conversation, Customer, CustomerHandle, Message


class _Unchanged(Enum):
    UNCHANGED = "unchanged"


#: Default of :meth:`Store.set_state` keywords: leave the column as it is.
UNCHANGED: Final = _Unchanged.UNCHANGED


class ConversationStore(StoreBase):
    """Conversation state, transcripts, the policy's state, customers' cards."""

    async def get_conversation(self, conversation_id: str) -> r.ConversationRecord:
        async with self._transaction(write=False) as session:
            conv = await get_conversation(session, conversation_id)
            return to.conversation(conv, await customer_name(session, conv))

    async def list_conversations(
        self,
        states: set[str] | None = None,
        departments: set[str] | None = None,
        limit: int | None = None,
    ) -> list[r.ConversationRecord]:
        """Conversations in any of ``states`` and ``departments`` (None: any), the
        longest-waiting first, then the oldest."""
        query = sa.select(Conversation, Customer.display_name).join(
            Customer, Customer.id == Conversation.customer_id
        )
        if states is not None:
            query = query.where(Conversation.state.in_(states))
        if departments is not None:
            query = query.where(Conversation.department.in_(departments))
        query = query.order_by(
            sa.case((Conversation.waiting_since.is_(None), 1), else_=0),
            Conversation.waiting_since,
            Conversation.created_at,
            Conversation.id,
        ).limit(limit)
        async with self._transaction(write=False) as session:
            rows = (await session.execute(query)).all()
            return [to.conversation(conv, name) for conv, name in rows]

    async def transcript(self, conversation_id: str) -> list[r.MessageRecord]:
        """Every message of the conversation, in and out, in the order stored."""
        async with self._transaction(write=False) as session:
            await get_conversation(session, conversation_id)
            rows = await session.scalars(
                sa.select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id)
            )
            return [to.message(row) for row in rows]

    async def set_state(
        self,
        conversation_id: str,
        state: r.ConversationState,
        *,
        department: str | _Unchanged | None = UNCHANGED,
        assigned_agent: str | _Unchanged | None = UNCHANGED,
        waiting_since: datetime | _Unchanged | None = UNCHANGED,
    ) -> r.ConversationRecord:
        """Move the conversation to ``state``; keywords left out keep their value.

        Raises :class:`Conflict` when reopening a resolved conversation whose handle
        already has another open one. On retry: same result (it sets, never adds).
        """
        if state not in r.CONVERSATION_STATES:
            raise ValueError(f"unknown conversation state {state!r}")
        try:
            async with self._transaction() as session:
                conv = await get_conversation(session, conversation_id)
                conv.state = state
                if not isinstance(department, _Unchanged):
                    conv.department = department
                if not isinstance(assigned_agent, _Unchanged):
                    conv.assigned_agent = assigned_agent
                if not isinstance(waiting_since, _Unchanged):
                    conv.waiting_since = as_utc(waiting_since) if waiting_since else None
                conv.updated_at = self._now()
                await session.flush()
                return to.conversation(conv, await customer_name(session, conv))
        except sa.exc.IntegrityError:
            raise Conflict(
                f"conversation {conversation_id} cannot become {state}: its channel handle "
                "already has an open conversation"
            ) from None

    async def save_policy_state(
        self, conversation_id: str, policy_state: Mapping[str, Any]
    ) -> None:
        """Replace the dialogue policy's state for the conversation. It must be JSON
        (ValueError otherwise). On retry: same result (it replaces)."""
        try:
            copy = json.loads(json.dumps(policy_state))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"policy state must be JSON: {exc}") from None
        async with self._transaction() as session:
            conv = await get_conversation(session, conversation_id)
            conv.policy_state = copy
            conv.updated_at = self._now()

    async def customer_card(self, customer_id: str) -> r.CustomerCard:
        """The customer, their channel handles and their conversations (newest first)."""
        async with self._transaction(write=False) as session:
            return await _card(session, customer_id)

    async def link_handle(
        self, customer_id: str, channel: str, channel_user_id: str
    ) -> r.CustomerCard:
        """Make ``(channel, channel_user_id)`` a handle of ``customer_id``, e.g. when a
        web-chat visitor turns out to be a known WhatsApp customer.

        If the handle belonged to another customer, it moves over with its
        conversations; a customer left with no handle and no conversation is
        deleted. On retry: no-op.
        """

        async def link(session: AsyncSession) -> r.CustomerCard:
            await get_row(session, Customer, customer_id)
            found = await session.scalar(
                sa.select(CustomerHandle).where(
                    CustomerHandle.channel == channel,
                    CustomerHandle.channel_user_id == channel_user_id,
                )
            )
            if found is None:
                session.add(
                    CustomerHandle(
                        customer_id=customer_id, channel=channel, channel_user_id=channel_user_id
                    )
                )
            elif found.customer_id != customer_id:
                previous, found.customer_id = found.customer_id, customer_id
                await session.execute(
                    sa.update(Conversation)
                    .where(
                        Conversation.channel == channel,
                        Conversation.channel_user_id == channel_user_id,
                    )
                    .values(customer_id=customer_id)
                )
                await session.flush()
                await _delete_if_unreferenced(session, previous)
            await session.flush()
            return await _card(session, customer_id)

        return await self._write_racing(link)


async def _card(session: AsyncSession, customer_id: str) -> r.CustomerCard:
    person = await get_row(session, Customer, customer_id)
    handles = await session.scalars(
        sa.select(CustomerHandle)
        .where(CustomerHandle.customer_id == customer_id)
        .order_by(CustomerHandle.channel, CustomerHandle.channel_user_id)
    )
    convs = await session.scalars(
        sa.select(Conversation)
        .where(Conversation.customer_id == customer_id)
        .order_by(Conversation.created_at.desc(), Conversation.id)
    )
    return r.CustomerCard(
        customer=to.customer(person),
        handles=tuple(to.handle(h) for h in handles),
        conversations=tuple(to.conversation(c, person.display_name) for c in convs),
    )


async def _delete_if_unreferenced(session: AsyncSession, customer_id: str) -> None:
    for model in (CustomerHandle, Conversation):
        used = await session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.customer_id == customer_id)
        )
        if used:
            return
    await session.execute(sa.delete(Customer).where(Customer.id == customer_id))
