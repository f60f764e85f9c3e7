"""The watchdog (tests/watchdog.py) ends a hung test with the await it is stuck in."""

import asyncio
import io
import re
from pathlib import Path

import pytest

from tests.watchdog import cancel_hung_test, print_tasks


async def waits_for_an_answer_that_never_comes(never: asyncio.Event) -> None:
    await never.wait()


async def test_the_watchdog_prints_where_a_task_waits() -> None:
    stuck = asyncio.create_task(waits_for_an_answer_that_never_comes(asyncio.Event()), name="stuck-one")
    await asyncio.sleep(0)
    out = io.StringIO()
    try:
        print_tasks(out)
    finally:
        stuck.cancel()
    assert "--- stuck-one ---" in out.getvalue()
    assert "in waits_for_an_answer_that_never_comes" in out.getvalue()


async def hung_test(never: asyncio.Event) -> None:
    await waits_for_an_answer_that_never_comes(never)


async def test_the_watchdog_cancels_the_hung_test_from_its_thread() -> None:
    hung = asyncio.create_task(hung_test(asyncio.Event()))
    await asyncio.sleep(0)
    await asyncio.to_thread(cancel_hung_test, "hung_test", 270)
    with pytest.raises(asyncio.CancelledError) as cancelled:
        await hung
    message = str(cancelled.value)
    assert message.startswith("watchdog: still waiting after 270 s")
    dump = Path(re.sub(r".* in ", "", message))
    assert "in waits_for_an_answer_that_never_comes" in dump.read_text()
    dump.unlink()
