"""Timing helpers: percentiles, one call timed, many calls with a fixed number in flight."""

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.cpu import Meter, Spent


def pct(samples: list[float], q: int) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


async def timed_ms(call: Callable[[], Awaitable[object]]) -> float:
    t0 = time.perf_counter()
    await call()
    return (time.perf_counter() - t0) * 1000


@dataclass
class Run:
    """Many calls with a fixed number in flight: how long it took and what failed."""

    done: int
    seconds: float
    errors: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.done / self.seconds


async def in_flight(total: int, concurrency: int, call: Callable[[int], Awaitable[object]]) -> Run:
    """Run `call(0..total-1)` with `concurrency` callers; a raised error is counted, not fatal."""
    next_index = iter(range(total))
    errors: list[str] = []
    done = 0

    async def caller() -> None:
        nonlocal done
        for i in next_index:
            try:
                await call(i)
                done += 1
            except Exception as exc:  # noqa: BLE001 - every failure is a figure of the run
                errors.append(f"{type(exc).__name__}: {exc}"[:200])

    t0 = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return Run(done, time.perf_counter() - t0, errors)


async def metered(
    meter: Meter, into: Spent, total: int, concurrency: int, call: Callable[[int], Awaitable[object]]
) -> Run:
    """`in_flight`, and what each of `meter`'s processes spent meanwhile, per call, added to `into`."""
    with meter.stretch(into):
        run = await in_flight(total, concurrency, call)
    into.calls += run.done
    return run
