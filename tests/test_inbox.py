"""The inbox of tasks: open tasks move with the case on reassignment; filters by status, kind
and overdue; soonest due first."""

import datetime as dt
from typing import Any

from tests.mail import COORDINATOR, OTHER_WORKER, WORKER, MailWorld, open_case, tasks
from tests.stack import eventually


async def test_reassignment_moves_open_tasks(mail: MailWorld) -> None:
    s = mail.stack
    cid, _ = await open_case(s)

    async def task_of(user: str) -> dict[str, Any]:
        [task] = [t for t in await tasks(s, user, status="open", kind="introduction_due") if t["case_id"] == cid]
        return task

    await eventually(lambda: task_of(WORKER))
    await s.act(WORKER, cid, "reassign", {"responsible_worker": OTHER_WORKER})
    moved = await eventually(lambda: task_of(OTHER_WORKER))
    assert moved["assignee"] == OTHER_WORKER
    assert cid not in {t["case_id"] for t in await tasks(s, WORKER, status="open")}
    await s.act(OTHER_WORKER, cid, "close", {"reason": "prov klart"})


async def test_inbox_filters_by_status_and_kind_and_sorts_by_due_time(mail: MailWorld) -> None:
    s = mail.stack
    first, _ = await open_case(s)
    second, _ = await open_case(s)

    async def both_escalated() -> None:
        esc = {t["case_id"] for t in await tasks(s, COORDINATOR, kind="escalation", status="open")}
        assert {first, second} <= esc

    await eventually(both_escalated)
    await s.act(WORKER, first, "complete-introduction")

    async def first_done() -> None:
        done = {t["case_id"] for t in await tasks(s, COORDINATOR, status="done")}
        assert first in done

    await eventually(first_done)
    still_open = await tasks(s, COORDINATOR, status="open")
    assert second in {t["case_id"] for t in still_open} and first not in {t["case_id"] for t in still_open}
    assert all(t["status"] == "open" for t in still_open)
    everything = await tasks(s, COORDINATOR)
    assert [t["due_at"] for t in everything] == sorted(t["due_at"] for t in everything)
    worker_intro = await tasks(s, WORKER, kind="introduction_due")
    assert worker_intro and all(t["kind"] == "introduction_due" for t in worker_intro)
    assert [dt.datetime.fromisoformat(t["due_at"]) for t in worker_intro] == sorted(
        dt.datetime.fromisoformat(t["due_at"]) for t in worker_intro
    )
    assert {t["case_id"] for t in await tasks(s, WORKER, kind="escalation")} == set()  # not the worker's
    overdue = await tasks(s, WORKER, overdue="true", status="open")
    assert second in {t["case_id"] for t in overdue}
    for bad in ({"status": "later"}, {"kind": "birthday"}):
        await s.get(WORKER, "/api/v1/tasks", expect=422, **bad)
    await s.act(WORKER, second, "close", {"reason": "prov klart"})
