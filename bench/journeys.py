"""Whole journeys with second-long time rules, so every clock rings (reminders, overdue,
escalations: the notify activities and task writes they cause) while the journeys run:
open, complete the introduction, joint standpoint `work` (exit), wait for the outcome check to
fall due, record the outcome, and the workflow completes. Against bare workflows of the same
shape: start, two updates, the same wait, an update, done."""

import asyncio
import secrets
from datetime import UTC, datetime

from bench.floor import FLOOR_QUEUE, BareCounter
from bench.measure import in_flight
from bench.report import Bound, Figure, Goal
from bench.stack import BenchStack
from tests.stack import case_body

JOURNEYS_GOAL = Goal(Bound.RATIO_AT_LEAST, 0.7, proposed=True)
MUNICIPALITY = "0662"  # Gislaved: the journeys get its policy, set here to seconds
SECOND_LONG = {
    "introduction": "PT1S",
    "follow_up_interval": "PT1S",
    "outcome_check_after": "PT1S",
    "reminder_ahead": "PT1S",
    "escalate_after": "PT1S",
    "offer_answer_time": "PT1S",
    "withdrawn_review": "PT1S",
}
WAIT = 1.0  # the outcome check falls due this long after the exit


async def run(s: BenchStack, journeys: int = 100, concurrency: int = 20) -> list[Figure]:
    admin = await s.headers("admin")
    (await s.http.put(f"/api/v1/policies/{MUNICIPALITY}", json=SECOND_LONG, headers=admin)).raise_for_status()
    af = "arbetsformedlare"  # joint-standpoint is AF's decision
    headers = await s.headers(af)

    async def journey(_: int) -> None:
        r = await s.http.post("/api/v1/cases", json=case_body(municipality=MUNICIPALITY), headers=headers)
        if r.status_code != 201:
            raise RuntimeError(f"open {r.status_code} {r.text[:120]}")
        case_id = r.json()["case_id"]
        await s.act(case_id, "complete-introduction", {}, af)
        exited = await s.act(case_id, "joint-standpoint", {"decision": "work"}, af)
        due = datetime.fromisoformat(exited["due"]["outcome_check"])
        await asyncio.sleep(max(0.0, min(5.0, (due - datetime.now(UTC)).total_seconds())))
        await s.act(case_id, "record-outcome", {"status": "work"}, af)
        await s.service.get_workflow_handle(f"journey-{case_id}").result()

    async def bare_journey(_: int) -> None:
        handle = await s.bare.start_workflow(
            BareCounter.run, id=f"bench-bare-{secrets.token_hex(6)}", task_queue=FLOOR_QUEUE
        )
        await handle.execute_update(BareCounter.bump, "introduction")
        await handle.execute_update(BareCounter.bump, "standpoint")
        await asyncio.sleep(WAIT)
        await handle.execute_update(BareCounter.bump, "outcome")
        await handle.signal(BareCounter.finish)
        await handle.result()

    service = await in_flight(journeys, concurrency, journey)
    bare = await in_flight(journeys, concurrency, bare_journey)
    note = f"{journeys} each, {concurrency} in flight, the outcome check {WAIT:g} s after exit; every rule PT1S"
    if service.errors:
        note += f"; first error: {service.errors[0]}"
    return [
        Figure(
            "journeys",
            "journeys completed per second (second-long policies)",
            "/s",
            service.per_second,
            bare.per_second,
            JOURNEYS_GOAL,
            note,
            len(service.errors) + len(bare.errors),
        ),
    ]
