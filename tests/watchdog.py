"""What a hung test was waiting for. pytest-timeout's thread method ends the whole test process
and prints every thread's stack, but an async test that hangs shows only its event loop idle in
`select` (the await that never returns is in a coroutine, on no thread's stack), and under
pytest-xdist that print is lost with the process. Shortly before that timeout, this cancels the
hung test's task instead: the test fails with the traceback of the await it was stuck in, and
the run goes on. Every other live task's stack goes to a file named in the failure."""

import asyncio
import gc
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

# Seconds before pytest-timeout's own deadline (pyproject.toml, [tool.pytest.ini_options]).
AHEAD = 30


def live_tasks() -> list["asyncio.Task[object]"]:
    return [o for o in gc.get_objects() if isinstance(o, asyncio.Task) and not o.done()]


def await_chain(task: "asyncio.Task[object]") -> Iterator[str]:
    """Where the task waits, outermost first: every coroutine it awaits down to the future at the
    bottom (asyncio's own `print_stack` shows only the outermost frame of a suspended task)."""
    awaited: object = task.get_coro()
    while awaited is not None:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
        if frame is None:
            yield f"  awaiting {awaited!r}"
            return
        yield f'  File "{frame.f_code.co_filename}", line {frame.f_lineno}, in {frame.f_code.co_name}'
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)


def print_tasks(out: TextIO) -> None:
    """Every live asyncio task's await chain; read from another thread while the loop waits (idle
    in `select`), which is the case this is for."""
    tasks = live_tasks()
    print(f"=== {len(tasks)} asyncio tasks alive ===", file=out)
    for task in tasks:
        print(f"--- {task.get_name()} ---", file=out)
        try:
            print("\n".join(await_chain(task)), file=out)
        except (AttributeError, ValueError, RuntimeError) as err:  # a frame changed under us: go on
            print(f"(stack unreadable: {err!r})", file=out)
    out.flush()


def cancel_hung_test(name: str, seconds: float) -> None:
    """Runs on the timer's thread: the stacks to a file, then the test's task cancelled on its
    own loop, with a message saying where the stacks are."""
    dump = Path(tempfile.gettempdir()) / f"samverkan-hung-{name}-{os.getpid()}.txt"
    with dump.open("w") as out:
        print_tasks(out)
    for task in live_tasks():
        if getattr(task.get_coro(), "__name__", None) == name:
            message = f"watchdog: still waiting after {seconds:.0f} s; every task's stack in {dump}"
            task.get_loop().call_soon_threadsafe(task.cancel, message)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    timeout = item.config.getini("timeout")
    seconds = float(timeout) - AHEAD if timeout else 0.0
    timer = None
    if seconds > 0 and isinstance(item, pytest.Function):
        timer = threading.Timer(seconds, cancel_hung_test, args=(item.function.__name__, seconds))
        timer.daemon = True
        timer.start()
    try:
        yield
    finally:
        if timer is not None:
            timer.cancel()
