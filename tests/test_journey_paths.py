"""Each path of the journey through the API, against the real Temporal server."""

from datetime import date, timedelta

from tests.stack import Stack, eventually, record_history, today, withdrawal

W = "handlaggare"
AF = "arbetsformedlare"  # the joint standpoint and a withdrawal are Arbetsförmedlingen's decisions


async def test_straight_through_to_closed_with_outcome(any_stack: Stack) -> None:
    s = any_stack
    case = await s.open_case()
    cid = case["case_id"]
    assert case["phase"] == "introduction" and case["status"] == "active"
    assert set(case["due"]) == {"introduction_ends", "follow_up", "programme_end"}

    state = await s.act(
        W, cid, "plan-effort", {"kind": "sfi", "provider": "Komvux", "starts_on": today().isoformat()}
    )
    effort_id = state["efforts"][0]["effort_id"]
    state = await s.act(W, cid, "complete-introduction", {"note": "samhällsinformation klar"})
    assert state["phase"] == "preparatory"
    assert "introduction_ends" not in state["due"]
    state = await s.act(W, cid, "complete-effort", {"effort_id": effort_id, "result": "SFI C klar"})
    assert state["efforts"][0]["result"] == "SFI C klar"
    state = await s.act(
        W,
        cid,
        "record-follow-up",
        {"held_on": today().isoformat(), "attendees": ["AF", "AME"], "progress": "god", "next_steps": "spår"},
    )
    assert len(state["follow_ups"]) == 1
    state = await s.act(AF, cid, "joint-standpoint", {"decision": "track"})
    assert state["phase"] == "track_selection"
    state = await s.act(W, cid, "apply-to-track", {"track_id": "norrkoping-restaurang", "motivation": "erfarenhet"})
    assert state["application"]["status"] == "offered"
    assert "offer_answer" in state["due"]
    state = await s.act(W, cid, "answer-offer", {"accept": True})
    assert state["phase"] == "track" and state["track_id"] == "norrkoping-restaurang"
    state = await s.act(W, cid, "record-exit", {"reason": "work"})
    assert state["phase"] == "exited" and state["exit_reason"] == "work"
    assert set(state["due"]) == {"outcome_check"}
    state = await s.act(W, cid, "record-outcome", {"status": "work"})
    assert state["phase"] == "closed" and state["status"] == "closed" and state["outcome"] == "work"
    assert state["allowed_actions"] == []
    versions = [e["action"] for e in state["timeline"]]
    assert versions[0] == "open" and versions[-1] == "record-outcome"

    async def closed_in_list() -> None:
        page = await s.get(W, "/api/v1/cases", phase="closed")
        assert cid in [c["case_id"] for c in page["items"]]

    await eventually(closed_in_list)
    # A closed case takes no more actions.
    refused = await s.act(W, cid, "close", {"reason": "igen"}, expect=409)
    assert refused["detail"]["phase"] == "closed"
    await record_history(s, f"journey-{cid}", "journey-straight-through")


async def test_exit_from_each_phase(stack: Stack) -> None:
    s = stack
    routes = {
        "introduction": [],
        "preparatory": [("complete-introduction", None)],
        "track_selection": [("complete-introduction", None), ("joint-standpoint", {"decision": "track"})],
        "long_term_plan": [("complete-introduction", None), ("joint-standpoint", {"decision": "long_term_plan"})],
        "track": [
            ("complete-introduction", None),
            ("joint-standpoint", {"decision": "track"}),
            ("apply-to-track", {"track_id": "norrkoping-kortutbildade"}),
            ("answer-offer", {"accept": True}),
        ],
    }
    for phase, steps in routes.items():
        cid = (await s.open_case())["case_id"]
        for action, body in steps:
            state = await s.act(AF if action == "joint-standpoint" else W, cid, action, body)
        if steps:
            assert state["phase"] == phase
        exited_on = (today() - timedelta(days=3)).isoformat()
        state = await s.act(W, cid, "record-exit", {"reason": "moved", "exited_on": exited_on})
        assert state["phase"] == "exited", phase
        assert state["exited_on"] == exited_on
        assert state["application"] is None or state["application"]["status"] in ("admitted", "withdrawn")
        await record_history(s, f"journey-{cid}", f"journey-exit-from-{phase}")


async def test_joint_standpoint_work_or_studies_exits_directly(stack: Stack) -> None:
    for decision in ("work", "studies"):
        cid = (await stack.open_case())["case_id"]
        await stack.act(W, cid, "complete-introduction")
        state = await stack.act(AF, cid, "joint-standpoint", {"decision": decision})
        assert state["phase"] == "exited" and state["exit_reason"] == decision
        await record_history(stack, f"journey-{cid}", f"journey-standpoint-{decision}")


async def test_long_term_plan_back_to_standpoint(stack: Stack) -> None:
    cid = (await stack.open_case())["case_id"]
    await stack.act(W, cid, "complete-introduction")
    state = await stack.act(AF, cid, "joint-standpoint", {"decision": "long_term_plan"})
    assert state["phase"] == "long_term_plan"
    state = await stack.act(
        W, cid, "plan-effort", {"kind": "health", "provider": "Region", "starts_on": today().isoformat()}
    )
    assert state["efforts"][0]["kind"] == "health"
    state = await stack.act(AF, cid, "joint-standpoint", {"decision": "track"})
    assert state["phase"] == "track_selection"
    await record_history(stack, f"journey-{cid}", "journey-long-term-plan")


async def test_withdraw_pauses_and_reactivate_resumes(stack: Stack) -> None:
    cid = (await stack.open_case())["case_id"]
    await stack.act(W, cid, "complete-introduction")
    review_on = (today() + timedelta(days=60)).isoformat()
    state = await stack.act(AF, cid, "withdraw", withdrawal(review_on=review_on))
    assert state["phase"] == "withdrawn" and state["status"] == "paused"
    assert state["withdrawal"]["conditions"] == "vårdkontakt etablerad"
    assert state["withdrawal"]["review_on"] >= review_on
    assert list(state["due"]) == ["review"]
    assert "reactivate" in state["allowed_actions"] and "plan-effort" not in state["allowed_actions"]
    state = await stack.act(W, cid, "reactivate", {"resume_phase": "preparatory", "note": "ny kartläggning"})
    assert state["phase"] == "preparatory" and state["status"] == "active"
    assert state["withdrawal"] is None
    assert set(state["due"]) == {"follow_up", "programme_end"}
    await record_history(stack, f"journey-{cid}", "journey-withdraw-reactivate")


async def test_withdraw_defaults_review_date_from_policy(stack: Stack) -> None:
    cid = (await stack.open_case())["case_id"]
    state = await stack.act(AF, cid, "withdraw", withdrawal(reason="social situation"))
    review = date.fromisoformat(state["withdrawal"]["review_on"])
    assert today() + timedelta(days=90) <= review <= today() + timedelta(days=94)


async def test_close_without_outcome(stack: Stack) -> None:
    case = await stack.open_case()
    state = await stack.act(W, case["case_id"], "close", {"reason": "flyttat utomlands"})
    assert state["phase"] == "closed" and state["closed_reason"] == "flyttat utomlands" and state["outcome"] is None
    await record_history(stack, f"journey-{case['case_id']}", "journey-close")


async def test_reassign_moves_the_case(stack: Stack) -> None:
    cid = (await stack.open_case())["case_id"]
    state = await stack.act(W, cid, "reassign", {"responsible_worker": "arbetsformedlare"})
    assert state["responsible_worker"] == "arbetsformedlare"

    async def listed() -> None:
        page = await stack.get("arbetsformedlare", "/api/v1/cases", responsible="arbetsformedlare", limit=500)
        assert cid in [c["case_id"] for c in page["items"]]

    await eventually(listed)
    bad = await stack.act(W, cid, "reassign", {"responsible_worker": "granskare"}, expect=422)
    assert bad["detail"][0]["loc"] == ["body", "responsible_worker"]
    await record_history(stack, f"journey-{cid}", "journey-reassign")


async def test_idempotency_key_does_the_action_once(stack: Stack) -> None:
    cid = (await stack.open_case())["case_id"]
    body = {"kind": "guidance", "provider": "Vägledningscentrum", "starts_on": today().isoformat()}
    first = await stack.act(W, cid, "plan-effort", body, **{"Idempotency-Key": "k-1"})
    again = await stack.act(W, cid, "plan-effort", body, **{"Idempotency-Key": "k-1"})
    assert len(first["efforts"]) == 1 and len(again["efforts"]) == 1
    assert again["version"] == first["version"]
    third = await stack.act(W, cid, "plan-effort", body, **{"Idempotency-Key": "k-2"})
    assert len(third["efforts"]) == 2
    await record_history(stack, f"journey-{cid}", "journey-idempotent")


async def test_closed_case_reads_from_the_read_model_after_retention(stack: Stack) -> None:
    from temporalio.api.common.v1 import WorkflowExecution
    from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
    from temporalio.service import RPCError, RPCStatusCode

    cid = (await stack.open_case())["case_id"]
    closed = await stack.act(W, cid, "close", {"reason": "flyttat"})

    async def projected() -> None:
        page = await stack.get(W, "/api/v1/cases", phase="closed", limit=500)
        assert cid in [c["case_id"] for c in page["items"]]

    await eventually(projected)
    # What the namespace's retention does to a closed workflow, done now.
    await stack.temporal.workflow_service.delete_workflow_execution(
        DeleteWorkflowExecutionRequest(
            namespace=stack.temporal.namespace, workflow_execution=WorkflowExecution(workflow_id=f"journey-{cid}")
        )
    )

    async def gone_from_temporal() -> None:
        try:
            await stack.temporal.get_workflow_handle(f"journey-{cid}").describe()
        except RPCError as err:
            assert err.status == RPCStatusCode.NOT_FOUND
        else:
            raise AssertionError("still there")

    await eventually(gone_from_temporal, timeout=90)  # deletion is a background task of the server
    assert await stack.get(W, f"/api/v1/cases/{cid}") == closed


async def test_protection_is_set_and_lifted_by_the_responsible_worker_or_af_only(any_stack: Stack) -> None:
    s = any_stack
    cid = (await s.open_case())["case_id"]
    state = await s.act(W, cid, "set-protected-identity", {"protected": True})
    assert state["protected_identity"] is True and state["given_name"] == "Amal"  # W is responsible
    assert state["timeline"][-1]["action"] == "set-protected-identity"
    seen = await s.get("chef", f"/api/v1/cases/{cid}")
    assert (seen["given_name"], seen["family_name"], seen["protected_identity"]) == ("protected", "", True)
    # The supervisor reads "protected"; the coordinator cannot lift it; nothing is written.
    refused = await s.act("samordnare", cid, "set-protected-identity", {"protected": False}, expect=403)
    assert refused["detail"]["rule"] == "protected_identity_by_responsible_or_af"
    again = await s.act(W, cid, "set-protected-identity", {"protected": True}, expect=422)
    assert again["detail"][0]["loc"][-1] == "protected"
    assert (await s.get(W, f"/api/v1/cases/{cid}"))["version"] == state["version"]

    async def protected_in_list() -> None:
        page = await s.get("chef", "/api/v1/cases", phase="introduction", limit=500)
        [row] = [c for c in page["items"] if c["case_id"] == cid]
        assert row["given_name"] == "protected"

    await eventually(protected_in_list)
    state = await s.act(AF, cid, "set-protected-identity", {"protected": False})
    assert state["protected_identity"] is False and state["given_name"] == "Amal"
    assert (await s.get("chef", f"/api/v1/cases/{cid}"))["given_name"] == "Amal"
    await s.act(W, cid, "close", {"reason": "prov klart"})
    await record_history(s, f"journey-{cid}", "journey-protected-identity")
