"""Engine and sessions for SQLite (embedded) or PostgreSQL (production)."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


@lru_cache
def engine_for(url: str) -> Engine:
    # A database error quotes its statement's parameters (a participant's names) unless hidden;
    # the error then travels into log lines (the Temporal SDK logs a failed activity's traceback).
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn, _record):  # type: ignore[no-untyped-def]
            # WAL lets the API read while the worker writes; FKs and a busy wait keep it honest.
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    with Session(engine_for(url), expire_on_commit=False) as session:
        yield session


def end_read(session: Session) -> None:
    """End the session's read so its connection goes back to the pool (what it loaded stays:
    sessions here do not expire on commit). For a dependency that reads the user: the request
    then awaits other things, and a connection held across those waits can leave an async
    route's next query, run on the event loop, waiting for a connection that only a suspended
    request could give back (the pool's timeout, under load)."""
    session.commit()
