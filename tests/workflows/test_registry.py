"""The API builds its `Replayer` from the workflow registry alone: importing the app loads no
activity, no mail and no worker code."""

import subprocess
import sys
from pathlib import Path

import worker.main as worker_main
from workflows.journey import JourneyWorkflow
from workflows.registry import WORKFLOWS

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import sys
import api.main
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("activities", "worker", "aiosmtplib", "smtplib"))
print(",".join(loaded))
"""


def test_the_api_loads_no_activity_mail_or_worker_code() -> None:
    out = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_worker_runs_the_registrys_workflows() -> None:
    assert JourneyWorkflow in WORKFLOWS and worker_main.WORKFLOWS is WORKFLOWS
