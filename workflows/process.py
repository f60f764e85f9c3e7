"""The journey of programme.md as pure rules: what each action does (`RULES`), once
workflows/refusals.py has let it through (the phase allows it, the actor may decide it, the
input fits the case). Every function here takes the case state and the time and changes nothing
outside it; the workflow wires them to Temporal updates and timers.
"""

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from workflows import actions as a
from workflows import applications, mapping
from workflows.actions import Action
from workflows.calendar import due_after, due_on_day, is_whole_days, local_today
from workflows.case import CaseState
from workflows.clocks import ClockName
from workflows.domain import (
    AF,
    CONSENT_WITHDRAWN,
    Actor,
    Application,
    ApplicationStatus,
    Effort,
    ExitReason,
    FollowUp,
    OutcomeAttempt,
    PartnerNotice,
    Phase,
    Standpoint,
    Withdrawal,
)
from workflows.phases import (
    AGREEMENTS,
    BEFORE_STANDPOINT,
    start_clock,
    start_follow_up_clock,
    start_phase,
    start_programme_clock,
    stop_clock,
)


def complete_introduction(state: CaseState, body: a.CompleteIntroduction, actor: Actor, now: datetime) -> str:
    start_phase(state, Phase.PREPARATORY, now)
    return "introduction completed"


def update_mapping(state: CaseState, body: a.MappingChange, actor: Actor, now: datetime) -> str:
    """The mapping is living (000, 003, 002): later checks read the current one."""
    before = state.mapping
    state.mapping = mapping.changed(before, body)
    moved_start = before.establishment_start != state.mapping.establishment_start
    if moved_start and ClockName.PROGRAMME_END in state.clocks:
        start_programme_clock(state, now)
    return mapping.describe(before, state.mapping)


def plan_effort(state: CaseState, body: a.PlanEffort, actor: Actor, now: datetime) -> str:
    effort_id = f"effort-{len(state.efforts) + 1}"
    state.efforts.append(
        Effort(effort_id, body.kind, body.provider, body.starts_on, body.ends_on, note=body.note)
    )
    return f"{effort_id} planned: {body.kind.value} by {body.provider}"


def complete_effort(state: CaseState, body: a.CompleteEffort, actor: Actor, now: datetime) -> str:
    for i, effort in enumerate(state.efforts):
        if effort.effort_id == body.effort_id:
            state.efforts[i] = replace(effort, result=body.result, completed_at=now)
    return f"{body.effort_id} completed"


def record_follow_up(state: CaseState, body: a.RecordFollowUp, actor: Actor, now: datetime) -> str:
    clock = state.clocks.get(ClockName.FOLLOW_UP)
    due_on = local_today(clock.due_at) if clock is not None else None
    state.follow_ups.append(
        FollowUp(body.held_on, list(body.attendees), body.progress, body.next_steps, actor.username, body.note, due_on)
    )
    if ClockName.FOLLOW_UP in state.clocks:
        start_follow_up_clock(state, now)
    return f"follow-up held {body.held_on.isoformat()}"


def joint_standpoint(state: CaseState, body: a.JointStandpoint, actor: Actor, now: datetime) -> str:
    state.standpoint = body.decision
    if body.decision is Standpoint.TRACK:
        state.application = None
        start_phase(state, Phase.TRACK_SELECTION, now)
    elif body.decision is Standpoint.LONG_TERM_PLAN:
        start_phase(state, Phase.LONG_TERM_PLAN, now)
    else:
        exit_programme(state, ExitReason(body.decision.value), None, now)
    return f"joint standpoint: {body.decision.value}"


def application_answered(
    state: CaseState, body: a.ApplyToTrack, status: ApplicationStatus, reason: str | None, now: datetime,
    number: int = 0, applied_at: datetime | None = None,
) -> str:
    # Applied when the track was asked: the time the track ranks the application by.
    applied = applied_at or now
    state.application = Application(body.track_id, status, applied, body.motivation, reason=reason, number=number)
    if status is ApplicationStatus.OFFERED:
        applications.offer_seat(state, now)
    elif status is ApplicationStatus.ADMITTED:
        applications.admit(state, now)
    return f"applied to track {body.track_id}: {status.value}"


def answer_offer(state: CaseState, body: a.AnswerOffer, actor: Actor, now: datetime) -> str:
    app = state.application
    assert app is not None
    stop_clock(state, ClockName.OFFER_ANSWER)
    if body.accept:
        applications.admit(state, now)
        return f"offer of track {app.track_id} accepted"
    state.application = replace(app, status=ApplicationStatus.DECLINED)
    return f"offer of track {app.track_id} declined"


def exit_programme(state: CaseState, reason: ExitReason, exited_on: date | None, now: datetime) -> None:
    exited_day = exited_on or local_today(now)
    applications.end_application(state)
    _end_withdrawal(state)
    state.exit_reason = reason
    state.exited_on = exited_day
    start_phase(state, Phase.EXITED, now)
    # "At the latest within 90 days" counts from the day of exit, not from when it was recorded.
    after = state.policy.outcome_check_after
    due = due_on_day(exited_day + after, now) if is_whole_days(after) else now + after
    start_clock(state, ClockName.OUTCOME_CHECK, now, due)


def record_exit(state: CaseState, body: a.RecordExit, actor: Actor, now: datetime) -> str:
    exit_programme(state, body.reason, body.exited_on, now)
    return f"exit: {body.reason.value}"


def record_outcome_attempt(state: CaseState, body: a.RecordOutcomeAttempt, actor: Actor, now: datetime) -> str:
    state.outcome_attempts.append(OutcomeAttempt(body.on, body.channel, actor.username, body.note))
    return f"tried to reach the participant by {body.channel.value} on {body.on.isoformat()}"


def record_outcome(state: CaseState, body: a.RecordOutcome, actor: Actor, now: datetime) -> str:
    state.outcome = body.status
    close_case(state, None, now)
    return f"outcome after exit: {body.status.value}"


def withdraw(state: CaseState, body: a.Withdraw, actor: Actor, now: datetime) -> str:
    applications.end_application(state)
    if body.review_on is not None:
        review_day = body.review_on
        review_at = due_on_day(review_day, now)
    else:
        review_at = due_after(now, state.policy.withdrawn_review)
        review_day = local_today(review_at)
    state.withdrawal = Withdrawal(
        body.reason, body.conditions, review_day, now, state.phase,
        attempts=list(body.attempts), reactivation=body.reactivation, withdrawn_by=actor.username,
    )
    start_phase(state, Phase.WITHDRAWN, now)
    start_clock(state, ClockName.REVIEW, now, review_at)
    tell_partner(state, Action.WITHDRAW, actor, now)
    return f"programme withdrawn; review on {review_day.isoformat()}"


def postpone_review(state: CaseState, body: a.PostponeReview, actor: Actor, now: datetime) -> str:
    """A new review date; the running review task closes (its clock restarts)."""
    assert state.withdrawal is not None
    state.withdrawal = replace(state.withdrawal, review_on=body.review_on)
    start_clock(state, ClockName.REVIEW, now, due_on_day(body.review_on, now))
    return f"review postponed to {body.review_on.isoformat()}"


def reactivate(state: CaseState, body: a.Reactivate, actor: Actor, now: datetime) -> str:
    summary = f"reactivated at {body.resume_phase}"
    if mapping.changes(body):
        summary += "; new " + update_mapping(state, body, actor, now)
    _end_withdrawal(state)
    phase = Phase(body.resume_phase)
    if phase is Phase.TRACK_SELECTION:
        state.application = None
    if phase in BEFORE_STANDPOINT:
        state.standpoint = None  # a standpoint is to be taken anew
    state.track_id = None
    start_phase(state, phase, now)
    tell_partner(state, Action.REACTIVATE, actor, now)
    return summary


def _end_withdrawal(state: CaseState) -> None:
    if state.withdrawal is not None:
        state.past_withdrawals.append(state.withdrawal)
    state.withdrawal = None


def tell_partner(state: CaseState, action: Action, actor: Actor, now: datetime) -> None:
    """A withdrawal or reactivation is communicated in the cooperation (002): the partner
    organisation's coordinator gets a task (and a mail), replacing any earlier notice."""
    if state.revision < AGREEMENTS:
        return
    partner = state.municipality if actor.organisation == AF else AF
    key = f"{state.case_id}:partner_notice:{state.version + 1}"
    state.partner_notices = [n for n in state.partner_notices if n.organisation != partner]
    state.partner_notices.append(PartnerNotice(key, action.value, partner, now))


def reassign(state: CaseState, body: a.Reassign, actor: Actor, now: datetime) -> str:
    previous, state.responsible_worker = state.responsible_worker, body.responsible_worker
    return f"responsible worker {previous} → {body.responsible_worker}"


def withdraw_consent(state: CaseState, body: a.WithdrawConsent, actor: Actor, now: datetime) -> str:
    """Without consent the authorities may not share (secrecy): the cooperation ends."""
    state.consent_withdrawn_at = now
    close_case(state, CONSENT_WITHDRAWN, now)
    return "consent withdrawn: the cooperation ends"


def close_case(state: CaseState, reason: str | None, now: datetime) -> None:
    applications.end_application(state)
    state.closed_reason = reason
    state.closed_at = now
    state.partner_notices = []
    start_phase(state, Phase.CLOSED, now)


def close(state: CaseState, body: a.Close, actor: Actor, now: datetime) -> str:
    close_case(state, body.reason, now)
    return "closed without outcome"


def set_protected_identity(state: CaseState, body: a.SetProtectedIdentity, actor: Actor, now: datetime) -> str:
    state.participant = replace(state.participant, protected_identity=body.protected)
    return "identity protected (skyddade personuppgifter)" if body.protected else "identity protection lifted"


# Every action but apply-to-track (which waits for the track's answer) as one call:
# (state, body, actor, now) -> the timeline's summary of what was done.
ActionRule = Callable[[CaseState, Any, Actor, datetime], str]
RULES: dict[Action, ActionRule] = {
    Action.COMPLETE_INTRODUCTION: complete_introduction,
    Action.UPDATE_MAPPING: update_mapping,
    Action.PLAN_EFFORT: plan_effort,
    Action.COMPLETE_EFFORT: complete_effort,
    Action.RECORD_FOLLOW_UP: record_follow_up,
    Action.JOINT_STANDPOINT: joint_standpoint,
    Action.ANSWER_OFFER: answer_offer,
    Action.RECORD_EXIT: record_exit,
    Action.RECORD_OUTCOME_ATTEMPT: record_outcome_attempt,
    Action.RECORD_OUTCOME: record_outcome,
    Action.WITHDRAW: withdraw,
    Action.POSTPONE_REVIEW: postpone_review,
    Action.REACTIVATE: reactivate,
    Action.REASSIGN: reassign,
    Action.WITHDRAW_CONSENT: withdraw_consent,
    Action.CLOSE: close,
    Action.SET_PROTECTED_IDENTITY: set_protected_identity,
}
