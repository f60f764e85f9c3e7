import asyncio
import contextlib
import os
import sys

from worker.main import main

# Ctrl-C cancels the worker's task, which shuts the worker down gracefully; nothing to report.
with contextlib.suppress(KeyboardInterrupt):
    asyncio.run(main())
# The worker has stopped cleanly. Leave without interpreter finalization: a native thread of the
# Temporal SDK's runtime can abort it (PyGILState_Release), turning a clean stop into SIGABRT.
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
