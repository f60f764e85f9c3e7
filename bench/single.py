"""One request at a time, alternating service and floor so drift on the machine hits both:
a case action (`record-follow-up`) against a bare update, a case read against a bare query.
Each call begins once the journeys are quiet, so the floor is not slowed by work an action left.
The same bare update and query through a bare web process (bench/http_floor.py) are measured
in turn too: the part of the ratio any HTTP front to Temporal pays."""

import secrets
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from temporalio.client import WorkflowHandle

from bench.client import Answer
from bench.floor import FLOOR_QUEUE, BareCounter
from bench.measure import pct, timed_ms
from bench.report import Bound, Figure, Goal
from bench.stack import BenchStack
from services.journeys import run_action
from store.seed import DEMO_USERS
from tests.stack import today
from workflows.actions import Action, RecordFollowUp
from workflows.domain import Actor, Role

ACTION_GOAL = Goal(Bound.RATIO_AT_MOST, 1.2)
READ_GOAL = Goal(Bound.RATIO_AT_MOST, 1.5)
CASE_WORKER = "handlaggare"  # a demo user (store/seed.py)
WARM_UP = 20


def follow_up() -> dict[str, Any]:
    return {"held_on": today().isoformat(), "attendees": ["AF"], "progress": "bench", "next_steps": "mer"}


async def bare_workflows(s: BenchStack, n: int) -> list[WorkflowHandle[Any, Any]]:
    return [
        await s.bare.start_workflow(BareCounter.run, id=f"bench-bare-{secrets.token_hex(6)}", task_queue=FLOOR_QUEUE)
        for _ in range(n)
    ]


def latency_figures(part: str, name: str, service: list[float], bare: list[float], goal: Goal | None) -> list[Figure]:
    note = f"{len(service)} samples each; p95 service {pct(service, 95):.1f} ms, bare {pct(bare, 95):.1f} ms"
    return [Figure(part, name, "ms", pct(service, 50), pct(bare, 50), goal, note)]


def behind_http(name: str, service: list[float], http: list[float], bare: list[float]) -> Figure:
    """The service against bare Temporal behind HTTP: its own work, the HTTP hop left out."""
    note = (
        f"not a goal: the bare {name} through a bare web process is {pct(http, 50):.1f} ms, "
        f"{pct(http, 50) / pct(bare, 50):.2f}× the bare {name}: what an HTTP hop costs"
    )
    return Figure(
        "single", f"  the service vs a bare {name} behind HTTP", "ms", pct(service, 50), pct(http, 50), None, note
    )


async def run(s: BenchStack, samples: int, cases_n: int = 25) -> list[Figure]:
    headers = await s.headers(CASE_WORKER)
    # Round-robin over a caseload, so each case grows as a real one does (a follow-up a
    # fortnight: a dozen or so over a journey), not one case without end.
    cases = [(await s.open_case())["case_id"] for _ in range(cases_n)]
    bares = await bare_workflows(s, cases_n)
    body = follow_up()

    def case(i: int) -> str:
        return cases[i % cases_n]

    def bare_of(i: int) -> WorkflowHandle[Any, Any]:
        return bares[i % cases_n]

    # The same action asked of the journey straight from here, as the web asks it: what the
    # workflow's side costs, without the web (cases of their own, so each grows as the others).
    direct_cases = [(await s.open_case())["case_id"] for _ in range(cases_n)]
    actor = next(Actor(name, Role(role), org) for name, role, org, _ in DEMO_USERS if name == CASE_WORKER)
    direct_body = RecordFollowUp(**(body | {"held_on": today()}))

    def settle(i: int) -> Awaitable[None]:
        return s.settled(case(i), direct_cases[i % cases_n])

    action_ms, update_ms, http_update_ms, direct_ms = await alternate(
        samples,
        settle,
        lambda i: ok(s.http.post(f"/api/v1/cases/{case(i)}/actions/record-follow-up", json=body, headers=headers)),
        lambda i: bare_of(i).execute_update(BareCounter.bump, "bench"),
        lambda i: ok(s.http_floor.post(f"/bare/{bare_of(i).id}", json=body)),
        lambda i: run_action(
            s.service, direct_cases[i % cases_n], Action.RECORD_FOLLOW_UP, actor, direct_body, None, 30
        ),
    )
    read_ms, query_ms, http_query_ms = await alternate(
        samples,
        lambda i: s.settled(case(i)),
        lambda i: ok(s.http.get(f"/api/v1/cases/{case(i)}", headers=headers)),
        lambda i: bare_of(i).query(BareCounter.current),
        lambda i: ok(s.http_floor.get(f"/bare/{bare_of(i).id}")),
    )

    for bare in bares:
        await bare.signal(BareCounter.finish)
    return [
        *latency_figures(
            "single",
            f"case action p50 (record-follow-up, {cases_n} cases) vs update",
            action_ms,
            update_ms,
            ACTION_GOAL,
        ),
        behind_http("update", action_ms, http_update_ms, update_ms),
        Figure(
            "single",
            "  the journey's update, asked without the web, vs update",
            "ms",
            pct(direct_ms, 50),
            pct(update_ms, 50),
            None,
            "not a goal: the workflow's side of an action (its answer is the case's view, "
            "encrypted; its task also schedules the projection); the rest of the action is the web's",
        ),
        *latency_figures("single", "case read p50 (GET /cases/{id}) vs query", read_ms, query_ms, READ_GOAL),
        behind_http("query", read_ms, http_query_ms, query_ms),
    ]


async def alternate(
    rounds: int, settle: Callable[[int], Awaitable[object]], *calls: Callable[[int], Awaitable[object]]
) -> list[list[float]]:
    """Each call in turn, round after round (round `i` calls each with `i`), so drift on the
    machine hits them all; each begins once the work the one before left is done (`settle`,
    not timed); the times of each, warm-up rounds left out."""
    times: list[list[float]] = [[] for _ in calls]
    for i in range(rounds + WARM_UP):
        for column, call in zip(times, calls, strict=True):
            await settle(i)
            ms = await timed_ms(partial(call, i))
            if i >= WARM_UP:
                column.append(ms)
    return times


async def ok(request: Awaitable[Answer]) -> None:
    (await request).raise_for_status()
