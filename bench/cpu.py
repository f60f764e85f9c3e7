"""The CPU each process spends over a stretch of the run, read from /proc (Linux): which
process an opening's or an action's time goes to, the service's and the floor's side by side.
Throughput at once is bounded by the CPU of 2 cores, or by one process's one core (the GIL):
the share of a core says which."""

import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(proc: Path) -> list[str]:
    """The fields of `/proc/<pid>/stat` from the third on: after the command's name, which may
    hold spaces and parentheses of its own."""
    return (proc / "stat").read_text().rpartition(")")[2].split()


def cpu_seconds(pid: int) -> float:
    """User and system time of one process so far (its threads' too)."""
    fields = _stat(Path(f"/proc/{pid}"))
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime: fields 14 and 15


def children(of: int) -> dict[int, bytes]:
    """The processes whose parent is `of`, with their command lines."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int(_stat(proc)[1])
            command = (proc / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        if ppid == of:
            found[int(proc.name)] = command
    return found


def child_pid(marker: str) -> int:
    """This process's child whose command line holds `marker`: the dev server the SDK started."""
    for pid, command in children(os.getpid()).items():
        if marker.encode() in command:
            return pid
    raise LookupError(f"no child process of {os.getpid()} runs {marker!r}")


@dataclass
class Spent:
    """What each process spent over one or more stretches, and the calls made in them."""

    cpu: dict[str, float] = field(default_factory=dict)  # process → CPU seconds
    seconds: float = 0.0  # the stretches' wall time
    calls: int = 0

    def per_call_ms(self) -> dict[str, float]:
        return {name: used * 1000 / self.calls for name, used in self.cpu.items()} if self.calls else {}

    def text(self) -> str:
        """`server 2.1 ms (45 % of a core), web …`: per call, and each process's share of a core."""
        if not self.calls or not self.seconds:
            return "nothing measured"
        per = self.per_call_ms()
        parts = [f"{name} {per[name]:.2f} ms ({used / self.seconds:.0%})" for name, used in self.cpu.items()]
        return ", ".join(parts) + f"; {sum(per.values()):.2f} ms in all"


@dataclass(frozen=True)
class Meter:
    """Named processes whose CPU a stretch of the run is charged to."""

    pids: Mapping[str, tuple[int, ...]]  # a name's processes: uvicorn's workers with their parent

    def used(self) -> dict[str, float]:
        return {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in self.pids.items()}

    @contextmanager
    def stretch(self, into: Spent) -> Iterator[None]:
        """Adds to `into` what each process spent while the block ran; the block adds its calls."""
        before = self.used()
        t0 = time.perf_counter()
        yield
        into.seconds += time.perf_counter() - t0
        for name, used in self.used().items():
            into.cpu[name] = into.cpu.get(name, 0.0) + used - before[name]
