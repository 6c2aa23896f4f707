"""The database handle: a peewee proxy bound at start-up to whatever `DXGL_DATABASE_URL` names.

SQLite (the default, pooled so a request does not pay for a new connection and its pragmas) runs
in WAL mode with IMMEDIATE write transactions, so concurrent writers queue on the busy timeout
instead of failing on a lock upgrade; PostgreSQL comes from the same URL through playhouse.db_url.
"""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Iterator

import peewee as pw
from playhouse.db_url import connect

log = logging.getLogger(__name__)

database = pw.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 30_000,
    "cache_size": -16_000,
}


def open_database(url: str) -> pw.Database:
    """A peewee Database for `url` (not yet connected), bound to the proxy."""
    if url.startswith("sqlite"):
        path = url.split("://", 1)[1][1:]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A pool hands a connection to whichever thread asks next.
        pooled = {"check_same_thread": False} if url.startswith("sqlite+pool") else {}
        db = connect(url, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE", timeout=30, **pooled)
    else:
        db = connect(url)
    database.initialize(db)
    return db


@contextlib.contextmanager
def connection() -> Iterator[None]:
    """A connection for the block; closed afterwards only if this block opened it (jobs run inside
    requests when huey is immediate, and must not close the request's connection)."""
    opened = database.is_closed()
    if opened:
        database.connect()
    try:
        yield
    finally:
        if opened and not database.is_closed():
            database.close()


def write_transaction():
    """Where credits move and statuses change: one transaction, taken as a writer from the start."""
    return database.atomic()


def ping() -> None:
    """Raise if the database cannot answer a trivial query."""
    database.execute_sql("SELECT 1").fetchone()


# SQLite's words for a database that is busy or out of reach, as opposed to a query it cannot run
# ("no such column": a schema behind the code, which a retry would only repeat).
SQLITE_UNAVAILABLE = ("database is locked", "database table is locked", "database is busy",
                      "unable to open database file", "disk i/o error")


def unavailable(error: BaseException) -> bool:
    """Whether a peewee `OperationalError`/`InterfaceError` means the database could not answer now
    (a restart, a dropped connection, a server not listening, SQLite's lock wait run out), so that
    the same request may succeed later: the API answers 503 and a job goes back to the queue.

    False for what a retry would repeat: a table or column missing (a schema behind the code, until
    `dxgl admin migrate`), a malformed query, or peewee's own misuse errors; those are bugs, answered
    500 with their traceback in the log. peewee keeps the driver's exception as `orig` of the one it
    raises, wrapped once or (a query that connects first) twice."""
    if isinstance(error, pw.InterfaceError):  # "connection already closed" and the like
        return True
    if not isinstance(error, pw.OperationalError):
        return False
    cause: BaseException | None = error
    while isinstance(cause, pw.PeeweeException):  # a query's autoconnect wraps the connect's wrapper
        cause = getattr(cause, "orig", None)
    if cause is None:
        return False  # raised by peewee itself, not by the driver
    driver = type(cause).__module__.split(".")[0]
    if driver in ("psycopg2", "psycopg"):
        # The DB-API's OperationalError: "the database's operation", not the program's (PEP 249):
        # connection lost or refused, administrator shutdown, serialization failure, cancelled query.
        return True
    if driver == "sqlite3":
        text = str(cause).lower()
        return any(words in text for words in SQLITE_UNAVAILABLE)
    return False


def discard_connection() -> None:
    """Drop this thread's connection after the database went away (a restart closes it under us),
    so the next query connects afresh instead of failing with "connection already closed"."""
    try:
        if not database.is_closed():
            database.close()
    except Exception:  # noqa: BLE001 - closing a dead (or mid-transaction) connection may fail; it is gone
        try:
            database.obj._state.reset()  # forget it: peewee then opens a new one on the next query
        except Exception:  # noqa: BLE001
            pass
