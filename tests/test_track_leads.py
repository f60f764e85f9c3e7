"""What 000 and 002 ask of a track lead, on the real server: seats and prerequisites changed
(more seats go to the waiting list at once, fewer never evict), a task for each new applicant,
the offer's task the moment a seat is offered; and one application at a time, refused before
anything is written."""

import asyncio
import secrets
from typing import Any

from tests.stack import Stack, eventually

AF = "arbetsformedlare"
LEAD = "sparansvarig"


async def new_track(s: Stack, seats: int, **extra: Any) -> str:
    track_id = f"lead-{secrets.token_hex(4)}"
    body = {"track_id": track_id, "name": f"Spår {track_id}", "municipalities": ["0581"], "industry": "retail",
            "seats": seats, "lead": LEAD} | extra
    r = await s.api.post("/api/v1/tracks", json=body, headers=await s.headers("admin"))
    assert r.status_code == 201, r.text
    return track_id


async def choosing(s: Stack, **mapping: Any) -> str:
    cid = (await s.open_case(AF, **mapping))["case_id"]
    await s.act(AF, cid, "complete-introduction")
    await s.act(AF, cid, "joint-standpoint", {"decision": "track"})
    return str(cid)


async def apply(s: Stack, cid: str, track_id: str) -> str:
    return str((await s.act(AF, cid, "apply-to-track", {"track_id": track_id}))["application"]["status"])


async def change(s: Stack, track_id: str, user: str, body: dict[str, Any], expect: int = 200) -> Any:
    r = await s.api.patch(f"/api/v1/tracks/{track_id}", json=body, headers=await s.headers(user))
    assert r.status_code == expect, r.text
    return r.json()


async def test_more_seats_go_to_the_waiting_list_at_once_and_fewer_never_evict(stack: Stack) -> None:
    s = stack
    track_id = await new_track(s, seats=1)
    first, second, third = await choosing(s), await choosing(s), await choosing(s)
    assert [await apply(s, c, track_id) for c in (first, second, third)] == ["offered", "waiting", "waiting"]
    await s.act(AF, first, "answer-offer", {"accept": True})

    await change(s, track_id, "handlaggare", {"seats": 3}, expect=403)  # not the lead
    bad = await change(s, track_id, LEAD, {"seats": 0}, expect=422)
    assert bad["detail"][0]["loc"][-1] == "seats"
    view = await change(s, track_id, LEAD, {"seats": 2})
    assert view["seats"] == 2 and view["participants"] == [first] and view["offered"] == [second]

    async def offered() -> None:
        state = await s.get(AF, f"/api/v1/cases/{second}")
        assert state["application"]["status"] == "offered"

    await eventually(offered)
    view = await change(s, track_id, "admin", {"seats": 1, "name": "Spår, färre platser"})
    assert view["name"] == "Spår, färre platser" and view["seats"] == 1
    assert view["participants"] == [first] and view["offered"] == [second] and view["waiting_list"] == [third]
    assert (await s.get(AF, f"/api/v1/cases/{second}"))["application"]["status"] == "offered"


async def test_changed_prerequisites_hold_for_later_applications(stack: Stack) -> None:
    s = stack
    track_id = await new_track(s, seats=5)
    early, late = await choosing(s, swedish_level="sfi_b"), await choosing(s, swedish_level="sfi_b")
    assert await apply(s, early, track_id) == "offered"
    view = await change(s, track_id, LEAD, {"prerequisites": {"min_swedish_level": "sfi_d", "driving_licence": True}})
    assert view["prerequisites"] == {"min_swedish_level": "sfi_d", "driving_licence": True}
    refused = await s.act(AF, late, "apply-to-track", {"track_id": track_id}, expect=422)
    assert {e["prerequisite"] for e in refused["detail"]} == {"min_swedish_level", "driving_licence"}
    assert view["offered"] == [early]  # an earlier offer stands
    bad = await change(s, track_id, LEAD, {"prerequisites": {"height": 180}}, expect=422)
    assert "prerequisites" in bad["detail"][0]["loc"]


async def test_the_lead_gets_a_task_for_each_applicant_and_the_worker_one_for_the_offer(stack: Stack) -> None:
    s = stack
    track_id = await new_track(s, seats=1)
    offered_case, waiting_case = await choosing(s), await choosing(s)
    await apply(s, offered_case, track_id)
    await apply(s, waiting_case, track_id)

    async def lead_tasks() -> dict[str, dict[str, Any]]:
        tasks = {t["case_id"]: t for t in await s.get(LEAD, "/api/v1/tasks") if t["kind"] == "new_applicant"
                 and t["about"] == track_id}
        assert set(tasks) == {offered_case, waiting_case}
        return tasks

    tasks = await eventually(lead_tasks)
    assert all(t["assignee"] == LEAD and t["status"] == "open" for t in tasks.values())

    # The responsible worker's offer task opens with the offer (five working days ahead).
    async def offer_task() -> None:
        [task] = [t for t in await s.get(AF, "/api/v1/tasks") if t["case_id"] == offered_case
                  and t["kind"] == "offer_answer_due"]
        assert task["status"] == "open" and task["assignee"] == AF

    await eventually(offer_task)

    r = await s.api.post(f"/api/v1/tracks/{track_id}/decisions", headers=await s.headers(LEAD),
                         json={"case_id": waiting_case, "decision": "decline", "reason": "inte nu"})
    assert r.status_code == 200, r.text
    await s.act(AF, offered_case, "answer-offer", {"accept": True})

    async def all_done() -> None:
        done = {t["case_id"]: t["status"] for t in await s.get(LEAD, "/api/v1/tasks") if t["about"] == track_id}
        assert done == {offered_case: "done", waiting_case: "done"}

    await eventually(all_done)


async def test_a_second_application_while_one_is_answered_is_refused_before_it_is_written(stack: Stack) -> None:
    s = stack
    one, other = await new_track(s, seats=5), await new_track(s, seats=5)
    cid = await choosing(s)
    h = await s.headers(AF)
    path = f"/api/v1/cases/{cid}/actions/apply-to-track"
    handle = s.temporal.get_workflow_handle(f"journey-{cid}")

    async def accepted() -> int:
        events = [e async for e in handle.fetch_history_events()]
        return sum(e.HasField("workflow_execution_update_accepted_event_attributes") for e in events)

    before = await accepted()
    first = asyncio.create_task(s.api.post(path, json={"track_id": one}, headers=h))
    for _ in range(3000):  # until the first is accepted: its seat is being asked for
        if await accepted() > before:
            break
        await asyncio.sleep(0.005)
    second = await s.api.post(path, json={"track_id": other}, headers=h)
    assert second.status_code == 409, second.text
    assert "apply-to-track" not in second.json()["detail"]["allowed_actions"]
    assert (await first).status_code == 200
    events = [e async for e in handle.fetch_history_events()]
    applications = [
        e for e in events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
        and e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name == "apply-to-track"
    ]
    assert len(applications) == 1  # the refusal left nothing in the history
    state = await s.get(AF, f"/api/v1/cases/{cid}")
    assert state["application"]["track_id"] == one
    assert [e["action"] for e in state["timeline"]].count("apply-to-track") == 1
