"""A read run beside a request's own, on a connection and in a thread of its own: the
supervisors' overview counts its cube on the request's connection while PostgreSQL counts the
days in programme and the overdue tasks alongside (services/stats.py).

On SQLite the read is done at once in the caller's thread instead. Run in threads at once, AF's
three queries over 100 000 cases took longer together than one after another (277 against 167
ms for the cube alone): the queries run inside the web process, whose two cores they then share
with everything else it does.

These reads take their connections from a pool of their own, one per thread. The request holds
its connection while it waits for them, so they must never wait on the request's pool: were
every connection of it held by requests waiting so, none would come back."""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.db import made_engine, reads_only

T = TypeVar("T")
THREADS = 4
_threads = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="alongside")


@lru_cache
def _pool_beside(engine: Engine) -> Engine:
    return made_engine(engine.url.render_as_string(hide_password=False), pool_size=THREADS, max_overflow=0)


def alongside(session: Session, read: Callable[[Session], T]) -> "Future[T]":
    """`read` begun now on a session of its own, on `session`'s database; its answer (or its
    error) from the future's `result()`."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        done: Future[T] = Future()
        try:
            done.set_result(read(session))
        except Exception as error:  # noqa: BLE001 - the caller meets it at `result()`, as in a thread
            done.set_exception(error)
        return done
    engine = _pool_beside(bind if isinstance(bind, Engine) else bind.engine)

    def run() -> T:
        with Session(engine, expire_on_commit=False) as own:
            reads_only(own)
            return read(own)

    return _threads.submit(run)
