"""Opening cases with 10 in flight against bare workflow starts, then one action on each new
case right after the burst (while the worker still writes the openings' read model)."""

import secrets
from dataclasses import dataclass, field
from typing import Any

from temporalio.client import WithStartWorkflowOperation, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy

from bench.cpu import Spent
from bench.floor import FLOOR_QUEUE, BareCounter
from bench.measure import in_flight, metered, pct, timed_ms
from bench.report import Bound, Figure, Goal
from bench.single import ACTION_GOAL, follow_up
from bench.stack import BenchStack
from tests.stack import case_body

OPENING_GOAL = Goal(Bound.RATIO_AT_LEAST, 0.8)
AFTER_OPENINGS_GOAL = Goal(ACTION_GOAL.bound, ACTION_GOAL.value, proposed=True)
IN_FLIGHT = 10


def bare_id() -> str:
    return f"bench-bare-{secrets.token_hex(6)}"


@dataclass
class Tally:
    seconds: float = 0.0
    done: int = 0
    errors: list[str] = field(default_factory=list)
    after_ms: list[float] = field(default_factory=list)  # the action right after the burst
    spent: Spent = field(default_factory=Spent)  # the processes' CPU in the bursts

    @property
    def per_second(self) -> float:
        return self.done / self.seconds


async def service_round(s: BenchStack, n: int, tally: Tally) -> None:
    headers = await s.headers("handlaggare")
    cases: list[str] = []

    async def open_one(_: int) -> None:
        r = await s.http.post("/api/v1/cases", json=case_body(), headers=headers)
        if r.status_code != 201:
            raise RuntimeError(f"{r.status_code} {r.text[:120]}")
        cases.append(r.json()["case_id"])

    run = await metered(s.meter(), tally.spent, n, IN_FLIGHT, open_one)
    tally.seconds += run.seconds
    tally.done += run.done
    tally.errors += run.errors
    body = follow_up()
    for case_id in cases:

        async def act(url: str = f"/api/v1/cases/{case_id}/actions/record-follow-up") -> None:
            r = await s.http.post(url, json=body, headers=headers)
            if r.status_code != 200:
                tally.errors.append(f"action {r.status_code}")

        tally.after_ms.append(await timed_ms(act))
    await s.settled(*cases)  # the backlog worked off before the floor's round


async def bare_round(s: BenchStack, n: int, tally: Tally) -> None:
    handles: list[WorkflowHandle[Any, Any]] = []

    async def start_one(_: int) -> None:
        handles.append(await s.bare.start_workflow(BareCounter.run, id=bare_id(), task_queue=FLOOR_QUEUE))

    run = await metered(s.meter(), tally.spent, n, IN_FLIGHT, start_one)
    tally.seconds += run.seconds
    tally.done += run.done
    tally.errors += run.errors
    for handle in handles:
        tally.after_ms.append(await timed_ms(lambda h=handle: h.execute_update(BareCounter.bump, "bench")))
    for handle in handles:
        await handle.signal(BareCounter.finish)


async def start_and_query(s: BenchStack, _: int) -> None:
    handle = await s.bare.start_workflow(BareCounter.run, id=bare_id(), task_queue=FLOOR_QUEUE)
    await handle.query(BareCounter.current)  # the server answers once the first task is done
    await handle.signal(BareCounter.finish)


async def update_with_start(s: BenchStack, _: int) -> None:
    op = WithStartWorkflowOperation(
        BareCounter.run, id=bare_id(), task_queue=FLOOR_QUEUE, id_conflict_policy=WorkflowIDConflictPolicy.FAIL
    )
    await s.bare.execute_update_with_start_workflow(BareCounter.bump, "open", start_workflow_operation=op)
    await (await op.workflow_handle()).signal(BareCounter.finish)


async def run(s: BenchStack, per_round: int = 100, rounds: int = 2) -> list[Figure]:
    service, bare = Tally(), Tally()
    for _ in range(rounds):  # alternate, so drift on the machine hits both alike
        await service_round(s, per_round, service)
        await bare_round(s, per_round, bare)
    # Not goals: what the two ways of answering with the state cost on the bare engine.
    queried = await in_flight(per_round, IN_FLIGHT, lambda i: start_and_query(s, i))
    with_start = await in_flight(per_round, IN_FLIGHT, lambda i: update_with_start(s, i))

    after = f"{len(service.after_ms)} samples each; p95 service {pct(service.after_ms, 95):.1f} ms, "
    after += f"bare {pct(bare.after_ms, 95):.1f} ms"
    return [
        Figure(
            "opening",
            f"case opening per second ({IN_FLIGHT} in flight) vs starts",
            "/s",
            service.per_second,
            bare.per_second,
            OPENING_GOAL,
            f"{service.done} openings, {bare.done} starts; CPU in the bursts (a journey's first task may fall after)",
            len(service.errors),
            {"service": service.spent, "bare": bare.spent},
        ),
        Figure(
            "opening",
            "  floor: start, then a query (waits for the first task)",
            "/s",
            queried.per_second,
            bare.per_second,
            None,
            "not a goal: today's way of answering with the state, on the bare engine",
        ),
        Figure(
            "opening",
            "  floor: update-with-start",
            "/s",
            with_start.per_second,
            bare.per_second,
            None,
            "not a goal: opening in one round trip, on the bare engine",
        ),
        Figure(
            "opening",
            f"action right after {per_round} openings p50 vs update after {per_round} starts",
            "ms",
            pct(service.after_ms, 50),
            pct(bare.after_ms, 50),
            AFTER_OPENINGS_GOAL,
            after,
        ),
    ]
