"""The journey's clocks with second-long policies: tasks when due, escalation, closing tasks,
withdrawal pausing clocks, the outcome check after exit, an unanswered offer expiring."""

from datetime import UTC, datetime

import pytest_asyncio

from tests.stack import Stack, eventually, record_history, withdrawal

AF = "arbetsformedlare"
FAST = "9901"


def fast_track(s: Stack) -> str:
    # Both databases' stacks share one Temporal server, and so `track-{id}` workflows: one each.
    return f"snabb-{s.settings.task_queue}"


@pytest_asyncio.fixture(scope="module")
async def fast(stack: Stack) -> Stack:
    """The shared stack (on each database) with a municipality whose clocks run in seconds."""
    admin = await stack.headers("admin")
    await stack.api.post("/api/v1/municipalities", json={"code": FAST, "name": "Snabbköping"}, headers=admin)
    await stack.api.post(
        "/api/v1/users",
        json={
            "username": "samordnare.snabb",
            "password": "samordnare-losen",
            "role": "coordinator",
            "organisation": FAST,
            "display_name": "Samordnare Snabbköping",
        },
        headers=admin,
    )
    await stack.set_policy(
        FAST,
        introduction="PT3S",
        follow_up_interval="PT1H",
        outcome_check_after="PT3S",
        reminder_ahead="PT1S",
        escalate_after="PT2S",
        offer_answer_time="PT3S",
        withdrawn_review="PT3S",
    )
    await stack.api.post(
        "/api/v1/tracks",
        json={
            "track_id": fast_track(stack),
            "name": "Snabbspår",
            "municipalities": [FAST],
            "industry": "care",
            "seats": 10,
        },
        headers=admin,
    )
    return stack


async def tasks_of(s: Stack, user: str, case_id: str, password: str = "samverkan-demo") -> list[dict]:
    return [t for t in await s.get(user, "/api/v1/tasks") if t["case_id"] == case_id] if password else []


async def test_introduction_due_reminds_then_escalates_then_closes(fast: Stack) -> None:
    s = fast
    case = await s.open_case(AF, municipality=FAST)
    cid = case["case_id"]
    due = datetime.fromisoformat(case["due"]["introduction_ends"])
    opened = datetime.fromisoformat(case["opened_at"])
    assert 2.5 <= (due - opened).total_seconds() <= 3.5

    async def reminded() -> dict:
        [task] = [t for t in await tasks_of(s, AF, cid) if t["kind"] == "introduction_due"]
        return task

    task = await eventually(reminded)
    assert task["assignee"] == AF and task["status"] == "open"

    async def overdue() -> None:
        state = await s.get(AF, f"/api/v1/cases/{cid}")
        assert state["overdue"] is True

    await eventually(overdue)

    async def escalated() -> dict:
        coordinator_headers = await s.headers("samordnare.snabb", "samordnare-losen")
        r = await s.api.get("/api/v1/tasks", headers=coordinator_headers, params={"kind": "escalation"})
        [esc] = [t for t in r.json() if t["case_id"] == cid]
        return dict(esc)

    escalation = await eventually(escalated)
    assert escalation["assignee"] == "samordnare.snabb" and escalation["about"] == "introduction_due"

    await s.act(AF, cid, "complete-introduction")

    async def all_done() -> None:
        r = await s.api.get("/api/v1/tasks", headers=await s.headers("samordnare.snabb", "samordnare-losen"))
        mine = [t for t in r.json() if t["case_id"] == cid]
        worker = await tasks_of(s, AF, cid)
        assert mine and worker and all(t["status"] == "done" for t in mine + worker)

    await eventually(all_done)
    open_tasks = await s.get(AF, "/api/v1/tasks", status="open")
    assert cid not in {t["case_id"] for t in open_tasks if t["kind"] == "introduction_due"}
    await record_history(s, f"journey-{cid}", "journey-clock-escalation")


async def test_search_attributes_follow_the_case(fast: Stack) -> None:
    s = fast
    cid = (await s.open_case(AF, municipality=FAST))["case_id"]

    async def visible_overdue() -> None:
        found = [
            w.id
            async for w in s.temporal.list_workflows(
                f'Municipality = "{FAST}" AND Overdue = true AND Phase = "introduction"'
            )
        ]
        assert f"journey-{cid}" in found

    await eventually(visible_overdue, timeout=30)
    desc = await s.temporal.get_workflow_handle(f"journey-{cid}").describe()
    attrs = {k.name: v for k, v in desc.typed_search_attributes}
    assert attrs["ResponsibleWorker"] == AF and "NextDueAt" in attrs
    # No personal data in any search attribute or the workflow id.
    assert all(str(v) not in ("Amal", "Hassan") for v in attrs.values())


async def test_withdrawal_stops_clocks_and_review_reminds(fast: Stack) -> None:
    s = fast
    cid = (await s.open_case(AF, municipality=FAST))["case_id"]
    state = await s.act(AF, cid, "withdraw", withdrawal(conditions="behandling"))
    assert list(state["due"]) == ["review"]

    async def review_task() -> None:
        kinds = {t["kind"] for t in await tasks_of(s, AF, cid) if t["status"] == "open"}
        assert kinds == {"review_due"} or kinds == {"review_due", "escalation"}

    await eventually(review_task)
    state = await s.act(AF, cid, "reactivate", {"resume_phase": "introduction"})
    assert set(state["due"]) == {"introduction_ends", "follow_up", "programme_end"}

    async def review_closed() -> None:
        review = [t for t in await tasks_of(s, AF, cid) if t["kind"] == "review_due"]
        assert review and all(t["status"] == "done" for t in review)

    await eventually(review_closed)
    await record_history(s, f"journey-{cid}", "journey-clock-review")


async def test_outcome_check_falls_due_after_exit(fast: Stack) -> None:
    s = fast
    cid = (await s.open_case(AF, municipality=FAST))["case_id"]
    state = await s.act(AF, cid, "record-exit", {"reason": "studies"})
    assert "outcome_check" in state["due"]

    async def outcome_task() -> None:
        assert "outcome_check_due" in {t["kind"] for t in await tasks_of(s, AF, cid)}

    await eventually(outcome_task)
    await s.act(AF, cid, "record-outcome", {"status": "studies"})
    await record_history(s, f"journey-{cid}", "journey-clock-outcome-check")


async def test_unanswered_offer_expires(fast: Stack) -> None:
    s = fast
    cid = (await s.open_case(AF, municipality=FAST, experience=["care"]))["case_id"]
    await s.act(AF, cid, "complete-introduction")
    await s.act(AF, cid, "joint-standpoint", {"decision": "track"})
    state = await s.act(AF, cid, "apply-to-track", {"track_id": fast_track(s)})
    assert state["application"]["status"] == "offered"

    async def expired() -> None:
        state = await s.get(AF, f"/api/v1/cases/{cid}")
        assert state["application"]["status"] == "expired"
        assert "answer-offer" not in state["allowed_actions"]
        assert "apply-to-track" in state["allowed_actions"]

    await eventually(expired)
    refused = await s.act(AF, cid, "answer-offer", {"accept": True}, expect=409)
    assert refused["detail"]["phase"] == "track_selection"
    await record_history(s, f"journey-{cid}", "journey-clock-offer-expiry")


async def test_policy_is_captured_when_the_case_opens(fast: Stack) -> None:
    s = fast
    before = await s.open_case(AF, municipality=FAST)
    await s.set_policy(FAST, introduction="PT1H")
    try:
        after = await s.open_case(AF, municipality=FAST)
    finally:
        await s.set_policy(FAST, introduction="PT3S")

    def gap(c: dict) -> float:
        due = datetime.fromisoformat(c["due"]["introduction_ends"])
        return (due - datetime.fromisoformat(c["opened_at"])).total_seconds()

    assert gap(before) < 10 and gap(after) > 3000
    assert datetime.now(UTC) < datetime.fromisoformat(after["due"]["introduction_ends"])
