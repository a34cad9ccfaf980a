"""Alembic environment of the store.

Online, it runs on the connection :meth:`bot.store.Store.migrate` hands in through
``config.attributes["connection"]`` (already inside a transaction). From the alembic
command line it opens its own async engine on ``-x url=...`` or
``HELPLINE_DATABASE_URL``. Offline (``--sql``) it prints the SQL.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from bot.store._engine import async_url, build_engine
from bot.store._schema import Base

config = context.config
target_metadata = Base.metadata


def _cli_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "HELPLINE_DATABASE_URL"
    )
    if not url:
        raise SystemExit("give the database as -x url=... or HELPLINE_DATABASE_URL")
    return url


def run_offline() -> None:
    context.configure(
        url=async_url(_cli_url()),
        target_metadata=target_metadata,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_on_own_engine() -> None:
    engine = build_engine(async_url(_cli_url()))
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run_on)
    finally:
        await engine.dispose()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
    else:
        asyncio.run(_run_on_own_engine())


if context.is_offline_mode():
    run_offline()
else:
    run_online()
