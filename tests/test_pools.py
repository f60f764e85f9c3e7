"""The database's pools on PostgreSQL (store/db.py): a hop that only reads runs without a
transaction (no BEGIN and ROLLBACK round trips), a kept view commits without waiting for the
disk, a connection the server ended is replaced before use, one is asked whether it still
answers only after it lay idle in the pool, and a read alongside a request's
(store/alongside.py) has a pool of its own."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

import store.db
from store.alongside import alongside
from store.db import engine_for, reads_only, unflushed_engine


@pytest.fixture
def own_pool(postgres_url: str) -> Iterator[str]:
    """The session's database under a URL of its own, so its pool holds this test's
    connections only (engine_for keeps a pool per URL)."""
    url = make_url(postgres_url).set(query={"application_name": f"pools-{time.monotonic_ns()}"})
    rendered = url.render_as_string(hide_password=False)
    yield rendered
    engine_for(rendered).dispose()


def two_clock_readings(session: Session) -> tuple[object, object]:
    """now() twice, 20 ms apart: the same inside one transaction (its start), apart without."""
    first = session.connection().execute(text("SELECT now()")).scalar()
    time.sleep(0.02)
    return first, session.connection().execute(text("SELECT now()")).scalar()


def test_a_hop_that_only_reads_takes_no_transaction(own_pool: str) -> None:
    with Session(engine_for(own_pool)) as session:
        first, second = two_clock_readings(session)
        assert first == second, "a plain session reads in one transaction"
    with Session(engine_for(own_pool)) as session:
        reads_only(session)
        first, second = two_clock_readings(session)
        assert first != second, "each statement of a read-only hop is its own transaction"
    # The connection goes back to the pool as it came: the next session has its transaction.
    with Session(engine_for(own_pool)) as session:
        first, second = two_clock_readings(session)
        assert first == second


def test_reads_only_leaves_a_session_already_in_a_transaction_as_it_is(own_pool: str) -> None:
    with Session(engine_for(own_pool)) as session:
        session.connection().execute(text("SELECT 1"))
        reads_only(session)
        first, second = two_clock_readings(session)
        assert first == second


def test_a_kept_view_commits_without_waiting_for_the_disk(own_pool: str) -> None:
    def setting(engine: Engine) -> str | None:
        with Session(engine) as session:
            value: str | None = session.connection().execute(text("SHOW synchronous_commit")).scalar()
            return value

    assert setting(engine_for(own_pool)) == "on"
    assert setting(unflushed_engine(engine_for(own_pool))) == "off"
    unflushed_engine(engine_for(own_pool)).dispose()


def test_sqlite_keeps_one_pool(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/one.db"
    assert unflushed_engine(engine_for(url)) is engine_for(url)


def pid_of(session: Session) -> int:
    """The server process of the session's connection."""
    pid: int = session.connection().execute(text("SELECT pg_backend_pid()")).scalar_one()
    return pid


def terminated(url: str, pid: int) -> None:
    """Ends the server process `pid`, as a restart of the database does, and waits until it is
    gone (its connection's socket closed)."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()
    admin.dispose()


def killed_in_the_pool(url: str) -> int:
    """Takes a connection of `url`'s pool, gives it back and ends its server process; returns
    that process's id."""
    with Session(engine_for(url)) as session:
        pid = pid_of(session)
    terminated(url, pid)
    return pid


def backend(url: str) -> int:
    with Session(engine_for(url)) as session:
        return pid_of(session)


def test_a_connection_in_steady_use_is_handed_out_again(own_pool: str) -> None:
    assert backend(own_pool) == backend(own_pool), "a live connection is kept, not made anew"


def test_a_connection_the_server_ended_in_the_pool_is_replaced_without_a_ping(
    own_pool: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart ends the pool's idle connections; the pool sees it on their sockets and makes
    new ones, no request fails, though none was idle long enough to be pinged."""
    monkeypatch.setattr(store.db, "PING_AFTER_IDLE", 3600.0)
    dead = killed_in_the_pool(own_pool)
    assert backend(own_pool) != dead


def test_a_connection_idle_past_the_limit_is_asked_first(own_pool: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A peer gone silently (nothing on the socket) is found by the ping after the idle limit."""
    dead = backend(own_pool)
    monkeypatch.setattr(store.db, "hung_up", lambda _connection: False)  # as if it said nothing
    terminated(own_pool, dead)
    monkeypatch.setattr(store.db, "PING_AFTER_IDLE", 0.0)
    assert backend(own_pool) != dead, "the dead connection was replaced before use"


def test_a_statement_running_when_the_server_ends_fails_then_the_pool_is_renewed(own_pool: str) -> None:
    """What the pool cannot see: a connection taken before the database went fails its next
    statement (the API answers 503, the projection retries); the pool then drops the
    connections made before."""
    with Session(engine_for(own_pool)) as session:
        dead = pid_of(session)
        terminated(own_pool, dead)
        with pytest.raises(OperationalError):
            session.connection().execute(text("SELECT 1"))
    assert backend(own_pool) != dead


def test_a_read_alongside_runs_on_a_connection_of_its_own_even_with_the_pool_taken(own_pool: str) -> None:
    """The overview's side reads (services/stats.py) take no connection of the request's pool:
    with every one of them held by requests waiting for their side reads, these still come."""
    engine = engine_for(own_pool)
    holders = [Session(engine) for _ in range(engine.pool.size() + engine.pool._max_overflow)]  # type: ignore[attr-defined]
    try:
        pids = [pid_of(holder) for holder in holders]
        beside = alongside(holders[0], pid_of)
        assert beside.result(timeout=10) not in pids
    finally:
        for holder in holders:
            holder.close()


def test_a_failed_read_alongside_fails_where_its_answer_is_asked(database_url: str) -> None:
    with Session(engine_for(database_url)) as session:
        failing = alongside(session, lambda own: own.connection().execute(text("SELECT * FROM no_such_table")))
        with pytest.raises(Exception, match="no_such_table"):
            failing.result(timeout=10)


def test_on_sqlite_a_read_alongside_is_done_before_the_caller_goes_on(tmp_path: Path) -> None:
    with Session(engine_for(f"sqlite:///{tmp_path}/one.db")) as session:
        assert alongside(session, lambda own: own is session).result(timeout=0) is True
