"""The :class:`Store`: every read and write helpline makes to its database.

Each method is one transaction and returns frozen records (``_records``), never ORM
objects; each write says in its docstring what a retry does (the engine retries
after :class:`StoreUnavailable`, and channels redeliver webhooks). The methods live
by topic: ``_inbound``, ``_outbox``, ``_conversations``, ``_tickets``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

import sqlalchemy as sa

from ._conversations import ConversationStore
from ._convert import Clock, utc_now
from ._engine import async_url, build_engine, unavailable_on_failure
from ._inbound import InboundStore
from ._migrate import upgrade_to_head
from ._outbox import OutboxStore
from ._tickets import TicketStore


class Store(InboundStore, OutboxStore, ConversationStore, TicketStore):
    """helpline's database. Create with :meth:`open`, then :meth:`migrate` once."""

    @classmethod
    async def open(cls, database_url: str, *, clock: Clock = utc_now) -> Self:
        """Connect to ``database_url`` and check that it answers.

        ``sqlite:///path`` and ``postgresql://...`` are rewritten to their async
        drivers; a SQLite file's folder is created. Raises :class:`StoreUnavailable`
        (password masked) when the database cannot be reached.
        """
        url = async_url(database_url)
        store = cls(build_engine(url), url, clock)
        try:
            with unavailable_on_failure(url, connecting=True):
                async with store._engine.connect() as connection:
                    await connection.execute(sa.text("SELECT 1"))
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        await self._engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def migrate(self) -> None:
        """Upgrade the schema to the newest revision; at the newest already, a no-op.
        Safe when several processes start at once (they take turns)."""
        with unavailable_on_failure(self._url):
            async with self._engine.begin() as connection:
                await connection.run_sync(upgrade_to_head)

    async def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the database answers (health checks)."""
        with unavailable_on_failure(self._url):
            async with self._engine.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
