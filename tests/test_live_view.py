"""A read answers from the case's kept view while it is current (store/live_view.py): an
action's answer is what the next read shows, even with Temporal out of reach; a change the
journey makes by itself (a clock) is read once its projection lands, and then kept. On SQLite
and PostgreSQL."""

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.service import RPCError

from services import cases
from store.db import session_scope
from store.models import CaseSummary, User
from store.users import get_user
from tests.stack import Stack, eventually, free_port, today

AF = "arbetsformedlare"
QUICK = "9903"


@pytest_asyncio.fixture(scope="module")
async def quick(stack: Stack) -> Stack:
    """The shared stack with a municipality whose introduction ends after two seconds."""
    admin = await stack.headers("admin")
    await stack.api.post("/api/v1/municipalities", json={"code": QUICK, "name": "Kvickby"}, headers=admin)
    await stack.set_policy(QUICK, introduction="PT2S", reminder_ahead="PT1S", escalate_after="PT1H")
    return stack


async def unreachable(s: Stack) -> Client:
    """A client to where no Temporal listens, with the stack's codec (its per-case keys)."""
    return await Client.connect(f"127.0.0.1:{free_port()}", lazy=True, data_converter=s.temporal.data_converter)


def user(s: Stack, username: str) -> User:
    with session_scope(s.settings.database_url) as session:
        found = get_user(session, username)
        assert found is not None
        session.expunge(found)
        return found


def kept_version(s: Stack, case_id: str) -> tuple[int, int | None]:
    """The row's version and its kept view's."""
    with session_scope(s.settings.database_url) as session:
        row = session.get(CaseSummary, case_id)
        assert row is not None
        return row.version, row.view_version


async def read_without_temporal(s: Stack, username: str, case_id: str) -> dict:
    gone = await unreachable(s)
    with session_scope(s.settings.database_url) as session:
        view = await cases.read_case(session, gone, user(s, username), case_id)
    return view.__dict__


async def test_a_read_after_an_action_shows_its_answer_even_with_temporal_away(stack: Stack) -> None:
    opened = await stack.open_case(AF)
    cid = opened["case_id"]
    # The opening's first state is kept: read with no Temporal to ask.
    assert (await read_without_temporal(stack, AF, cid))["version"] == opened["version"]
    body = {"held_on": today().isoformat(), "attendees": ["AF"], "progress": "kartlagt", "next_steps": "mer"}
    answer = await stack.act(AF, cid, "record-follow-up", body)
    assert answer["version"] > opened["version"]
    # At once, over HTTP, and without Temporal: the action's state, not the one before.
    assert await stack.get(AF, f"/api/v1/cases/{cid}") == answer
    away = await read_without_temporal(stack, AF, cid)
    assert away["version"] == answer["version"] and len(away["follow_ups"]) == 1


async def test_a_change_the_journey_makes_itself_is_read_once_projected_then_kept(quick: Stack) -> None:
    s = quick
    cid = (await s.open_case(AF, municipality=QUICK))["case_id"]

    async def overdue() -> dict:
        state = await s.get(AF, f"/api/v1/cases/{cid}")
        assert state["overdue"] is True
        return dict(state)

    state = await eventually(overdue)

    async def kept() -> None:
        # The read that found the row ahead of the kept view asked the journey and keeps its
        # answer (written after the read's answer).
        row_version, view_version = kept_version(s, cid)
        assert view_version is not None and view_version >= row_version

    await eventually(kept)
    assert (await read_without_temporal(s, AF, cid))["overdue"] is True
    assert (await read_without_temporal(s, AF, cid))["version"] >= state["version"]


async def test_a_row_ahead_of_its_kept_view_is_not_answered_from_it(stack: Stack) -> None:
    """Were the kept view older than the row (a change projected, its view not yet kept), the
    read asks the journey: with Temporal away it cannot answer from the old view."""
    cid = (await stack.open_case(AF))["case_id"]
    with session_scope(stack.settings.database_url) as session:
        row = session.get(CaseSummary, cid)
        assert row is not None
        row.version += 1
        session.add(row)
        session.commit()
    with pytest.raises((RPCError, RuntimeError)):  # no connection: the journey was asked
        await read_without_temporal(stack, AF, cid)
