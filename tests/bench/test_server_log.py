"""The dev server's log goes to a file of its own, not among the bench's figures, and the bench
counts its errors; its own output comes back to the terminal afterwards."""

import subprocess
import sys
from pathlib import Path

import pytest

from bench.server_log import output_to, server_log_summary


def test_a_child_started_meanwhile_writes_to_the_file(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "bench-temporal.log"
    script = "import sys; print('started'); print('level=ERROR msg=\"context canceled\"', file=sys.stderr)"
    with output_to(log):
        child = subprocess.Popen([sys.executable, "-c", script])
    child.wait()
    print("the bench goes on")
    assert "the bench goes on" in capfd.readouterr().out
    assert log.read_text().splitlines() == ["started", 'level=ERROR msg="context canceled"']
    assert server_log_summary(log) == f"Temporal's dev server logged 2 lines, 1 of them errors, in {log}."
