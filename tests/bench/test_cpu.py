"""The bench charges each process the CPU it spent over a stretch of the run (bench/cpu.py):
a busy process is charged, an idle one is not, and the table says it per call."""

import os
import re
import subprocess
import sys
import time

from bench.cpu import Meter, Spent, child_pid, cpu_seconds
from bench.report import Figure, table


def busy(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_a_stretch_charges_the_busy_process_not_the_idle_one() -> None:
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child_pid("time.sleep(30)") == idle.pid
        meter, spent = Meter({"bench": (os.getpid(),), "idle": (idle.pid,)}), Spent()
        time.sleep(0.3)  # the child's own start-up is not in the stretch
        with meter.stretch(spent):
            busy(0.3)
        spent.calls = 3
    finally:
        idle.kill()
        idle.wait()
    assert 0.25 <= spent.cpu["bench"] <= 0.5 and spent.cpu["idle"] < 0.05
    assert 90 <= spent.per_call_ms()["bench"] <= 170  # 0.3 s over 3 calls
    # Each one's share of a core over the stretch: the idle one's none.
    assert re.fullmatch(r"bench \d+\.\d\d ms \(\d+%\), idle 0\.00 ms \(0%\); \d+\.\d\d ms in all", spent.text())


def test_the_table_gives_each_sides_cpu_per_call() -> None:
    service = Spent({"server": 0.6, "web": 0.4}, seconds=1.0, calls=100)
    bare = Spent({"server": 0.3, "web": 0.0}, seconds=0.5, calls=100)
    figure = Figure("opening", "openings", "/s", 100.0, 200.0, cpu={"service": service, "bare": bare})
    lines = table([figure]).splitlines()
    assert "    CPU per call, service: server 6.00 ms (60%), web 4.00 ms (40%); 10.00 ms in all" in lines
    assert "    CPU per call, bare: server 3.00 ms (60%), web 0.00 ms (0%); 3.00 ms in all" in lines
    assert figure.as_json()["cpu"]["service"] == {"cpu": {"server": 0.6, "web": 0.4}, "seconds": 1.0, "calls": 100}


def test_cpu_seconds_counts_this_process() -> None:
    before = cpu_seconds(os.getpid())
    busy(0.2)
    assert cpu_seconds(os.getpid()) - before >= 0.15
