"""Fixtures of the store tests: a migrated :class:`Store` on SQLite (a file in
``tmp_path``) and on PostgreSQL (one fresh database per test session, emptied
before each test, dropped at the end).

PostgreSQL is expected on 127.0.0.1:5432 with trust auth (``HELPLINE_TEST_POSTGRES_URL``
names another admin database). When it cannot be reached the PostgreSQL tests
fail, unless ``HELPLINE_SKIP_POSTGRES=1``: CI has PostgreSQL, and silently skipping
would hide breakage.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from bot.store import Store
from bot.store._engine import mask
from bot.store._schema import Base

ADMIN_URLS = (
    [os.environ["HELPLINE_TEST_POSTGRES_URL"]]
    if os.environ.get("HELPLINE_TEST_POSTGRES_URL")
    else [
        "postgresql://postgres@127.0.0.1:5432/test",
        "postgresql://postgres@127.0.0.1:5432/postgres",
        "postgresql://root@127.0.0.1:5432/test",
    ]
)
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class FakeClock:
    """The store's clock in tests: stands still until told to move."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


async def _admin_connection() -> tuple[asyncpg.Connection, str]:
    errors = []
    for url in ADMIN_URLS:
        try:
            return await asyncpg.connect(url, timeout=5), url
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            errors.append(f"{mask(url)}: {exc}")
    raise ConnectionError("; ".join(errors))


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def postgres_url() -> AsyncIterator[str]:
    """A plain ``postgresql://`` URL of a migrated, empty database for this session."""
    if os.environ.get("HELPLINE_SKIP_POSTGRES") == "1":
        pytest.skip("HELPLINE_SKIP_POSTGRES=1")
    try:
        admin, admin_url = await _admin_connection()
    except ConnectionError as exc:
        pytest.fail(
            f"PostgreSQL is unreachable ({exc}); start it, or set HELPLINE_SKIP_POSTGRES=1 "
            "to skip the PostgreSQL tests",
            pytrace=False,
        )
    name = f"helpline_test_{secrets.token_hex(4)}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        store = await Store.open(url)
        try:
            await store.migrate()
        finally:
            await store.close()
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _empty_postgres(url: str) -> None:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of the test's database, written as a deployment would write it."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'helpline.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine_name(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
async def store(database_url: str, engine_name: str, clock: FakeClock) -> AsyncIterator[Store]:
    """A store on an empty, migrated database, its time set by ``clock``."""
    store = await Store.open(database_url, clock=clock)
    await store.migrate()
    if engine_name == "postgresql":
        await _empty_postgres(database_url)
    yield store
    await store.close()
