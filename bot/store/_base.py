"""What every part of the :class:`~bot.store.Store` shares: the engine, the clock,
transactions, and lookups several parts make."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ._convert import Clock, as_utc
from ._engine import WRITE_OPTION, unavailable_on_failure
from ._errors import NotFound
from ._schema import Conversation, Customer, Message, Ticket

_T = TypeVar("_T")

#: How often a write that lost an insert race to a concurrent writer is run again.
#: Two runs always suffice (the second sees the winner's rows); one more for safety.
RACE_ATTEMPTS = 3


class StoreBase:
    """The engine, the clock and transactions; the topic classes build on it."""

    def __init__(self, engine: AsyncEngine, url: URL, clock: Clock) -> None:
        self._engine = engine
        self._url = url
        self._clock = clock
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    def _now(self) -> datetime:
        return as_utc(self._clock())

    @asynccontextmanager
    async def _transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends (writes), else rolled back.
        Lost connections surface as :class:`StoreUnavailable`."""
        with unavailable_on_failure(self._url):
            async with self._sessions() as session:
                await session.connection(execution_options={WRITE_OPTION: write})
                yield session
                if write:
                    await session.commit()

    async def _write_racing(self, work: Callable[[AsyncSession], Awaitable[_T]]) -> _T:
        """Run ``work`` in a write transaction. If a concurrent writer inserted the
        same unique row first (IntegrityError), run it again: it then finds that row."""
        for attempt in range(1, RACE_ATTEMPTS + 1):
            try:
                async with self._transaction() as session:
                    return await work(session)
            except sa.exc.IntegrityError:
                if attempt == RACE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")


async def get_row(session: AsyncSession, model: type[_T], key: object) -> _T:
    found = await session.get(model, key)
    if found is None:
        raise NotFound(f"no {model.__tablename__} row with id {key!r}")  # type: ignore[attr-defined]
    return found


async def get_conversation(session: AsyncSession, conversation_id: str) -> Conversation:
    found = await session.get(Conversation, conversation_id)
    if found is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    return found


async def customer_name(session: AsyncSession, conv: Conversation) -> str | None:
    return await session.scalar(
        sa.select(Customer.display_name).where(Customer.id == conv.customer_id)
    )


async def unresolved_ticket(session: AsyncSession, conversation_id: str) -> Ticket | None:
    return await session.scalar(
        sa.select(Ticket).where(
            Ticket.conversation_id == conversation_id, Ticket.state != "resolved"
        )
    )


async def mark_processed(session: AsyncSession, message_id: int, now: datetime) -> None:
    row = await session.get(Message, message_id)
    if row is None or row.direction != "in":
        raise NotFound(f"no inbound message {message_id}")
    if row.processed_at is None:
        row.processed_at = now
