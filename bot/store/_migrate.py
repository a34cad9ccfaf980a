"""Running the Alembic revisions in ``migrations/`` from code, without alembic.ini."""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")

log = logging.getLogger("helpline.store")

# Any constant works; it only has to be the same in every helpline process.
_POSTGRES_MIGRATION_LOCK = 0x68656C70  # "help"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic config pointing at the bundled revisions; ``env.py`` runs on
    ``connection`` when one is given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(connection: sa.Connection) -> None:
    """Upgrade inside the caller's transaction. At head already, nothing happens.

    Several processes may start at once: on PostgreSQL a transaction-scoped
    advisory lock makes them take turns, on SQLite the write transaction does.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_POSTGRES_MIGRATION_LOCK)))
    current, head = current_revision(connection), head_revision()
    if current == head:
        return
    log.info("store.migrate from=%s to=%s", current or "empty", head)
    command.upgrade(alembic_config(connection), "head")
