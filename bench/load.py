"""50 case workers acting at once, each on a case of their own, against 50 callers updating
50 bare workflows: throughput ratio, and no error allowed. Then the same 50 reading their cases
at once, against 50 callers querying the bare workflows: each read writes its access-log entry
ahead (a journal append, synced) before it is answered, and here those appends meet."""

from collections.abc import Awaitable, Callable

from bench.cpu import Spent
from bench.floor import BareCounter
from bench.measure import Run, metered
from bench.report import Bound, Figure, Goal
from bench.single import bare_workflows, follow_up
from bench.stack import BenchStack

LOAD_GOAL = Goal(Bound.RATIO_AT_LEAST, 0.7)
# The goal for actions at once, proposed for reads at once.
READS_GOAL = Goal(LOAD_GOAL.bound, LOAD_GOAL.value, proposed=True)
READS_PER_ACTION = 4  # reads are quicker: more of them, for a run as long


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

    async def read(i: int) -> None:
        r = await s.http.get(f"/api/v1/cases/{cases[i % callers]}", headers=headers)
        if r.status_code != 200:
            raise RuntimeError(f"{r.status_code} {r.text[:120]}")

    async def query(i: int) -> None:
        await bares[i % callers].query(BareCounter.current)

    meter = s.meter()

    async def measured(calls: int, call: Callable[[int], Awaitable[None]]) -> tuple[Run, Spent]:
        spent = Spent()
        return await metered(meter, spent, calls, callers, call), spent

    actions = await measured(total, act)
    await s.settled(*cases)
    updates = await measured(total, bump)
    reads = await measured(total * READS_PER_ACTION, read)
    queries = await measured(total * READS_PER_ACTION, query)
    for handle in bares:
        await handle.signal(BareCounter.finish)
    return [
        at_once(f"actions per second, {callers} in flight vs updates", actions, updates, LOAD_GOAL),
        at_once(f"reads per second, {callers} in flight vs queries", reads, queries, READS_GOAL),
    ]


def at_once(name: str, service: tuple[Run, Spent], bare: tuple[Run, Spent], goal: Goal) -> Figure:
    (ran, ran_cpu), (floor, floor_cpu) = service, bare
    errors = ran.errors + floor.errors
    note = f"{ran.done + len(ran.errors)} of each; service {ran.seconds:.1f} s, bare {floor.seconds:.1f} s"
    if errors:
        note += f"; first error: {errors[0]}"
    cpu = {"service": ran_cpu, "bare": floor_cpu}
    return Figure("load", name, "/s", ran.per_second, floor.per_second, goal, note, len(errors), cpu)
