"""Opening databases, masking passwords, and the migrations."""

from __future__ import annotations

import importlib.resources
import secrets
import sqlite3
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.store import Store, StoreUnavailable
from bot.store._engine import async_url, build_engine
from bot.store._migrate import head_revision
from bot.store._schema import Base


async def _inspect(database_url: str, inspect):  # type: ignore[no-untyped-def]
    engine = build_engine(async_url(database_url))
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(inspect)
    finally:
        await engine.dispose()


def _schema_snapshot(connection: sa.Connection) -> tuple[object, ...]:
    inspector = sa.inspect(connection)
    tables = sorted(inspector.get_table_names())
    version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    indexes = {t: sorted(i["name"] or "" for i in inspector.get_indexes(t)) for t in tables}
    return tables, version, indexes


async def test_migrate_twice_is_noop(store: Store, database_url: str) -> None:
    before = await _inspect(database_url, _schema_snapshot)

    await store.migrate()
    await store.migrate()

    after = await _inspect(database_url, _schema_snapshot)
    assert after == before
    tables, version, indexes = after
    assert version == [head_revision()]
    assert {"customers", "customer_handles", "conversations", "messages", "outbox", "tickets",
            "feedback_events"} <= set(tables)  # fmt: skip
    assert "ix_conversations_state_department" in indexes["conversations"]
    assert "ix_outbox_status_next_attempt_at" in indexes["outbox"]


async def test_migration_and_models_agree(store: Store, database_url: str) -> None:
    def compare(connection: sa.Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    assert await _inspect(database_url, compare) == []


async def test_migrate_creates_a_new_sqlite_file_and_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "helpline.db"

    store = await Store.open(f"sqlite:///{path}")
    try:
        await store.migrate()
        await store.ping()
    finally:
        await store.close()

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            head_revision(),
        )


async def test_sqlite_connections_enforce_foreign_keys(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'h.db'}")
    try:
        await store.migrate()
        async with store._engine.connect() as connection:
            assert (await connection.execute(sa.text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await store.close()


async def test_bad_url_raises_store_unavailable_without_password() -> None:
    with pytest.raises(StoreUnavailable) as caught:
        await Store.open("postgresql://helpline:s3cret-pw@127.0.0.1:1/helpline")

    message = str(caught.value)
    assert "s3cret-pw" not in message
    assert "postgresql+asyncpg://helpline:***@127.0.0.1:1/helpline" in message


@pytest.mark.postgres
async def test_wrong_database_name_raises_store_unavailable(postgres_url: str) -> None:
    url = sa.make_url(postgres_url).set(database="helpline_no_such_database")
    with pytest.raises(StoreUnavailable, match="helpline_no_such_database"):
        await Store.open(url.render_as_string(hide_password=False))


@pytest.mark.parametrize(
    "url",
    ["mysql://root:pw@localhost/helpline", "sqlite://", "sqlite:///:memory:", "not a url"],
)
async def test_unsupported_url_raises_store_unavailable(url: str) -> None:
    with pytest.raises(StoreUnavailable) as caught:
        await Store.open(url)
    assert ":pw@" not in str(caught.value)


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite:///var/helpline.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///var/helpline.db", "sqlite+aiosqlite"),
        ("postgresql://u@h/db", "postgresql+asyncpg"),
        ("postgres://u@h/db", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg"),
    ],
)
def test_plain_urls_are_rewritten_to_async_drivers(given: str, driver: str) -> None:
    assert async_url(given).drivername == driver


def test_migrations_ship_inside_the_package() -> None:
    migrations = importlib.resources.files("bot.store.migrations")
    assert migrations.joinpath("env.py").is_file()
    assert (
        importlib.resources.files("bot.store.migrations.versions")
        .joinpath("0001_initial_schema.py")
        .is_file()
    )


@pytest.mark.postgres
async def test_lost_database_raises_store_unavailable(postgres_url: str) -> None:
    name = f"helpline_test_gone_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = sa.make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        store = await Store.open(url)
        try:
            await store.migrate()
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')

            with pytest.raises(StoreUnavailable, match=name):
                await store.ping()
            with pytest.raises(StoreUnavailable):
                await store.record_inbound("web", "visitor", None, "hello?")
        finally:
            await store.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.close()
