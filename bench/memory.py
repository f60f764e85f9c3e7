"""Worker memory with 10 000 live journeys: a fresh service worker (`python -m worker`, as
deployed) and a fresh floor worker (unsandboxed bare workflows), each in a process of its own so
its resident memory can be read. Both keep the SDK's default cache (1,000 workflows) and poll for
new workflows with 20 pollers, all on the normal queue (the service's through its worker tuning
settings), so that neither fills slower for want of a poller."""

import asyncio
import secrets
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bench.floor import BareCounter
from bench.measure import in_flight
from bench.report import Bound, Figure, Goal
from bench.stack import BenchStack, rss_mib, service_env
from services.cases import CaseCreate, first_state
from services.journeys import start_journey as start_journey_as_the_api
from tests.stack import case_body, today
from workflows.domain import Actor, CaseOpening, Gender, Participant, Role, TimePolicy
from workflows.journey import EVERY_PATCH_BEFORE
from workflows.personal_number import parse_personal_number

MEMORY_GOAL = Goal(Bound.RATIO_AT_MOST, 2.0, proposed=True)
RSS_MUNICIPALITY = "0683"  # Värnamo: only this part opens cases there
IN_FLIGHT = 50
BATCH = 500


def opening(case_id: str) -> CaseOpening:
    body = case_body(municipality=RSS_MUNICIPALITY)
    number = parse_personal_number(body["personal_number"], today())
    return CaseOpening(
        case_id=case_id,
        municipality=RSS_MUNICIPALITY,
        responsible_worker="handlaggare",
        participant=Participant(
            number.normalised, body["given_name"], body["family_name"], Gender.WOMAN, number.birth_date
        ),
        mapping=CaseCreate(**body).mapping(),  # as the API reads a referral's mapping
        policy=TimePolicy(),
        opened_by=Actor("handlaggare", Role.CASE_WORKER, RSS_MUNICIPALITY),
    )


async def until(count: Callable[[], Awaitable[int]], target: int, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while await count() < target:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {target} live after {seconds} s")
        await asyncio.sleep(1)


async def settled_rss(pid: int) -> float:
    """RSS once the worker has finished its last tasks: the highest of a few readings."""
    readings = []
    for _ in range(5):
        await asyncio.sleep(0.5)
        readings.append(rss_mib(pid))
    return max(readings)


async def run(s: BenchStack, live: int = 10_000) -> list[Figure]:
    queue = f"bench-rss-{secrets.token_hex(3)}"
    env = service_env(s.settings, SAMVERKAN_TASK_QUEUE=queue)
    floor = s.processes.start([sys.executable, "-m", "bench.floor", s.address, f"{queue}-floor"], env)
    # The service's worker polls as the floor's does (README, Settings: worker tuning).
    polls = {"SAMVERKAN_WORKER_WORKFLOW_TASK_POLLS": "20", "SAMVERKAN_WORKER_NONSTICKY_TO_STICKY_POLL_RATIO": "1.0"}
    tuned = env | polls
    worker = s.processes.start(s.worker_args, tuned)
    try:
        await asyncio.sleep(3)  # both connected and polling
        floor_idle, worker_idle = rss_mib(floor.pid), rss_mib(worker.pid)

        mark = f"bench-live-{queue}"

        async def start_bare(_: int) -> None:
            await s.bare.start_workflow(
                BareCounter.run, mark, id=f"bench-bare-{secrets.token_hex(6)}", task_queue=f"{queue}-floor"
            )

        async def bare_live() -> int:
            return (await s.bare.count_workflows(f'ResponsibleWorker = "{mark}"')).count

        async def start_journey(_: int) -> None:
            # As the API opens a case (services.cases): the first row is the API's to write (not
            # the worker's, whose memory is measured), the search attributes go with the start,
            # and the journey's first task writes neither.
            o, now = opening(secrets.token_hex(8)), datetime.now(UTC)
            await start_journey_as_the_api(s.service, o, now, first_state(o, now).searchable, queue, 60)

        async def journeys_live() -> int:
            # Its first task done: the patch it records there is in its search attributes.
            found = f'TemporalChangeVersion = "{EVERY_PATCH_BEFORE}" AND Municipality = "{RSS_MUNICIPALITY}"'
            return (await s.service.count_workflows(found)).count

        async def make_live(start: Callable[[int], Awaitable[object]], count: Callable[[], Awaitable[int]]) -> float:
            # In batches smaller than the cache: thousands started at once would have the worker
            # evict a journey before its outbox activity answers and replay it, again and again.
            t0 = time.perf_counter()
            for done in range(0, live, BATCH):
                n = min(BATCH, live - done)
                started = await in_flight(n, IN_FLIGHT, start)
                if started.errors:  # a start that failed would be waited for until the deadline
                    raise RuntimeError(f"{len(started.errors)} starts failed: {started.errors[0]}")
                await until(count, done + n, seconds=max(600, n))
            return time.perf_counter() - t0

        # Side by side: each worker's own pace (a poller's round trip, not only CPU) sets the time.
        bare_seconds, journey_seconds = await asyncio.gather(
            make_live(start_bare, bare_live), make_live(start_journey, journeys_live)
        )
        floor_rss, worker_rss = await asyncio.gather(settled_rss(floor.pid), settled_rss(worker.pid))
    finally:
        s.processes.stop(worker)
        s.processes.stop(floor)
    note = (
        f"idle: service worker {worker_idle:.0f} MiB, floor {floor_idle:.0f} MiB; {live:,} live "
        f"(first task done; the first row the API's) in {journey_seconds:.0f} s, bare in {bare_seconds:.0f} s"
    )
    name = f"worker RSS with {live:,} live journeys"
    return [Figure("memory", name, "MiB", worker_rss, floor_rss, MEMORY_GOAL, note)]
