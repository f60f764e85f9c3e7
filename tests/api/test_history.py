"""An auditor answers "who did what to this case, when, and does the record still reproduce?"
from the history calls, on the real Temporal server."""

import base64
import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest_asyncio

from services.history.export import digest
from tests.recordings import recordings
from tests.stack import Stack, case_body, today
from workflows.calendar import STOCKHOLM

AUDITOR = "granskare"
ENCRYPTED = base64.b64encode(b"binary/encrypted").decode()


@dataclass
class Walk:
    case_id: str
    personal_number: str
    before_opening: datetime
    between: datetime  # after complete-introduction, before the joint standpoint


@pytest_asyncio.fixture(scope="module")
async def walk(stack: Stack) -> Walk:
    """A case moved by three people of two organisations."""
    before = datetime.now(UTC)
    body = case_body()
    case = await stack.open_case("handlaggare", **body)
    cid = case["case_id"]
    day = today().isoformat()
    await stack.act("handlaggare", cid, "plan-effort", {"kind": "sfi", "provider": "Komvux", "starts_on": day})
    follow_up = {"held_on": day, "attendees": ["AF", "AME"], "progress": "god", "next_steps": "ställningstagande"}
    await stack.act("samordnare", cid, "record-follow-up", follow_up)
    await stack.act("handlaggare", cid, "complete-introduction")
    between = datetime.now(UTC)
    await stack.act("arbetsformedlare", cid, "joint-standpoint", {"decision": "long_term_plan"})
    await stack.act("arbetsformedlare", cid, "reassign", {"responsible_worker": "arbetsformedlare"})
    return Walk(cid, body["personal_number"], before, between)


async def test_history_names_each_actor_action_and_phase_after(stack: Stack, walk: Walk) -> None:
    r = await stack.api.get(f"/api/v1/cases/{walk.case_id}/history", headers=await stack.headers(AUDITOR))
    assert r.status_code == 200, r.text
    history = r.json()
    actions = [e for e in history["events"] if e["kind"] == "action"]
    assert [e["action"] for e in actions] == [
        "open", "plan-effort", "record-follow-up", "complete-introduction", "joint-standpoint", "reassign",
    ]
    who = {e["action"]: e["actor"] for e in actions}
    assert who["open"] == {"username": "handlaggare", "role": "case_worker", "organisation": "0581"}
    assert who["record-follow-up"] == {"username": "samordnare", "role": "coordinator", "organisation": "0581"}
    assert who["joint-standpoint"] == {"username": "arbetsformedlare", "role": "case_worker", "organisation": "af"}
    phases = {e["action"]: e["phase_after"] for e in actions}
    assert phases["open"] == "introduction"
    assert phases["complete-introduction"] == "preparatory"
    assert phases["joint-standpoint"] == phases["reassign"] == "long_term_plan"
    details = {e["action"]: e["details"] for e in actions}
    assert details["plan-effort"]["provider"] == "Komvux"
    assert details["joint-standpoint"] == {"decision": "long_term_plan"}
    assert details["reassign"] == {"responsible_worker": "arbetsformedlare"}
    times = [e["at"] for e in history["events"]]
    assert times == sorted(times)
    assert history["complete"] and len(history["runs"]) == 1
    # The timeline is about acts, not the person: no personal number.
    assert walk.personal_number.replace("-", "")[2:] not in r.text


async def test_state_as_of_a_moment_between_two_actions(stack: Stack, walk: Walk) -> None:
    path = f"/api/v1/cases/{walk.case_id}/history/state"
    then = await stack.get(AUDITOR, path, at=walk.between.isoformat())
    assert then["state"]["phase"] == "preparatory"
    assert then["state"]["responsible_worker"] == "handlaggare"
    assert then["state"]["timeline"][-1]["action"] == "complete-introduction"
    # A time without an offset is Stockholm's.
    local = walk.between.astimezone(STOCKHOLM).replace(tzinfo=None).isoformat()
    assert (await stack.get(AUDITOR, path, at=local))["state"]["version"] == then["state"]["version"]
    now = await stack.get(AUDITOR, path, at=datetime.now(UTC).isoformat())
    assert now["state"]["phase"] == "long_term_plan" and now["state"]["responsible_worker"] == "arbetsformedlare"
    before = await stack.get(AUDITOR, path, expect=422, at=walk.before_opening.isoformat())
    assert before["detail"][0]["loc"] == ["query", "at"]
    bad = await stack.get(AUDITOR, path, expect=422, at="yesterday")
    assert bad["detail"][0]["loc"][-1] == "at"


async def test_recorded_history_reproduces(stack: Stack, walk: Walk) -> None:
    r = await stack.api.post(f"/api/v1/cases/{walk.case_id}/history/verify", headers=await stack.headers(AUDITOR))
    assert r.status_code == 200, r.text
    assert r.json()["reproduces"] is True and r.json()["divergence"] is None


def _update_args(document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    events = document["runs"][0]["history"]["events"]
    accepted = next(
        e["workflowExecutionUpdateAcceptedEventAttributes"]
        for e in events
        if e.get("workflowExecutionUpdateAcceptedEventAttributes", {}).get("acceptedRequest", {}).get("input", {})
        .get("name") == name
    )
    return list(accepted["acceptedRequest"]["input"]["args"]["payloads"])


def _rewrite(payload: dict[str, Any], **changes: Any) -> None:
    value = json.loads(base64.b64decode(payload["data"]))
    payload["data"] = base64.b64encode(json.dumps(value | changes).encode()).decode()


async def test_export_is_the_decoded_record_with_its_sha256_and_verifies(stack: Stack, walk: Walk) -> None:
    auditor = await stack.headers(AUDITOR)
    r = await stack.api.get(f"/api/v1/cases/{walk.case_id}/history/export", headers=auditor)
    assert r.status_code == 200, r.text
    export = r.json()
    assert export["sha256"] == digest(export) and export["workflow_id"] == f"journey-{walk.case_id}"
    assert ENCRYPTED not in r.text  # every payload decoded for the reader
    actor, _ = _update_args(export, "joint-standpoint")
    assert json.loads(base64.b64decode(actor["data"]))["username"] == "arbetsformedlare"

    verdict = (await stack.api.post("/api/v1/history/verify", json=export, headers=auditor)).json()
    assert verdict["reproduces"] is True, verdict
    assert verdict["checked"] == ["sha256", "issued", "replay"]
    assert verdict["issued"]["exported_by"] == AUDITOR and verdict["issued"]["case_id"] == walk.case_id


async def test_an_altered_export_does_not_reproduce(stack: Stack, walk: Walk) -> None:
    auditor = await stack.headers(AUDITOR)
    export = (await stack.api.get(f"/api/v1/cases/{walk.case_id}/history/export", headers=auditor)).json()

    async def verdict_on(document: dict[str, Any]) -> dict[str, Any]:
        r = await stack.api.post("/api/v1/history/verify", json=document, headers=auditor)
        assert r.status_code == 200, r.text
        return dict(r.json())

    # Another actor for the joint standpoint: the replay alone cannot see it (the code does not
    # act on who), the sha256 can.
    other_actor = copy.deepcopy(export)
    _rewrite(_update_args(other_actor, "joint-standpoint")[0], username="handlaggare", organisation="0581")
    verdict = await verdict_on(other_actor)
    assert verdict["reproduces"] is False and verdict["divergence"]["check"] == "sha256"
    assert [f["check"] for f in verdict["findings"]] == ["sha256"]  # the replay found nothing
    # Re-hashed after the change: not an export this service made.
    other_actor["sha256"] = digest(other_actor)
    verdict = await verdict_on(other_actor)
    assert verdict["reproduces"] is False and verdict["divergence"]["check"] == "issued"
    # Changed data in an update's body, re-hashed.
    other_decision = copy.deepcopy(export)
    _rewrite(_update_args(other_decision, "joint-standpoint")[1], decision="work")
    other_decision["sha256"] = digest(other_decision)
    assert (await verdict_on(other_decision))["reproduces"] is False
    # A removed event, re-hashed: the replay sees it too.
    removed = copy.deepcopy(export)
    events = removed["runs"][0]["history"]["events"]
    del events[next(i for i, e in enumerate(events) if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED")]
    removed["sha256"] = digest(removed)
    verdict = await verdict_on(removed)
    assert verdict["reproduces"] is False and "replay" in [f["check"] for f in verdict["findings"]]
    # Without its sha256 an export is not proven either.
    del other_decision["sha256"]
    assert (await verdict_on(other_decision))["divergence"]["check"] == "sha256"


RECORDED = [r.path for r in recordings()]


async def test_every_recorded_history_verifies_and_a_tampered_one_does_not(stack: Stack) -> None:
    auditor = await stack.headers(AUDITOR)
    assert RECORDED
    for path in RECORDED:
        sent = auditor | {"content-type": "application/json"}
        r = await stack.api.post("/api/v1/history/verify", content=path.read_bytes(), headers=sent)
        assert r.status_code == 200, f"{path}: {r.text}"
        verdict = r.json()
        assert verdict["reproduces"] is True, f"{path}: {verdict['divergence']}"
        assert verdict["checked"] == ["replay"] and "sha256" in verdict["not_checked"]
    tampered = json.loads(RECORDED[0].read_text())
    events = tampered["events"]
    del events[next(i for i, e in enumerate(events) if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED")]
    verdict = (await stack.api.post("/api/v1/history/verify", json=tampered, headers=auditor)).json()
    assert verdict["reproduces"] is False and verdict["divergence"]["check"] == "replay"
    assert verdict["divergence"]["message"]


async def test_only_auditors_read_histories_and_auditors_read_no_live_case(stack: Stack, walk: Walk) -> None:
    cid = walk.case_id
    for user in ("handlaggare", "samordnare", "chef", "admin"):
        h = await stack.headers(user)
        assert (await stack.api.get(f"/api/v1/cases/{cid}/history", headers=h)).status_code == 403, user
        assert (await stack.api.post(f"/api/v1/cases/{cid}/history/verify", headers=h)).status_code == 403, user
        r = await stack.api.get(f"/api/v1/cases/{cid}/history/export", headers=h)
        assert r.status_code == 403, user
    auditor = await stack.headers(AUDITOR)
    assert (await stack.api.get(f"/api/v1/cases/{cid}", headers=auditor)).status_code == 403
    assert (await stack.api.get("/api/v1/cases", headers=auditor)).status_code == 403
    r = await stack.api.post(f"/api/v1/cases/{cid}/actions/close", json={"reason": "x"}, headers=auditor)
    assert r.status_code == 403
    assert (await stack.api.get("/api/v1/cases/0000000000000000/history", headers=auditor)).status_code == 404
    assert (await stack.api.get(f"/api/v1/cases/{cid}/history")).status_code == 401


async def test_a_case_that_continued_as_new_is_one_record(short_history_stack: Stack) -> None:
    s = short_history_stack
    cid = (await s.open_case())["case_id"]
    follow_up = {"held_on": today().isoformat(), "attendees": ["AF"], "progress": "ok", "next_steps": "mer"}
    for i in range(25):
        # As the contract tells a client: a 503 is retried with the same Idempotency-Key (an
        # update that meets the run's continue-as-new can be left without its answer).
        headers = await s.headers("handlaggare") | {"Idempotency-Key": f"follow-up-{i}"}
        path, body = f"/api/v1/cases/{cid}/actions/record-follow-up", follow_up | {"note": f"möte {i}"}
        r = await s.api.post(path, json=body, headers=headers)
        if r.status_code == 503:
            r = await s.api.post(path, json=body, headers=headers)
        assert r.status_code == 200, r.text
    await s.act("arbetsformedlare", cid, "complete-introduction")
    history = await s.get(AUDITOR, f"/api/v1/cases/{cid}/history")
    assert len(history["runs"]) > 1
    actions = [e["action"] for e in history["events"] if e["kind"] == "action"]
    assert actions == ["open", *["record-follow-up"] * 25, "complete-introduction"]
    assert "continued-as-new" in [e["action"] for e in history["events"]]
    last_action = [e for e in history["events"] if e["kind"] == "action"][-1]
    assert last_action["actor"]["username"] == "arbetsformedlare" and last_action["phase_after"] == "preparatory"
    # The case may continue as new once more meanwhile: later calls see the same runs and perhaps one more.
    export = await s.get(AUDITOR, f"/api/v1/cases/{cid}/history/export")
    assert [r["run_id"] for r in export["runs"]][: len(history["runs"])] == history["runs"]
    r = await s.api.post(f"/api/v1/cases/{cid}/history/verify", headers=await s.headers(AUDITOR))
    assert r.json()["reproduces"] is True and r.json()["runs"] >= len(history["runs"])
    state = await s.get(AUDITOR, f"/api/v1/cases/{cid}/history/state", at=datetime.now(UTC).isoformat())
    assert state["state"]["phase"] == "preparatory" and len(state["state"]["follow_ups"]) == 25
