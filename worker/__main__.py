import asyncio
import contextlib

from core.process_exit import leave
from worker.main import main

# Ctrl-C cancels the worker's task, which shuts the worker down gracefully; nothing to report.
with contextlib.suppress(KeyboardInterrupt):
    asyncio.run(main())
leave(0)  # the worker has stopped cleanly
