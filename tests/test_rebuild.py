"""The read model behind the figures rebuilds from Temporal alone, to identical figures; the
journeys carry the TargetGroups and Gender search attributes."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from sqlmodel import delete, select

from services.journeys import workflow_id
from services.temporal import keys_of
from store.db import session_scope
from store.models import CaseSummary, Task
from store.sealing import personal_of, stored_view_of
from tests.stack import Stack, eventually, running_stack


def _rows(s: Stack) -> dict[str, dict[str, Any]]:
    """Each row as the service reads it: sealed fields opened (their ciphertext differs each time)."""
    keys = keys_of(s.temporal)
    with session_scope(s.settings.resolved_database_url) as session:
        return {
            r.case_id: r.model_dump(exclude={"updated_at", "personal", "sealed_view"})
            | {"personal": personal_of(keys, r), "sealed_view": stored_view_of(keys, r)}
            for r in session.exec(select(CaseSummary))
        }


@pytest_asyncio.fixture
async def own_stack(temporal_address: str, database_url: str, tmp_path: Path) -> AsyncIterator[Stack]:
    """A database and task queue of its own: every row of it must come back from Temporal,
    and no other test's rows (a cohort written straight into the read model) are in it."""
    async with running_stack(temporal_address, tmp_path, database_url) as s:
        yield s


async def test_a_dropped_read_model_rebuilds_to_the_same_figures(own_stack: Stack) -> None:
    stack = own_stack
    man = await stack.open_case(gender="man", given_name="Omar")
    woman = await stack.open_case(gender="woman")

    async def projected() -> None:
        rows = _rows(stack)
        for case in (man, woman):
            assert rows[case["case_id"]]["version"] == case["version"]

    await eventually(projected)
    before_rows = _rows(stack)
    before = await stack.get("chef", "/api/v1/stats/overview")
    before_csv = (await stack.api.get("/api/v1/stats/overview.csv", headers=await stack.headers("chef"))).text
    with session_scope(stack.settings.resolved_database_url) as session:
        session.exec(delete(Task))  # type: ignore[call-overload]
        session.exec(delete(CaseSummary))  # type: ignore[call-overload]
        session.commit()
    assert (await stack.get("chef", "/api/v1/stats/overview"))["cases"] == 0

    r = await stack.api.post("/api/v1/admin/rebuild-read-model", headers=await stack.headers("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["cases"] >= len(before_rows)
    after_rows = _rows(stack)
    assert after_rows.keys() == before_rows.keys()
    for case_id, row in before_rows.items():
        assert after_rows[case_id] == row, {k: (v, after_rows[case_id][k]) for k, v in row.items()
                                             if after_rows[case_id][k] != v}
    assert await stack.get("chef", "/api/v1/stats/overview") == before
    after_csv = (await stack.api.get("/api/v1/stats/overview.csv", headers=await stack.headers("chef"))).text
    assert after_csv == before_csv

    # The search attributes the README's queries use.
    async def listed() -> None:
        query = f'WorkflowId = "{workflow_id(man["case_id"])}" AND Gender = "man"'
        found = [w async for w in stack.temporal.list_workflows(query)]
        assert [w.id for w in found] == [workflow_id(man["case_id"])]
        assert found[0].search_attributes["Gender"] == ["man"]

    await eventually(listed)


async def test_only_an_admin_may_rebuild(stack: Stack) -> None:
    r = await stack.api.post("/api/v1/admin/rebuild-read-model", headers=await stack.headers("chef"))
    assert r.status_code == 403
