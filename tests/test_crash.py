"""A crash mid-step loses no step and doubles none: the worker is down when an action is sent,
the caller gives up (as a crashed API would), the worker comes back, the caller retries with
the same Idempotency-Key, and the effort is planned exactly once."""

import secrets
from datetime import date
from pathlib import Path

from tests.stack import running_stack

W = "handlaggare"


async def test_retry_after_crash_does_the_step_once(temporal_address: str, tmp_path: Path) -> None:
    queue = f"samverkan-crash-{secrets.token_hex(4)}"
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    body = {"kind": "validation", "provider": "Yrkesvalidering AB", "starts_on": date.today().isoformat()}
    key = {"Idempotency-Key": "validera-1"}

    async with running_stack(temporal_address, tmp_path, url, task_queue=queue) as s:
        cid = (await s.open_case())["case_id"]
        headers = await s.headers(W) | key
    # The worker is gone. The action is sent; the API gives up waiting and says so.
    async with running_stack(temporal_address, tmp_path, url, task_queue=f"{queue}-elsewhere", action_timeout=2) as s:
        r = await s.api.post(f"/api/v1/cases/{cid}/actions/plan-effort", json=body, headers=headers)
        assert r.status_code == 503 and "Idempotency-Key" in r.json()["detail"]
    # The worker is back; the caller retries with the same key.
    async with running_stack(temporal_address, tmp_path, url, task_queue=queue) as s:
        r = await s.api.post(f"/api/v1/cases/{cid}/actions/plan-effort", json=body, headers=headers)
        assert r.status_code == 200, r.text
        again = await s.api.post(f"/api/v1/cases/{cid}/actions/plan-effort", json=body, headers=headers)
        assert [e["provider"] for e in again.json()["efforts"]] == ["Yrkesvalidering AB"]
        events = [e async for e in s.temporal.get_workflow_handle(f"journey-{cid}").fetch_history_events()]
        completed = [e for e in events if e.HasField("workflow_execution_update_completed_event_attributes")]
        assert len(completed) == 1
