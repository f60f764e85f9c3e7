"""The process rules without a server: the phase table, the decision rights, the input checks
and what each new action does to a case."""

from datetime import date, timedelta

import pytest

from tests.workflows.cases import AF_WORKER, MUNICIPAL_WORKER, NOW, later, new_case
from workflows import actions as a
from workflows import process, refusals
from workflows.actions import Action
from workflows.case import CaseState
from workflows.clocks import ClockName
from workflows.domain import (
    AF,
    Actor,
    Attempt,
    ContactChannel,
    EducationLevel,
    ExitReason,
    OutcomeStatus,
    Phase,
    Role,
    Standpoint,
    SwedishLevel,
)
from workflows.phases import record

TODAY = date(2026, 11, 23)
ATTEMPTS = [Attempt(TODAY - timedelta(days=14), "arbetsträning"), Attempt(TODAY - timedelta(days=7), "hembesök")]


def act(state: CaseState, action: Action, body: a.ActionBody, actor: Actor = AF_WORKER, days: float = 0) -> str:
    now = later(days)
    refusals.check(state, action, body, actor, now)
    summary = process.RULES[action](state, body, actor, now)
    record(state, now, actor, action.value, summary, body.note)
    return summary


def refusal(state: CaseState, action: Action, body: a.ActionBody, actor: Actor = AF_WORKER) -> a.Refusal:
    with pytest.raises(refusals.Refused) as refused:
        refusals.check(state, action, body, actor, NOW)
    return refused.value.refusal


def withdrawal(**overrides: object) -> a.Withdraw:
    body = {"reason": "ohälsa", "conditions": "vårdkontakt", "attempts": ATTEMPTS, "reactivation": "gemensamt möte"}
    return a.Withdraw(**(body | overrides))  # type: ignore[arg-type]


def withdrawn() -> CaseState:
    state = new_case()
    act(state, Action.WITHDRAW, withdrawal())
    return state


def test_every_action_has_its_phases_and_its_rule() -> None:
    assert set(refusals.PHASES_OF) == set(Action)
    assert set(process.RULES) == set(Action) - {Action.APPLY_TO_TRACK}  # waits for the track's answer


@pytest.mark.parametrize("action", [Action.JOINT_STANDPOINT, Action.WITHDRAW])
def test_afs_decisions_are_refused_to_anyone_else_naming_the_rule(action: Action) -> None:
    state = new_case()
    act(state, Action.COMPLETE_INTRODUCTION, a.CompleteIntroduction())
    body = a.JointStandpoint(decision=Standpoint.TRACK) if action is Action.JOINT_STANDPOINT else withdrawal()
    coordinator = Actor("samordnare", Role.COORDINATOR, "0581")
    for actor in (MUNICIPAL_WORKER, coordinator):
        refused = refusal(state, action, body, actor)
        assert refused.kind == "forbidden" and refused.rule == refusals.DECISION_RIGHTS[action].rule
    refusals.check(state, action, body, AF_WORKER, NOW)  # AF's own: allowed
    # What the pages ask before offering a form: the same right, withheld from the others only.
    assert refusals.withheld_by(MUNICIPAL_WORKER, action) is refusals.DECISION_RIGHTS[action]
    assert refusals.withheld_by(AF_WORKER, action) is None
    assert refusals.withheld_by(MUNICIPAL_WORKER, Action.PLAN_EFFORT) is None


def test_only_the_listed_actions_are_decision_rights() -> None:
    assert {action for action, right in refusals.DECISION_RIGHTS.items() if right.organisation == AF} == {
        Action.JOINT_STANDPOINT, Action.WITHDRAW}
    state = new_case()
    body = a.UpdateMapping(swedish_level=SwedishLevel.SFI_D)
    refusals.check(state, Action.UPDATE_MAPPING, body, MUNICIPAL_WORKER, NOW)  # everyone in scope


def test_a_withdrawal_needs_repeated_attempts_and_a_plan() -> None:
    state = new_case()
    assert refusal(state, Action.WITHDRAW, withdrawal(attempts=ATTEMPTS[:1])).field == "attempts"
    future = [*ATTEMPTS[:1], Attempt(TODAY + timedelta(days=1), "x")]
    assert refusal(state, Action.WITHDRAW, withdrawal(attempts=future)).field == "attempts"
    assert refusal(state, Action.WITHDRAW, withdrawal(reactivation=" ")).field == "reactivation"
    assert refusal(state, Action.WITHDRAW, withdrawal(review_on=TODAY)).field == "review_on"


def test_withdrawal_keeps_the_plan_and_tells_the_partner_organisation() -> None:
    state = withdrawn()
    w = state.withdrawal
    assert w is not None and w.attempts == ATTEMPTS and w.reactivation == "gemensamt möte"
    assert w.withdrawn_by == AF_WORKER.username and state.phase is Phase.WITHDRAWN
    [notice] = state.partner_notices
    assert notice.organisation == "0581" and notice.about == "withdraw"  # AF withdrew: the municipality is told
    # Acting on the case by someone of AF leaves it; someone of the municipality takes note of it.
    act(state, Action.POSTPONE_REVIEW, a.PostponeReview(review_on=TODAY + timedelta(days=40)))
    assert state.partner_notices == [notice]
    act(state, Action.RECORD_FOLLOW_UP, a.RecordFollowUp(held_on=TODAY, attendees=["AF"], progress="p",
                                                        next_steps="n"), MUNICIPAL_WORKER)
    assert state.partner_notices == []


def test_cases_opened_before_the_revision_tell_no_partner() -> None:
    state = new_case(revision=0)
    act(state, Action.WITHDRAW, withdrawal())
    assert state.partner_notices == []


def test_while_withdrawn() -> None:
    state = withdrawn()
    allowed = set(refusals.allowed_actions(state))
    assert {Action.POSTPONE_REVIEW, Action.REACTIVATE, Action.RECORD_EXIT, Action.UPDATE_MAPPING,
            Action.WITHDRAW_CONSENT} <= allowed
    assert Action.PLAN_EFFORT not in allowed and Action.WITHDRAW not in allowed
    assert refusal(state, Action.POSTPONE_REVIEW, a.PostponeReview(review_on=TODAY)).field == "review_on"
    review = state.clocks[ClockName.REVIEW]
    act(state, Action.POSTPONE_REVIEW, a.PostponeReview(review_on=TODAY + timedelta(days=120)))
    moved = state.clocks[ClockName.REVIEW]
    assert moved.seq > review.seq and moved.due_at > review.due_at  # a new clock: the old task closes
    assert state.withdrawal is not None and state.withdrawal.review_on == TODAY + timedelta(days=120)
    act(state, Action.RECORD_EXIT, a.RecordExit(reason=ExitReason.WORK))
    assert state.phase is Phase.EXITED and state.withdrawal is None and len(state.past_withdrawals) == 1
    assert set(state.clocks) == {ClockName.OUTCOME_CHECK}


def test_reactivation_may_resume_at_the_long_term_plan_with_a_new_mapping() -> None:
    state = withdrawn()
    body = a.Reactivate(resume_phase="long_term_plan", swedish_level=SwedishLevel.SFI_D)
    summary = act(state, Action.REACTIVATE, body, MUNICIPAL_WORKER)
    assert state.phase is Phase.LONG_TERM_PLAN and state.mapping.swedish_level is SwedishLevel.SFI_D
    assert "swedish_level sfi_c → sfi_d" in summary
    # The municipality reactivated: AF is told, and the municipality's own notice is taken note of.
    assert [(n.organisation, n.about) for n in state.partner_notices] == [(AF, "reactivate")]


def test_not_reached_needs_two_attempts() -> None:
    state = new_case()
    act(state, Action.RECORD_EXIT, a.RecordExit(reason=ExitReason.MOVED))
    not_reached = a.RecordOutcome(status=OutcomeStatus.NOT_REACHED)
    assert refusal(state, Action.RECORD_OUTCOME, not_reached).field == "status"
    for channel in (ContactChannel.PHONE, ContactChannel.SMS):
        act(state, Action.RECORD_OUTCOME_ATTEMPT, a.RecordOutcomeAttempt(on=TODAY, channel=channel))
    assert refusal(state, Action.RECORD_OUTCOME_ATTEMPT, a.RecordOutcomeAttempt(
        on=TODAY + timedelta(days=1), channel=ContactChannel.SMS)).field == "on"
    act(state, Action.RECORD_OUTCOME, not_reached)
    assert state.phase is Phase.CLOSED and state.outcome is OutcomeStatus.NOT_REACHED


def test_fast_track_exits_and_consent_withdrawal_closes() -> None:
    state = new_case()
    act(state, Action.COMPLETE_INTRODUCTION, a.CompleteIntroduction())
    act(state, Action.JOINT_STANDPOINT, a.JointStandpoint(decision=Standpoint.FAST_TRACK))
    assert state.phase is Phase.EXITED and state.exit_reason is ExitReason.FAST_TRACK
    other = new_case()
    act(other, Action.WITHDRAW_CONSENT, a.WithdrawConsent())
    assert other.phase is Phase.CLOSED and other.closed_reason == "consent_withdrawn"
    assert other.consent_withdrawn_at == NOW


def test_mapping_changes_are_checked() -> None:
    state = new_case()
    assert refusal(state, Action.UPDATE_MAPPING, a.UpdateMapping()).field == "body"
    early = a.UpdateMapping(establishment_start=TODAY)
    assert refusal(state, Action.UPDATE_MAPPING, early).field == "establishment_start"
    body = a.UpdateMapping(newly_arrived=True, establishment_start=TODAY, education_level=EducationLevel.NONE)
    act(state, Action.UPDATE_MAPPING, body, MUNICIPAL_WORKER)
    assert state.mapping.establishment_start == TODAY and state.timeline[-1].actor == MUNICIPAL_WORKER.username


def test_one_application_at_a_time() -> None:
    state = new_case()
    act(state, Action.COMPLETE_INTRODUCTION, a.CompleteIntroduction())
    act(state, Action.JOINT_STANDPOINT, a.JointStandpoint(decision=Standpoint.TRACK))
    assert Action.APPLY_TO_TRACK in refusals.allowed_actions(state)
    state.applying_to = "norrkoping-industri"  # the track is answering
    refused = refusal(state, Action.APPLY_TO_TRACK, a.ApplyToTrack(track_id="norrkoping-restaurang"))
    assert refused.kind == "not_allowed" and Action.APPLY_TO_TRACK.value not in refused.allowed_actions
