"""py-spy's raw (collapsed) stacks summed per function: where a process spends its CPU (the
profiles sample only the thread holding the GIL: Python's own work, not the waits in C)."""

import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]*)(?::\d+)?\)$")
# Leaves where a thread waits rather than works (py-spy counts a pool thread blocked on its
# queue as active): dropped, so the figures are shares of CPU actually spent.
WAITING = ("_worker (futures/thread.py)", "EpollSelector.select (selectors.py)", "Condition.wait (threading.py)")
# Stacks of the process's start (imports before the event loop runs) are not the path.
RUNNING = ("Runner.run (asyncio/runners.py)", "Thread.run (threading.py)")
# The worker's own construction (it hashes every loaded module for its build id) is start-up too.
STARTING = "Worker.__init__ (worker/_worker.py)"
# Making a workflow instance (a new case, or one not in the worker's cache) is a cost of its own.
NEW_INSTANCE = "_WorkflowWorker._create_workflow_instance (worker/_workflow.py)"


def short(frame: str) -> str:
    m = FRAME.match(frame)
    if not m:
        return frame
    path = m["file"]
    for marker in ("site-packages/", "python3.11/", "/bench/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    else:
        path = path.rsplit("/", 2)[-2:] and "/".join(path.rsplit("/", 2)[-2:])
    return f"{m['func']} ({path})"


def summary(raw: Path, top: int = 45) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [short(f) for f in stack.split(";")]
        if frames[-1] in WAITING or not any(f in RUNNING for f in frames) or STARTING in frames:
            continue
        total += n
        for f in set(frames):
            inclusive[f] += n
        own[frames[-1]] += n
    if not total:
        return f"{raw.name}: no samples\n"
    out = [f"{raw.name}: {total} samples holding the GIL (start-up and waiting threads left out)"]
    if inclusive[NEW_INSTANCE]:
        out.append(
            f"making workflow instances (new cases, cache misses): {100 * inclusive[NEW_INSTANCE] / total:.1f} %"
        )
    out += ["", "inclusive %  function"]
    out += [f"{100 * n / total:10.1f}  {f}" for f, n in inclusive.most_common(top)]
    out += ["", "self %  function"]
    out += [f"{100 * n / total:6.1f}  {f}" for f, n in own.most_common(25)]
    return "\n".join(out) + "\n"
