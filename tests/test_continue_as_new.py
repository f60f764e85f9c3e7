"""A long case continues as new when Temporal suggests it, and loses nothing on the way."""



from temporalio.api.enums.v1 import EventType

from tests.stack import Stack, eventually, today

W = "handlaggare"


async def test_long_case_continues_as_new_with_its_state(short_history_stack: Stack) -> None:
    s = short_history_stack
    case = await s.open_case()
    cid = case["case_id"]
    handle = s.temporal.get_workflow_handle(f"journey-{cid}")
    first_run = (await handle.describe()).run_id
    follow_up = {"held_on": today().isoformat(), "attendees": ["AF"], "progress": "ok", "next_steps": "mer"}
    for i in range(30):
        state = await s.act(
            W, cid, "record-follow-up", follow_up | {"note": f"möte {i}"}, **{"Idempotency-Key": f"f-{i}"}
        )
    assert len(state["follow_ups"]) == 30

    async def continued() -> None:
        assert (await handle.describe()).run_id != first_run

    await eventually(continued)  # the run loop continues as new between outbox passes
    first_history = [
        e async for e in s.temporal.get_workflow_handle(f"journey-{cid}", run_id=first_run).fetch_history_events()
    ]
    assert first_history[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    # An Idempotency-Key from before continue-as-new is still remembered.
    again = await s.act(W, cid, "record-follow-up", follow_up, **{"Idempotency-Key": "f-0"})
    assert len(again["follow_ups"]) == 30 and again["version"] == state["version"]
    # And the journey goes on from where it was.
    state = await s.act(W, cid, "complete-introduction")
    assert state["phase"] == "preparatory" and len(state["timeline"]) == 32
    live = await s.get(W, f"/api/v1/cases/{cid}")
    assert live["version"] == state["version"]
