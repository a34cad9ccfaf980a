"""Opening the database: URLs, SQLite connection settings, and turning driver
failures into :class:`StoreUnavailable` with the password masked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ._errors import StoreUnavailable

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/helpline.db"

#: Execution option read by the SQLite ``begin`` hook: False opens a deferred
#: (read) transaction instead of an immediate (write) one.
WRITE_OPTION = "helpline_write"

SQLITE_BUSY_TIMEOUT_MS = 10_000
POSTGRES_CONNECT_TIMEOUT_S = 10.0

_SQLITE_DRIVERS = {"sqlite", "sqlite+aiosqlite"}
_POSTGRES_DRIVERS = {"postgresql", "postgres", "postgresql+asyncpg"}
_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:)[^@]*@")


def mask(url: str | URL) -> str:
    """The URL as a person may see it: any password replaced by ``***``."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return _PASSWORD_IN_URL.sub(r"\1***@", url)


def async_url(raw: str | URL) -> URL:
    """``raw`` with the async driver helpline uses: ``sqlite://`` becomes
    ``sqlite+aiosqlite://``; ``postgresql://`` and ``postgres://`` become
    ``postgresql+asyncpg://``. Anything else raises :class:`StoreUnavailable`."""
    try:
        url = make_url(raw)
    except sa.exc.ArgumentError as exc:
        raise StoreUnavailable(f"cannot read the database URL {mask(str(raw))}: {exc}") from None
    if url.drivername in _SQLITE_DRIVERS:
        if url.database in (None, "", ":memory:"):
            raise StoreUnavailable(
                f"database URL {mask(url)}: in-memory SQLite is not supported, "
                "give a file path (sqlite:///var/helpline.db)"
            )
        return url.set(drivername="sqlite+aiosqlite")
    if url.drivername in _POSTGRES_DRIVERS:
        return url.set(drivername="postgresql+asyncpg")
    raise StoreUnavailable(
        f"unsupported database URL {mask(url)}: use sqlite:///PATH or postgresql://USER@HOST/DB"
    )


def build_engine(url: URL) -> AsyncEngine:
    """An engine for ``url`` (already passed through :func:`async_url`).

    SQLite gets WAL, foreign keys and a busy timeout on every connection, and
    ``BEGIN IMMEDIATE`` for write transactions, so two writers queue up on the
    database lock instead of failing when one upgrades a read to a write.
    """
    if url.get_backend_name() == "postgresql":
        return create_async_engine(
            url,
            pool_pre_ping=True,
            connect_args={"timeout": POSTGRES_CONNECT_TIMEOUT_S},
        )
    assert url.database is not None
    try:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(f"cannot create the folder for {mask(url)}: {exc}") from None
    engine = create_async_engine(url)
    sa.event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
    sa.event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver must not open transactions by itself: _sqlite_on_begin does.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: sa.Connection) -> None:
    write = connection.get_execution_options().get(WRITE_OPTION, True)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def unavailable_on_failure(url: URL, *, connecting: bool = False) -> Iterator[None]:
    """Turn "cannot reach the database" errors into :class:`StoreUnavailable`.

    While ``connecting``, any driver error counts (a missing database, a refused
    login); afterwards only lost connections do. The message names the URL
    (password masked) and the driver's first line of explanation, never the SQL or
    its parameters (they may hold customer text).
    """
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.InterfaceError, OSError, TimeoutError) as exc:
        raise StoreUnavailable(f"database {mask(url)} is unavailable: {_reason(exc, url)}") from exc
    except sa.exc.DBAPIError as exc:
        # No statement: the error came while getting a connection, not from SQL.
        if not (connecting or exc.connection_invalidated or exc.statement is None):
            raise
        raise StoreUnavailable(f"database {mask(url)} is unavailable: {_reason(exc, url)}") from exc


def _reason(exc: BaseException, url: URL) -> str:
    cause = exc.orig if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None else exc
    lines = str(cause).strip().splitlines()
    name = type(cause).__name__
    text = lines[0] if lines else name
    if name != "Error" and not text.startswith(name):
        text = f"{name}: {text}"
    if url.password:
        text = text.replace(str(url.password), "***")
    return text
