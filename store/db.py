"""Engine and sessions for SQLite (embedded) or PostgreSQL (production)."""

import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

# A PostgreSQL connection that lay in the pool this long is asked whether it still answers before
# it is handed out (a peer gone silently, a firewall that forgot the connection). One in steady
# use is not: a ping is a round trip on every request. It is only looked at: a server that ended
# its side (a restart, an administrator) has said so on the socket, and the pool makes a new
# connection instead (`hung_up`). What the pool cannot see are the statements running when the
# database goes: they fail (503; the projection retries), and the pool drops the connections
# made before.
PING_AFTER_IDLE = 10.0  # seconds


@lru_cache
def engine_for(url: str) -> Engine:
    """The process's engine for `url`: its pool of connections for every request and activity."""
    return made_engine(url, pool_size=5 if url.startswith("sqlite") else 10, max_overflow=10)


def made_engine(url: str, *, pool_size: int, max_overflow: int, **postgresql: Any) -> Engine:
    """A new engine for `url` with a pool of its own (`engine_for` keeps the process's);
    `postgresql`: more of `create_engine`'s options, for a PostgreSQL pool."""
    # A database error quotes its statement's parameters (a participant's names) unless hidden;
    # the error then travels into log lines (the Temporal SDK logs a failed activity's traceback).
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=max_overflow,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn, _record):  # type: ignore[no-untyped-def]
            # WAL lets the API read while the worker writes; FKs and a busy wait keep it honest.
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return _checked_at_checkout(
        create_engine(url, pool_size=pool_size, max_overflow=max_overflow, hide_parameters=True, **postgresql)
    )


@lru_cache
def unflushed_engine(engine: Engine) -> Engine:
    """A pool beside `engine`'s for writes a crash may lose because something durable overtakes
    them (a case's kept view: the journey's projection moves the row past it). On PostgreSQL its
    connections run each statement as its own transaction, committed without waiting for the
    write-ahead log's flush to disk (`synchronous_commit=off`): one round trip, no sync. On
    SQLite, `engine` itself."""
    if engine.dialect.name != "postgresql":
        return engine
    return made_engine(
        engine.url.render_as_string(hide_password=False),
        pool_size=2,
        max_overflow=8,
        isolation_level="AUTOCOMMIT",
        connect_args={"options": "-c synchronous_commit=off"},
    )


def _checked_at_checkout(engine: Engine) -> Engine:
    """Each connection `engine`'s pool hands out is looked at first (`hung_up`), and pinged when
    it lay idle PING_AFTER_IDLE or longer."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_from = record.info.get("idle_from")
        if idle_from is None:
            return  # just made
        if hung_up(dbapi_connection):
            raise DisconnectionError("the server ended the connection while it lay in the pool")
        if time.monotonic() - idle_from < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:  # the pool makes a new connection instead
            raise DisconnectionError() from err

    return engine


def hung_up(dbapi_connection: Any) -> bool:
    """Whether the server spoke on an idle connection, which it does only to end it (the error
    that says why, then the end of the stream): no round trip, one system call. An idle
    connection has nothing to read; this service listens for no notifications."""
    poll = select.poll()
    poll.register(dbapi_connection.fileno(), select.POLLIN)
    return bool(poll.poll(0))


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    with Session(engine_for(url), expire_on_commit=False) as session:
        yield session


def reads_only(session: Session) -> None:
    """The session's work until its next commit, rollback or close is reads, or single
    statements each whole in itself: on PostgreSQL it then runs without a transaction, which
    spares the round trips of BEGIN and of the ROLLBACK that gives the connection back (two of a
    case read's four). Each statement still sees a consistent state, as under READ COMMITTED.
    No effect on SQLite (it begins no transaction for a read) nor on a session already in one."""
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def end_read(session: Session) -> None:
    """End the session's read so its connection goes back to the pool (what it loaded stays:
    sessions here do not expire on commit). For a dependency that reads the user: the request
    then awaits other things, and a connection held across those waits can leave an async
    route's next query, run on the event loop, waiting for a connection that only a suspended
    request could give back (the pool's timeout, under load)."""
    session.commit()
