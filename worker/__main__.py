import asyncio
import contextlib

from worker.main import main

# Ctrl-C cancels the worker's task, which shuts the worker down gracefully; nothing to report.
with contextlib.suppress(KeyboardInterrupt):
    asyncio.run(main())
