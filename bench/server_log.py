"""The bench's Temporal dev server with its log in a file of its own, apart from the figures:
the last line of a run counts its errors."""

import os
import re
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tests.stack import dev_server


@contextmanager
def output_to(path: Path) -> Iterator[None]:
    """This process's stdout and stderr go to `path` for a while; a child started meanwhile keeps
    them. The SDK starts the dev server with this process's own, and has no other choice."""
    sys.stdout.flush()
    sys.stderr.flush()
    kept = os.dup(1), os.dup(2)
    path.parent.mkdir(parents=True, exist_ok=True)
    log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.dup2(log, 1)
        os.dup2(log, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(kept[0], 1)
        os.dup2(kept[1], 2)
        for fd in (log, *kept):
            os.close(fd)


@asynccontextmanager
async def logged_dev_server(path: Path) -> AsyncIterator[WorkflowEnvironment]:
    """The dev server, its log in `path`, not among the figures: under the memory part's load
    (10,000 starts) its SQLite persistence logs a hundred or more `Update workflow execution
    operation failed ... context canceled`: writes given up when their request's time ran out, none
    of them an error of the service's (the part's figure counts those)."""
    async with AsyncExitStack() as running:
        with output_to(path):
            env = await running.enter_async_context(dev_server())
        yield env


def server_log_summary(path: Path) -> str:
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    errors = sum(1 for line in lines if re.search(r"\blevel=error\b", line, re.IGNORECASE))
    return f"Temporal's dev server logged {len(lines)} lines, {errors} of them errors, in {path}."
