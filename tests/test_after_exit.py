"""After the exit: the outcome check falls due 90 days from the day of exit, however late the
exit is recorded; the programme can no longer be withdrawn (which would stop that check)."""

from datetime import date, datetime, timedelta

import pytest_asyncio

from tests.stack import Stack, today
from workflows.calendar import STOCKHOLM, WORKDAY_START, next_working_day

AF = "arbetsformedlare"
TOWN = "9904"  # a municipality of its own, with the 90 days of the agreements


@pytest_asyncio.fixture
async def exits(any_stack: Stack) -> Stack:
    admin = await any_stack.headers("admin")
    r = await any_stack.api.post("/api/v1/municipalities", json={"code": TOWN, "name": "Utfallsköping"}, headers=admin)
    assert r.status_code in (201, 409), r.text
    await any_stack.set_policy(TOWN, outcome_check_after="P90D")
    return any_stack


async def test_outcome_check_counts_from_the_day_of_exit(exits: Stack) -> None:
    s = exits
    cid = (await s.open_case(AF, municipality=TOWN))["case_id"]
    exited_on = today() - timedelta(days=40)  # recorded weeks after the participant left
    state = await s.act(AF, cid, "record-exit", {"reason": "work", "exited_on": exited_on.isoformat()})
    due = datetime.fromisoformat(state["due"]["outcome_check"]).astimezone(STOCKHOLM)
    # 90 days after the exit day, moved to a working day, at the start of the working day.
    assert due.date() == next_working_day(exited_on + timedelta(days=90))
    assert due.time() == WORKDAY_START
    assert due.date() < today() + timedelta(days=60)  # not 90 days from when it was recorded


async def test_withdraw_is_refused_after_the_exit(exits: Stack) -> None:
    s = exits
    cid = (await s.open_case(AF, municipality=TOWN))["case_id"]
    exited = await s.act(AF, cid, "record-exit", {"reason": "studies"})
    assert "withdraw" not in exited["allowed_actions"]
    refused = await s.act(AF, cid, "withdraw", {"reason": "sjuk", "conditions": "frisk"}, expect=409)
    assert refused["detail"]["phase"] == "exited" and "withdraw" not in refused["detail"]["allowed_actions"]
    after = await s.get(AF, f"/api/v1/cases/{cid}")
    assert after["phase"] == "exited" and after["version"] == exited["version"]
    assert set(after["due"]) == {"outcome_check"}  # the check still stands
    assert date.fromisoformat(after["exited_on"]) == today()
