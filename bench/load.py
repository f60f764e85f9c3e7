"""50 case workers acting at once, each on a case of their own, against 50 callers updating
50 bare workflows: throughput ratio, and no error allowed."""

from bench.floor import BareCounter
from bench.measure import in_flight
from bench.report import Bound, Figure, Goal
from bench.single import bare_workflows, follow_up
from bench.stack import BenchStack

LOAD_GOAL = Goal(Bound.RATIO_AT_LEAST, 0.7)


async def run(s: BenchStack, callers: int = 50, per_caller: int = 12) -> list[Figure]:
    headers = await s.headers("handlaggare")
    cases = [(await s.open_case())["case_id"] for _ in range(callers)]
    bares = await bare_workflows(s, callers)
    body = follow_up()
    total = callers * per_caller

    async def act(i: int) -> None:
        r = await s.http.post(
            f"/api/v1/cases/{cases[i % callers]}/actions/record-follow-up", json=body, headers=headers
        )
        if r.status_code != 200:
            raise RuntimeError(f"{r.status_code} {r.text[:120]}")

    async def bump(i: int) -> None:
        await bares[i % callers].execute_update(BareCounter.bump, "bench")

    service = await in_flight(total, callers, act)
    await s.settled(*cases)
    bare = await in_flight(total, callers, bump)
    for handle in bares:
        await handle.signal(BareCounter.finish)
    errors = service.errors + bare.errors
    note = f"{total} of each; service {service.seconds:.1f} s, bare {bare.seconds:.1f} s"
    if errors:
        note += f"; first error: {errors[0]}"
    return [
        Figure(
            "load",
            f"actions per second, {callers} in flight vs updates",
            "/s",
            service.per_second,
            bare.per_second,
            LOAD_GOAL,
            note,
            len(errors),
        ),
    ]
