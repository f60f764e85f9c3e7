"""Each action's answer kept as its case's live view (store/live_view.py), off the action's
path: the write waits on the database's lock while the journey's projection of the same change
holds it (a couple of milliseconds on SQLite), and the answer need not wait with it.

A read in this process first waits for its case's view still being written (`settled`), so
whoever acted reads what they did. A read in another web process (SAMVERKAN_WEB_WORKERS > 1)
within those milliseconds, before the write or the projection lands, is answered from the kept
view before the action, unless it asks for at least the action's version (the page an action's
form leads to does: `services.cases.read_case`'s `at_least`). A write that fails (the database
away, the process stopping) loses nothing: the projection moves the row past the kept view, and
the read then asks the journey."""

import asyncio

import structlog
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from store.case_keys import CaseKeys
from store.db import unflushed_engine
from store.live_view import store_view
from workflows.case import CaseView

log = structlog.get_logger()
# The latest write of each case's view under way in this process (a strong reference, too).
_writing: dict[str, "asyncio.Task[bool]"] = {}


def keep(session: Session, keys: CaseKeys, view: CaseView) -> None:
    """Start keeping `view` (unless a newer one is kept by then) through a session of its own on
    `session`'s database; returns at once."""
    task = asyncio.create_task(asyncio.to_thread(write_view, session.get_bind(), keys, view))
    _writing[view.case_id] = task
    task.add_done_callback(lambda done: _written(view.case_id, done))


async def settled(case_id: str) -> None:
    """Once this process's write of the case's view, if any, has ended (well or not)."""
    task = _writing.get(case_id)
    if task is not None:
        await asyncio.wait([task])


def write_view(bind: Engine | Connection, keys: CaseKeys, view: CaseView) -> bool:
    """Keep `view` now (blocking), unless a newer one is kept; True when written."""
    # A kept view is overtaken by the journey's projection, durable: its commit need not wait
    # for the disk (store/live_view.py).
    unflushed = unflushed_engine(bind) if isinstance(bind, Engine) else bind
    with Session(unflushed, expire_on_commit=False) as session:
        return store_view(session, keys, view)


def _written(case_id: str, task: "asyncio.Task[bool]") -> None:
    if _writing.get(case_id) is task:
        del _writing[case_id]
    if not task.cancelled() and task.exception() is not None:
        log.warning("live_view_not_kept", error=type(task.exception()).__name__)
