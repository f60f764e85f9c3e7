"""A case's record as a document an auditor can hand on, and reading one back.

Each run is the JSON that `temporal workflow show --output json` prints (payloads decoded, as
with the CLI's `--codec-endpoint`), so any Temporal SDK can replay it. `sha256` is the SHA-256
of the document without that field, as canonical JSON (keys sorted, no spaces, UTF-8):
`jq -jcS 'del(.sha256)' export.json | sha256sum` gives the same.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.protobuf.json_format import ParseError
from temporalio.client import WorkflowHistory

from core.words import N_
from services.history.errors import InvalidField
from services.history.runs import Run

FORMAT = "samverkan-history-export/1"
JOURNEY_PREFIX = "journey-"


def digest(document: dict[str, Any]) -> str:
    body = {k: v for k, v in document.items() if k != "sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def export_document(
    *, case_id: str, workflow_id: str, runs: Sequence[Run], exported_by: str, exported_at: datetime, complete: bool
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": FORMAT,
        "case_id": case_id,
        "workflow_id": workflow_id,
        "exported_at": exported_at.isoformat(),
        "exported_by": exported_by,
        "complete": complete,  # false: the oldest runs were past Temporal's retention
        "runs": [
            {"run_id": run.run_id, "history": WorkflowHistory(workflow_id, run.events).to_json_dict()}
            for run in runs
        ],
    }
    document["sha256"] = digest(document)
    return document


@dataclass
class ReceivedHistory:
    """A history sent for verification: an export of ours, or a bare history."""

    workflow_id: str
    runs: list[Run]
    carried_sha256: str | None  # None: a bare history, which carries none
    computed_sha256: str | None

    @property
    def case_id(self) -> str | None:
        return self.workflow_id.removeprefix(JOURNEY_PREFIX) if self.workflow_id.startswith(JOURNEY_PREFIX) else None


def _run(workflow_id: str, history: Any, where: str) -> Run:
    if not isinstance(history, dict) or not isinstance(history.get("events"), list) or not history["events"]:
        raise InvalidField(where, N_("must be a history: an object with a non-empty list of events"))
    try:
        parsed = WorkflowHistory.from_json(workflow_id, history)
    except (ParseError, KeyError, TypeError, ValueError) as err:
        raise InvalidField(where, f"not a Temporal history: {err}") from None
    if not parsed.events[0].HasField("workflow_execution_started_event_attributes"):
        raise InvalidField(where, N_("a history begins with the workflow's start"))
    return Run(parsed.run_id, list(parsed.events))


def read_document(body: Any) -> ReceivedHistory:
    """An export document (`runs`, `sha256`) or a bare history (`events`) as
    `temporal workflow show --output json` prints it."""
    if not isinstance(body, dict):
        raise InvalidField("body", N_("must be a JSON object: an export or a history"))
    if "events" in body:
        run = _run(str(body.get("workflow_id", "")), body, "events")
        started = run.events[0].workflow_execution_started_event_attributes
        return ReceivedHistory(started.workflow_id or "unknown", [run], None, None)
    runs = body.get("runs")
    if not isinstance(runs, list) or not runs:
        raise InvalidField("runs", N_("an export has a non-empty list of runs (or send a history with events)"))
    workflow_id = body.get("workflow_id")
    if not isinstance(workflow_id, str) or not workflow_id:
        raise InvalidField("workflow_id", N_("an export names its workflow"))
    parsed = [
        _run(workflow_id, r.get("history") if isinstance(r, dict) else None, f"runs.{i}.history")
        for i, r in enumerate(runs)
    ]
    carried = body.get("sha256")
    return ReceivedHistory(workflow_id, parsed, carried if isinstance(carried, str) else None, digest(body))
