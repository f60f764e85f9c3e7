"""`make run` and its children go down together, even when one is killed outright (SIGKILL, the
OOM killer) and has no chance to stop the others: Linux tells each child when its parent dies."""

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def stop_with_parent(parent: int | None = None) -> Callable[[], None]:
    """For `Popen(preexec_fn=...)`, or to call at start: SIGTERM (a clean stop) when the
    parent dies. `parent` is the pid the caller expects as parent (default: the current one)."""
    expected = parent if parent is not None else os.getppid()

    def arrange() -> None:
        if sys.platform != "linux":
            return
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != expected:  # the parent died before we asked
            os.kill(os.getpid(), signal.SIGTERM)

    return arrange
