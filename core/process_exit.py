"""Leaving a process that ran a Temporal client or worker."""

import os
import sys
from typing import NoReturn


def leave(code: int = 0) -> NoReturn:
    """Exit without the interpreter's finalization: a native thread of the Temporal SDK's runtime
    can abort it (`PyGILState_Release`), turning a clean stop into SIGABRT (exit 134)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
