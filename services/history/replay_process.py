"""Replays in processes of their own. The SDK's replayer cannot be stopped once it runs: when
cancelled it awaits its worker again, so a replay that never ends would keep its task, its
thread and its memory for as long as the web process lives, and a long record's replay takes
the web's CPU (and its GIL) from the case workers' requests meanwhile. Here a replay that has
not ended at its deadline is ended with its process, and the next replay gets a new one.

The process is spawned (not forked: the web process holds the Temporal runtime's threads and an
event loop) when an auditor's page is about to need it (`warm`: spawning and importing the
workflows' code takes 1–3 s, which the auditor would otherwise wait at the first replay) or when
a replay asks, kept for the next, and let go after a quiet spell: it holds the workflows' code
and the SDK (about 120 MiB), and auditors ask seldom. Spawned, it imports the
web process's main module again, as `multiprocessing` does: a script that starts the service
must start it under `if __name__ == "__main__"` (`python -m uvicorn`, uvicorn's own script and
pytest do)."""

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

import structlog

from services.errors import Unavailable

log = structlog.get_logger()
P = ParamSpec("P")
T = TypeVar("T")

# One replay at a time per web process: others wait in line, within their deadline (a replay
# of 1,000 events takes a third of a second; spawning the process, 1–3 s).
REPLAY_PROCESSES = 1
# Let go after this many seconds without a replay.
REPLAY_IDLE = 600.0


def _warmed(warming: Future[object]) -> None:
    if not warming.cancelled() and (failure := warming.exception()) is not None:
        log.warning("replay_warm_failed", error=type(failure).__name__)


class ReplayProcesses:
    def __init__(self, processes: int = REPLAY_PROCESSES, idle: float = REPLAY_IDLE) -> None:
        self._processes = processes
        self._idle = idle
        self._pool: ProcessPoolExecutor | None = None
        self._running = 0
        self._last_ended = 0.0

    def _current(self) -> ProcessPoolExecutor:
        if self._pool is not None and self._pool._broken:  # its process ended between replays
            self._end(self._pool)
        if self._pool is None:
            spawn = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self._processes, mp_context=spawn)
        return self._pool

    def warm(self, ready: Callable[[], object]) -> None:
        """Spawns the process now, if there is none, and has it run `ready` (a function of the
        module the replays' functions live in, so that it imports what they need): the next
        replay finds it ready. Let go after a quiet spell like a replay's."""
        if self._pool is not None:
            return
        try:
            pool = self._current()
            warming = pool.submit(ready)
        except Exception as failure:  # noqa: BLE001 - a courtesy: the page is served all the same, a replay asks again
            log.warning("replay_warm_failed", error=type(failure).__name__)
            self.shutdown()
            return
        warming.add_done_callback(_warmed)
        self._plan_let_go(pool)

    async def run(self, deadline: float, replay: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`replay(*args)`'s result from a replay process, or Unavailable (503: ask again) once
        `deadline` seconds have passed, or when its process ended under it."""
        pool = self._current()
        self._running += 1
        try:
            return await asyncio.wait_for(asyncio.wrap_future(pool.submit(replay, *args, **kwargs)), deadline)
        except TimeoutError:
            log.error("replay_unfinished", seconds=deadline)
            self._end(pool)
            raise Unavailable(f"the replay did not end within {deadline:.0f} s") from None
        except BrokenProcessPool:
            log.error("replay_process_ended")
            self._end(pool)
            raise Unavailable("the replay's process ended before the replay did") from None
        finally:
            self._running -= 1
            self._plan_let_go(pool)

    def _plan_let_go(self, pool: ProcessPoolExecutor) -> None:
        loop = asyncio.get_running_loop()
        self._last_ended = loop.time()
        loop.call_later(self._idle, self._let_go_if_idle, pool)

    def _let_go_if_idle(self, pool: ProcessPoolExecutor) -> None:
        # Each replay plans a look when it ends; only the look of the last one finds the quiet.
        quiet = asyncio.get_running_loop().time() - self._last_ended
        if self._pool is pool and self._running == 0 and quiet >= self._idle * 0.99:
            self._pool = None
            pool.shutdown(wait=False)

    def _end(self, pool: ProcessPoolExecutor) -> None:
        """Ends the pool's processes (a replay in any of them with it): the next replay starts anew."""
        if self._pool is pool:
            self._pool = None
        for process in list((pool._processes or {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._end(self._pool)

    def pids(self) -> list[int]:
        """The replay processes running now (none before the first replay)."""
        processes = (self._pool._processes or {}) if self._pool else {}
        return [p.pid for p in processes.values() if p.pid is not None]
