"""A protected participant's name kept out of what an auditor exports (skyddade personuppgifter):
every decoded JSON payload that names the participant gets `protected` for the given name and
nothing for the family name, as the lists show them. The record still replays: no command of
the workflow depends on the name."""

import json
from collections.abc import Sequence
from typing import Any

from temporalio.api.history.v1 import HistoryEvent

from services.history.payloads import payloads_in
from services.protected_identity import PROTECTED

JSON = b"json/plain"
MASK = {"given_name": PROTECTED, "family_name": ""}


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: MASK[k] if k in MASK and isinstance(v, str) else _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def mask_names(events: Sequence[HistoryEvent]) -> None:
    """Mask the participant's name in every decoded payload of `events`, in place."""
    for event in events:
        for payload in payloads_in(event):
            if payload.metadata.get("encoding") != JSON:
                continue
            value = json.loads(payload.data)
            masked = _masked(value)
            if masked != value:
                payload.data = json.dumps(masked, ensure_ascii=False, separators=(",", ":")).encode()
