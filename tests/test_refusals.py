"""Every refusal: bad input names the field, a refused action writes nothing."""

from datetime import timedelta

import pytest

from tests.stack import Stack, case_body, personal_number
from tests.stack import today as stockholm_today

W = "handlaggare"


def fields_named(response: dict) -> set[str]:
    return {e["loc"][-1] for e in response["detail"]}


@pytest.mark.parametrize(
    "number",
    ["19900101-0018", "19901301-0017", "19900230-1234", "abc", "21000101-0010", ""],
    ids=["check-digit", "month-13", "feb-30", "letters", "future", "empty"],
)
async def test_invalid_personal_number_is_422_naming_it(stack: Stack, number: str) -> None:
    r = await stack.api.post("/api/v1/cases", json=case_body(personal_number=number), headers=await stack.headers(W))
    assert r.status_code == 422
    assert fields_named(r.json()) == {"personal_number"}
    assert number not in r.text or number == ""  # the submitted number is never echoed back


async def test_short_form_and_coordination_numbers_are_accepted(stack: Stack) -> None:
    # 10-digit form with separator, and a samordningsnummer (day + 60).
    for number in ("900101-0017", "19900161-0014"):
        r = await stack.api.post(
            "/api/v1/cases", json=case_body(personal_number=number), headers=await stack.headers(W)
        )
        assert r.status_code in (201, 409), r.text


async def test_missing_consent_is_422(stack: Stack) -> None:
    r = await stack.api.post("/api/v1/cases", json=case_body(consent_to_share=False), headers=await stack.headers(W))
    assert r.status_code == 422 and fields_named(r.json()) == {"consent_to_share"}


async def test_unknown_values_are_422_naming_each_field(stack: Stack) -> None:
    body = case_body(gender="x", education_level="phd", swedish_level="b2", experience=["mining"])
    r = await stack.api.post("/api/v1/cases", json=body, headers=await stack.headers(W))
    assert r.status_code == 422
    assert fields_named(r.json()) >= {"gender", "education_level", "swedish_level"}
    assert "experience" in {e["loc"][1] for e in r.json()["detail"]}


async def test_unknown_municipality_is_422(stack: Stack) -> None:
    r = await stack.api.post(
        "/api/v1/cases", json=case_body(municipality="9999"), headers=await stack.headers("arbetsformedlare")
    )
    assert r.status_code == 422 and fields_named(r.json()) == {"municipality"}


async def test_second_open_case_for_same_person_is_409_until_closed(any_stack: Stack) -> None:
    stack = any_stack
    number = personal_number()
    first = await stack.open_case(personal_number=number)
    r = await stack.api.post("/api/v1/cases", json=case_body(personal_number=number), headers=await stack.headers(W))
    assert r.status_code == 409
    # The same person in the 10-digit form is still the same person.
    short = number[2:]
    r = await stack.api.post("/api/v1/cases", json=case_body(personal_number=short), headers=await stack.headers(W))
    assert r.status_code == 409
    await stack.act(W, first["case_id"], "close", {"reason": "fel person"})

    async def reopenable() -> None:
        r = await stack.api.post(
            "/api/v1/cases", json=case_body(personal_number=number), headers=await stack.headers(W)
        )
        assert r.status_code == 201, r.text

    from tests.stack import eventually

    await eventually(reopenable)


async def test_action_not_allowed_in_phase_is_409_and_writes_nothing(stack: Stack) -> None:
    case = await stack.open_case()
    cid = case["case_id"]
    for action, body in [
        ("record-outcome", {"status": "work"}),
        ("joint-standpoint", {"decision": "track"}),
        ("apply-to-track", {"track_id": "norrkoping-restaurang"}),
        ("answer-offer", {"accept": True}),
        ("reactivate", {"resume_phase": "preparatory"}),
    ]:
        refused = await stack.act(W, cid, action, body, expect=409)
        assert refused["detail"]["phase"] == "introduction"
        assert refused["detail"]["allowed_actions"] == case["allowed_actions"]
    after = await stack.get(W, f"/api/v1/cases/{cid}")
    assert after["version"] == case["version"]
    assert after["timeline"] == case["timeline"]
    # Nothing of the refusals reached the workflow history either.
    events = [e async for e in stack.temporal.get_workflow_handle(f"journey-{cid}").fetch_history_events()]
    assert not [e for e in events if e.HasField("workflow_execution_update_accepted_event_attributes")]


async def test_unknown_action_is_404(stack: Stack) -> None:
    cid = (await stack.open_case())["case_id"]
    r = await stack.api.post(f"/api/v1/cases/{cid}/actions/teleport", json={}, headers=await stack.headers(W))
    assert r.status_code == 404


async def test_bad_action_bodies_are_422_naming_the_field(stack: Stack) -> None:
    cid = (await stack.open_case())["case_id"]
    today = stockholm_today()  # the workflow's date; the host's is a day behind from 23:00 UTC
    cases = [
        ("plan-effort", {"kind": "juggling", "provider": "X", "starts_on": today.isoformat()}, "kind"),
        (
            "plan-effort",
            {
                "kind": "sfi",
                "provider": "X",
                "starts_on": today.isoformat(),
                "ends_on": (today - timedelta(days=1)).isoformat(),
            },
            "ends_on",
        ),
        ("plan-effort", {"kind": "sfi", "starts_on": today.isoformat()}, "provider"),
        ("complete-effort", {"effort_id": "effort-99", "result": "klar"}, "effort_id"),
        (
            "record-follow-up",
            {
                "held_on": (today + timedelta(days=2)).isoformat(),
                "attendees": ["AF"],
                "progress": "p",
                "next_steps": "n",
            },
            "held_on",
        ),
        (
            "record-follow-up",
            {"held_on": "not-a-date", "attendees": ["AF"], "progress": "p", "next_steps": "n"},
            "held_on",
        ),
        ("record-exit", {"reason": "bored"}, "reason"),
        ("record-exit", {"reason": "work", "exited_on": (today + timedelta(days=1)).isoformat()}, "exited_on"),
        ("withdraw", {"reason": "r", "conditions": "c", "review_on": today.isoformat()}, "review_on"),
        ("withdraw", {"reason": "r"}, "conditions"),
        ("close", {}, "reason"),
        ("reassign", {"responsible_worker": "nobody"}, "responsible_worker"),
    ]
    for action, body, field in cases:
        r = await stack.api.post(f"/api/v1/cases/{cid}/actions/{action}", json=body, headers=await stack.headers(W))
        assert r.status_code == 422, (action, r.text)
        assert field in fields_named(r.json()), (action, r.json())
    after = await stack.get(W, f"/api/v1/cases/{cid}")
    assert after["version"] == 1 and after["efforts"] == []


async def test_reactivate_only_to_the_contract_phases(stack: Stack) -> None:
    cid = (await stack.open_case())["case_id"]
    await stack.act(W, cid, "withdraw", {"reason": "r", "conditions": "c"})
    bad = await stack.act(W, cid, "reactivate", {"resume_phase": "track"}, expect=422)
    assert fields_named(bad) == {"resume_phase"}


async def test_prerequisite_not_met_is_422_naming_it(stack: Stack) -> None:
    cid = (await stack.open_case(swedish_level="sfi_a"))["case_id"]
    await stack.act(W, cid, "complete-introduction")
    await stack.act(W, cid, "joint-standpoint", {"decision": "track"})
    bad = await stack.act(W, cid, "apply-to-track", {"track_id": "norrkoping-industri"}, expect=422)
    assert "min_swedish_level" in bad["detail"][0]["msg"]
    bad = await stack.act(W, cid, "apply-to-track", {"track_id": "no-such-track"}, expect=422)
    assert fields_named(bad) == {"track_id"}
