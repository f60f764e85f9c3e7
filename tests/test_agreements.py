"""The process as the agreements write it, through the API on the real Temporal server: the
living mapping, AF's decision rights, a withdrawn programme as 002 describes it, the outcomes
of 003, target groups, programme time, consent and Grästorp's SFI introduction."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest_asyncio
from sqlmodel import select
from temporalio.client import WorkflowUpdateFailedError

from store.db import session_scope
from store.models import CaseSummary, Notification
from tests.stack import Stack, case_body, eventually, personal_number, record_history, today, withdrawal
from workflows.actions import JointStandpoint
from workflows.calendar import add_months
from workflows.domain import Actor, Role, Standpoint

W = "handlaggare"  # a case worker of Norrköping
AF = "arbetsformedlare"  # a case worker of Arbetsförmedlingen
PARTNER = "samordnare"  # Norrköping's coordinator: AF's partner on Norrköping's cases
QUICK = "9971"  # clocks in seconds


def years_ago(years: int, days: int = 0) -> date:
    day = today()
    return date(day.year - years, day.month, min(day.day, 28)) - timedelta(days=days)


async def tasks_of(s: Stack, user: str, case_id: str, **params: Any) -> list[dict[str, Any]]:
    return [t for t in await s.get(user, "/api/v1/tasks", **params) if t["case_id"] == case_id]


def history_updates(events: list[Any]) -> list[str]:
    return [
        e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        for e in events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    ]


async def accepted_updates(s: Stack, case_id: str) -> list[str]:
    handle = s.temporal.get_workflow_handle(f"journey-{case_id}")
    return history_updates([e async for e in handle.fetch_history_events()])


@pytest_asyncio.fixture(scope="module")
async def quick(stack: Stack) -> Stack:
    admin = await stack.headers("admin")
    await stack.api.post("/api/v1/municipalities", json={"code": QUICK, "name": "Kvickköping"}, headers=admin)
    await stack.set_policy(
        QUICK, programme_time="PT3S", withdrawn_review="PT3S", reminder_ahead="PT1S", escalate_after="PT1H"
    )
    return stack


async def test_the_mapping_is_living(stack: Stack) -> None:
    s = stack
    cid = (await s.open_case(W, swedish_level="sfi_c", education_level="upper_secondary"))["case_id"]
    await s.act(W, cid, "complete-introduction")
    await s.act(AF, cid, "joint-standpoint", {"decision": "track"})
    # A track that needs SFI D: refused on the referral's mapping, offered on the current one.
    track_id = f"sfi-d-{s.settings.task_queue}"
    body = {"track_id": track_id, "name": "Vård, SFI D", "municipalities": ["0581"], "industry": "care",
            "prerequisites": {"min_swedish_level": "sfi_d"}, "lead": "sparansvarig"}
    assert (await s.api.post("/api/v1/tracks", json=body, headers=await s.headers("admin"))).status_code == 201
    bad = await s.act(W, cid, "apply-to-track", {"track_id": track_id}, expect=422)
    assert bad["detail"][0]["prerequisite"] == "min_swedish_level"

    state = await s.act(
        W, cid, "update-mapping", {"swedish_level": "sfi_d", "obstacles": ["childcare"], "own_business_interest": True}
    )
    assert state["mapping"]["swedish_level"] == "sfi_d" and state["swedish_level"] == "sfi_d"
    assert state["mapping"]["obstacles"] == ["childcare"] and state["mapping"]["own_business_interest"] is True
    entry = state["timeline"][-1]
    assert entry["action"] == "update-mapping" and entry["actor"] == W
    assert "swedish_level sfi_c → sfi_d" in entry["summary"] and "obstacles [] → [childcare]" in entry["summary"]
    offered = await s.act(W, cid, "apply-to-track", {"track_id": track_id})
    assert offered["application"]["status"] == "offered"
    await record_history(s, f"journey-{cid}", "journey-living-mapping")


async def test_bad_mapping_is_422_naming_the_field_and_writes_nothing(stack: Stack) -> None:
    s = stack
    case = await s.open_case(W)
    cid = case["case_id"]
    for body, field in [
        ({"obstacles": ["depression"]}, "obstacles"),  # categories only, never a diagnosis
        ({"establishment_start": today().isoformat()}, "establishment_start"),  # only for the newly arrived
        ({}, "body"),
        ({"swedish_level": "b2"}, "swedish_level"),
    ]:
        r = await s.api.post(f"/api/v1/cases/{cid}/actions/update-mapping", json=body, headers=await s.headers(W))
        assert r.status_code == 422, r.text
        assert field in {e["loc"][-1] for e in r.json()["detail"]} | {e["loc"][1] for e in r.json()["detail"]}
    after = await s.get(W, f"/api/v1/cases/{cid}")
    assert after["version"] == case["version"] and after["mapping"] == case["mapping"]
    assert "update-mapping" not in await accepted_updates(s, cid)


async def test_joint_standpoint_and_withdrawal_are_afs_decisions(stack: Stack) -> None:
    s = stack
    case = await s.open_case(W)
    cid = case["case_id"]
    state = await s.act(W, cid, "complete-introduction")
    refused = await s.act(W, cid, "joint-standpoint", {"decision": "track"}, expect=403)
    assert refused["detail"]["rule"] == "joint_standpoint_by_af" and "003" in refused["detail"]["message"]
    refused = await s.act(W, cid, "withdraw", withdrawal(), expect=403)
    assert refused["detail"]["rule"] == "withdrawal_by_af"
    # The coordinator of the municipality is no more AF than its case worker.
    refused = await s.act(PARTNER, cid, "joint-standpoint", {"decision": "work"}, expect=403)
    assert refused["detail"]["rule"] == "joint_standpoint_by_af"
    after = await s.get(W, f"/api/v1/cases/{cid}")
    assert after["version"] == state["version"] and after["phase"] == "preparatory"
    assert {"joint-standpoint", "withdraw"}.isdisjoint(await accepted_updates(s, cid))

    # The rule holds for any client of Temporal, not only this API.
    handle = s.temporal.get_workflow_handle(f"journey-{cid}")
    municipal = Actor(W, Role.CASE_WORKER, "0581")
    try:
        await handle.execute_update("joint-standpoint", args=[municipal, JointStandpoint(decision=Standpoint.TRACK)])
    except WorkflowUpdateFailedError as err:
        assert getattr(err.cause, "type", None) == "forbidden"
    else:
        raise AssertionError("a municipal actor took AF's decision")

    decided = await s.act(AF, cid, "joint-standpoint", {"decision": "fast_track"})
    assert decided["phase"] == "exited" and decided["exit_reason"] == "fast_track"  # snabbspår (003)
    await record_history(s, f"journey-{cid}", "journey-standpoint-fast-track")


async def test_withdrawn_programme_as_002_describes_it(quick: Stack) -> None:
    s = quick
    admin = await s.headers("admin")
    await s.api.post("/api/v1/users", json={
        "username": "samordnare.kvick", "password": "samordnare-losen", "role": "coordinator",
        "organisation": QUICK, "display_name": "Samordnare Kvickköping"}, headers=admin)
    cid = (await s.open_case(AF, municipality=QUICK))["case_id"]
    await s.act(AF, cid, "complete-introduction")
    body = withdrawal()
    state = await s.act(AF, cid, "withdraw", body)
    w = state["withdrawal"]
    assert state["phase"] == "withdrawn" and state["status"] == "paused"
    assert w["attempts"] == body["attempts"] and w["reactivation"] == body["reactivation"]
    assert w["withdrawn_by"] == AF and w["conditions"] == body["conditions"]
    assert list(state["due"]) == ["review"]

    async def partner_told() -> dict[str, Any]:
        coordinator = await s.headers("samordnare.kvick", "samordnare-losen")
        found = [t for t in (await s.api.get("/api/v1/tasks", headers=coordinator)).json() if t["case_id"] == cid]
        [notice] = [t for t in found if t["kind"] == "partner_notice" and t["status"] == "open"]
        return dict(notice)

    notice = await eventually(partner_told)
    assert notice["assignee"] == "samordnare.kvick" and notice["about"] == "withdraw"
    with session_scope(s.settings.resolved_database_url) as session:
        told = session.exec(select(Notification).where(Notification.case_id == cid)).all()
    assert any(n.recipient == "samordnare.kvick" and "partner_notice" in n.key for n in told)

    async def review_task_open() -> dict[str, Any]:
        [task] = [t for t in await tasks_of(s, AF, cid) if t["kind"] == "review_due" and t["status"] == "open"]
        return task

    first_review = await eventually(review_task_open)
    bad = await s.act(AF, cid, "postpone-review", {"review_on": today().isoformat()}, expect=422)
    assert bad["detail"][0]["loc"] == ["body", "review_on"]
    assert "postpone-review" not in await accepted_updates(s, cid)  # the refusal wrote nothing
    later = today() + timedelta(days=30)
    state = await s.act(AF, cid, "postpone-review", {"review_on": later.isoformat(), "note": "väntar på vården"})
    assert state["withdrawal"]["review_on"] >= later.isoformat()
    assert datetime.fromisoformat(state["due"]["review"]).date() >= later

    async def review_task_closed() -> None:
        [task] = [t for t in await tasks_of(s, AF, cid) if t["id"] == first_review["id"]]
        assert task["status"] == "done"

    await eventually(review_task_closed)

    # A paused person who finds a job still gets the 90-day check.
    state = await s.act(AF, cid, "record-exit", {"reason": "work"})
    assert state["phase"] == "exited" and set(state["due"]) == {"outcome_check"} and state["withdrawal"] is None
    await record_history(s, f"journey-{cid}", "journey-withdrawn-then-exit")


async def test_reactivation_with_a_new_mapping_tells_the_partner(stack: Stack) -> None:
    s = stack
    cid = (await s.open_case(W, swedish_level="sfi_b"))["case_id"]
    await s.act(AF, cid, "withdraw", withdrawal())

    async def notices(*wanted: tuple[str, str]) -> None:
        found = [t for t in await tasks_of(s, PARTNER, cid) if t["kind"] == "partner_notice"]
        assert {(t["about"], t["status"]) for t in found} == set(wanted)

    await eventually(lambda: notices(("withdraw", "open")))
    state = await s.act(
        AF, cid, "reactivate", {"resume_phase": "long_term_plan", "swedish_level": "sfi_c", "disability": True}
    )
    assert state["phase"] == "long_term_plan" and state["status"] == "active"
    assert state["mapping"]["swedish_level"] == "sfi_c" and state["target_groups"]["disability"] is True
    assert "new mapping" in state["timeline"][-1]["summary"]

    await eventually(lambda: notices(("withdraw", "done"), ("reactivate", "open")))
    # Once the partner acts on the case, its notice is taken note of.
    await s.act(PARTNER, cid, "record-follow-up", {
        "held_on": today().isoformat(), "attendees": ["AF", "AME"], "progress": "ny plan", "next_steps": "insatser"})

    await eventually(lambda: notices(("withdraw", "done"), ("reactivate", "done")))
    await record_history(s, f"journey-{cid}", "journey-reactivate-long-term-plan")


async def test_the_90_day_check_is_chased(stack: Stack) -> None:
    s = stack
    cid = (await s.open_case(W))["case_id"]
    await s.act(W, cid, "record-exit", {"reason": "moved"})
    bad = await s.act(W, cid, "record-outcome", {"status": "not_reached"}, expect=422)
    assert bad["detail"][0]["loc"] == ["body", "status"]
    future = await s.act(
        W, cid, "record-outcome-attempt", {"on": (today() + timedelta(days=1)).isoformat(), "channel": "sms"},
        expect=422,
    )
    assert future["detail"][0]["loc"] == ["body", "on"]
    await s.act(W, cid, "record-outcome-attempt", {"on": today().isoformat(), "channel": "phone"})
    await s.act(W, cid, "record-outcome", {"status": "not_reached"}, expect=422)
    state = await s.act(W, cid, "record-outcome-attempt", {"on": today().isoformat(), "channel": "letter"})
    assert [a["channel"] for a in state["outcome_attempts"]] == ["phone", "letter"]
    assert state["outcome_attempts"][0]["recorded_by"] == W
    state = await s.act(W, cid, "record-outcome", {"status": "not_reached"})
    assert state["phase"] == "closed" and state["outcome"] == "not_reached"
    await record_history(s, f"journey-{cid}", "journey-outcome-not-reached")

    other = (await s.open_case(W))["case_id"]
    await s.act(W, other, "record-exit", {"reason": "work"})
    assert (await s.act(W, other, "record-outcome", {"status": "parental_leave"}))["outcome"] == "parental_leave"


async def test_target_groups_in_state_read_model_and_list(stack: Stack) -> None:
    s = stack
    kaa = await s.open_case(W, personal_number=personal_number(years_ago(18)), education_level="primary")
    assert kaa["target_groups"] == {
        "youth": True, "kaa": True, "newly_arrived": False, "social_assistance": False, "disability": False}
    assert kaa["age_group"] == "16-24"
    adult = await s.open_case(
        W, personal_number=personal_number(years_ago(40)), newly_arrived=True,
        establishment_start=(today() - timedelta(days=100)).isoformat(), social_assistance=True,
        protected_identity=True,
    )
    groups = adult["target_groups"]
    assert not groups["youth"] and not groups["kaa"] and groups["newly_arrived"] and groups["social_assistance"]
    assert adult["age_group"] == "25+" and adult["protected_identity"] is True
    # KAA ends with upper-secondary school completed: the current mapping decides.
    done = await s.act(W, kaa["case_id"], "update-mapping", {"education_level": "upper_secondary"})
    assert done["target_groups"]["kaa"] is False and done["target_groups"]["youth"] is True

    async def listed() -> None:
        page = await s.get(W, "/api/v1/cases", target_group="youth", limit=500)
        youth = {c["case_id"] for c in page["items"]}
        assert all("youth" in c["target_groups"] and c["age_group"] == "16-24" for c in page["items"])
        kaas = {c["case_id"] for c in (await s.get(W, "/api/v1/cases", target_group="kaa", limit=500))["items"]}
        newly = {c["case_id"] for c in (await s.get(W, "/api/v1/cases", target_group="newly_arrived", limit=500))[
            "items"]}
        assert kaa["case_id"] in youth and kaa["case_id"] not in kaas
        assert adult["case_id"] in newly and adult["case_id"] not in youth

    await eventually(listed)
    with session_scope(s.settings.resolved_database_url) as session:
        row = session.get(CaseSummary, adult["case_id"])
        assert row is not None
        assert (row.age_group, row.newly_arrived, row.social_assistance, row.protected_identity) == (
            "25+", True, True, True)
        assert row.programme_ends_on == date.fromisoformat(adult["programme_ends_on"])
    bad = await s.get(W, "/api/v1/cases", expect=422, target_group="women")
    assert bad["detail"][0]["loc"][-1] == "target_group"
    body = case_body(establishment_start=today().isoformat())  # not newly arrived
    r = await s.api.post("/api/v1/cases", json=body, headers=await s.headers(W))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "establishment_start"


async def test_programme_time_runs_from_the_establishment_start(quick: Stack) -> None:
    s = quick
    admin = await s.headers("admin")
    r = await s.api.put("/api/v1/policies/0880", json={"programme_time": "P24M"}, headers=admin)
    assert r.status_code == 200 and r.json()["programme_time"] == "P24M"  # calendar months, not 720 days
    bad = await s.api.put("/api/v1/policies/0880", json={"programme_time": "two years"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "programme_time"
    start = today() - timedelta(days=30)
    case = await s.open_case(W, newly_arrived=True, establishment_start=start.isoformat())
    # 24 months (the default programme time) from the establishment start, on a working day.
    ends = date.fromisoformat(case["programme_ends_on"])
    two_years = add_months(start, 24)
    assert two_years <= ends <= two_years + timedelta(days=4)
    assert datetime.fromisoformat(case["due"]["programme_end"]).date() == ends
    moved = await s.act(W, case["case_id"], "update-mapping", {"establishment_start": today().isoformat()})
    assert date.fromisoformat(moved["programme_ends_on"]) > ends

    # With the programme time short, the programme_ending task opens; a standpoint ends it.
    cid = (await s.open_case(AF, municipality=QUICK))["case_id"]

    async def ending() -> dict[str, Any]:
        [task] = [t for t in await tasks_of(s, AF, cid) if t["kind"] == "programme_ending"]
        return task

    task = await eventually(ending)
    assert task["status"] == "open" and task["assignee"] == AF
    await s.act(AF, cid, "complete-introduction")
    state = await s.act(AF, cid, "joint-standpoint", {"decision": "long_term_plan"})
    assert "programme_end" not in state["due"]

    async def ended() -> None:
        assert (await ending())["status"] == "done"

    await eventually(ended)
    await record_history(s, f"journey-{cid}", "journey-programme-ending")


async def test_consent_is_shown_and_its_withdrawal_ends_the_cooperation(stack: Stack) -> None:
    s = stack
    case = await s.open_case(W)
    consent = case["consent"]
    assert consent["given"] is True and consent["recorded_by"] == W and consent["withdrawn_at"] is None
    assert consent["given_at"] == case["opened_at"]
    state = await s.act(W, case["case_id"], "withdraw-consent", {"note": "deltagaren vill inte längre"})
    assert state["phase"] == "closed" and state["closed_reason"] == "consent_withdrawn"
    assert state["consent"]["withdrawn_at"] is not None and state["allowed_actions"] == []
    await record_history(s, f"journey-{case['case_id']}", "journey-consent-withdrawn")


async def test_grastorps_four_weeks_are_for_those_new_to_sfi(stack: Stack) -> None:
    s = stack

    def weeks(case: dict[str, Any]) -> float:
        due = datetime.fromisoformat(case["due"]["introduction_ends"])
        return (due - datetime.fromisoformat(case["opened_at"])).days / 7

    new_to_sfi = await s.open_case(AF, municipality="1444", swedish_level="none")
    on_sfi = await s.open_case(AF, municipality="1444", swedish_level="sfi_b")
    assert 4 <= weeks(new_to_sfi) < 4.5 and 2 <= weeks(on_sfi) < 2.5
