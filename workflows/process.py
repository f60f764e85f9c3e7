"""The journey of programme.md as pure rules: which action each phase allows, and what it does.

Every function here takes the case state and the time and changes nothing outside it; the
workflow wires them to Temporal updates and timers.
"""

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from workflows import actions as a
from workflows.actions import Action
from workflows.calendar import (
    due_after,
    due_on_day,
    is_whole_days,
    local_today,
    working_days_after,
)
from workflows.case import REMEMBERED_UPDATES, CaseState, CaseView
from workflows.clocks import Clock, ClockName
from workflows.domain import (
    Actor,
    Application,
    ApplicationStatus,
    Effort,
    ExitReason,
    FollowUp,
    Phase,
    Standpoint,
    TimelineEntry,
    Withdrawal,
)

OPEN_PHASES = frozenset(Phase) - {Phase.CLOSED}
EFFORT_PHASES = frozenset({Phase.INTRODUCTION, Phase.PREPARATORY, Phase.LONG_TERM_PLAN, Phase.TRACK})
EXIT_PHASES = frozenset(
    {Phase.INTRODUCTION, Phase.PREPARATORY, Phase.TRACK_SELECTION, Phase.TRACK, Phase.LONG_TERM_PLAN}
)
# Phases whose clocks include the continuous follow-up (kontinuerlig uppföljning).
FOLLOWED_UP = EXIT_PHASES

PHASES_OF: dict[Action, frozenset[Phase]] = {
    Action.COMPLETE_INTRODUCTION: frozenset({Phase.INTRODUCTION}),
    Action.PLAN_EFFORT: EFFORT_PHASES,
    Action.COMPLETE_EFFORT: EFFORT_PHASES,
    Action.RECORD_FOLLOW_UP: OPEN_PHASES,
    Action.JOINT_STANDPOINT: frozenset({Phase.PREPARATORY, Phase.LONG_TERM_PLAN}),
    Action.APPLY_TO_TRACK: frozenset({Phase.TRACK_SELECTION}),
    Action.ANSWER_OFFER: frozenset({Phase.TRACK_SELECTION}),
    Action.RECORD_EXIT: EXIT_PHASES,
    Action.RECORD_OUTCOME: frozenset({Phase.EXITED}),
    Action.WITHDRAW: OPEN_PHASES - {Phase.EXITED, Phase.WITHDRAWN},
    Action.REACTIVATE: frozenset({Phase.WITHDRAWN}),
    Action.REASSIGN: OPEN_PHASES,
    Action.CLOSE: OPEN_PHASES,
}

ACTIVE_APPLICATION = frozenset({ApplicationStatus.OFFERED, ApplicationStatus.WAITING})


class Refused(Exception):
    def __init__(self, refusal: a.Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def allowed_actions(state: CaseState) -> list[Action]:
    allowed = [action for action, phases in PHASES_OF.items() if state.phase in phases]
    app = state.application
    has_offer = app is not None and app.status is ApplicationStatus.OFFERED
    has_open_application = app is not None and app.status in ACTIVE_APPLICATION
    if not has_offer:
        allowed = [x for x in allowed if x is not Action.ANSWER_OFFER]
    if has_open_application:
        allowed = [x for x in allowed if x is not Action.APPLY_TO_TRACK]
    return allowed


def _invalid(state: CaseState, field: str, message: str) -> Refused:
    return Refused(a.Refusal("invalid", message, state.phase.value, field=field))


def check(state: CaseState, action: Action, body: a.ActionBody, now: datetime) -> None:
    """Refuse, before anything is written, what the phase or the case does not allow."""
    allowed = allowed_actions(state)
    if action not in allowed:
        raise Refused(
            a.Refusal(
                "not_allowed",
                f"{action.value} is not allowed in phase {state.phase.value}",
                state.phase.value,
                [x.value for x in allowed],
            )
        )
    today = local_today(now)
    match body:
        case a.PlanEffort(starts_on=starts, ends_on=ends) if ends is not None and ends < starts:
            raise _invalid(state, "ends_on", "ends_on is before starts_on")
        case a.CompleteEffort(effort_id=effort_id):
            effort = next((e for e in state.efforts if e.effort_id == effort_id), None)
            if effort is None:
                raise _invalid(state, "effort_id", f"no effort {effort_id} in this case")
            if effort.completed_at is not None:
                raise _invalid(state, "effort_id", f"effort {effort_id} is already completed")
        case a.RecordFollowUp(held_on=held_on) if held_on > today:
            raise _invalid(state, "held_on", "held_on is in the future")
        case a.RecordExit(exited_on=exited_on) if exited_on is not None and exited_on > today:
            raise _invalid(state, "exited_on", "exited_on is in the future")
        case a.Withdraw(review_on=review_on) if review_on is not None and review_on <= today:
            raise _invalid(state, "review_on", "review_on must be after today")
        case a.Reassign(responsible_worker=worker) if worker == state.responsible_worker:
            raise _invalid(state, "responsible_worker", "already the responsible worker")
        case _:
            pass


# --- clocks -------------------------------------------------------------------------------


def start_clock(state: CaseState, name: ClockName, started_at: datetime, due_at: datetime) -> None:
    state.clock_seq += 1
    state.clocks[name] = Clock(name, state.clock_seq, started_at, due_at)


def stop_clock(state: CaseState, name: ClockName) -> None:
    state.clocks.pop(name, None)


def start_follow_up_clock(state: CaseState, now: datetime) -> None:
    start_clock(state, ClockName.FOLLOW_UP, now, due_after(now, state.policy.follow_up_interval))


def start_phase(state: CaseState, phase: Phase, now: datetime) -> None:
    """Enter a phase: each phase runs the clocks the programme gives it, and only those."""
    state.phase = phase
    for name in list(state.clocks):
        keep_follow_up = name is ClockName.FOLLOW_UP and phase in FOLLOWED_UP
        if not keep_follow_up:
            stop_clock(state, name)
    if phase is Phase.INTRODUCTION:
        start_clock(state, ClockName.INTRODUCTION, now, due_after(now, state.policy.introduction))
    if phase in FOLLOWED_UP and ClockName.FOLLOW_UP not in state.clocks:
        start_follow_up_clock(state, now)


def open_case(state: CaseState, now: datetime) -> None:
    start_phase(state, Phase.INTRODUCTION, now)
    record(state, now, state.opened_by, "open", "case opened", None)


# --- the actions --------------------------------------------------------------------------


def record(state: CaseState, now: datetime, actor: Actor | str, action: str, summary: str, note: str | None) -> None:
    name = actor if isinstance(actor, str) else actor.username
    state.timeline.append(TimelineEntry(now, name, action, summary, note))
    state.version += 1


def remember_update(state: CaseState, update_id: str) -> None:
    state.applied_updates.append(update_id)
    del state.applied_updates[:-REMEMBERED_UPDATES]


def complete_introduction(state: CaseState, body: a.CompleteIntroduction, actor: Actor, now: datetime) -> str:
    start_phase(state, Phase.PREPARATORY, now)
    return "introduction completed"


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
    state.follow_ups.append(
        FollowUp(body.held_on, list(body.attendees), body.progress, body.next_steps, actor.username, body.note)
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
        offer_seat(state, now)
    elif status is ApplicationStatus.ADMITTED:
        admit(state, now)
    return f"applied to track {body.track_id}: {status.value}"


def offer_seat(state: CaseState, now: datetime) -> None:
    """A seat is offered: the case worker must record the participant's answer in time."""
    app = state.application
    assert app is not None
    answer_by = working_days_after(now, state.policy.offer_answer_time)
    state.application = replace(app, status=ApplicationStatus.OFFERED, offered_at=now, answer_by=answer_by)
    start_clock(state, ClockName.OFFER_ANSWER, now, answer_by)


def admit(state: CaseState, now: datetime) -> None:
    app = state.application
    assert app is not None
    state.application = replace(app, status=ApplicationStatus.ADMITTED)
    state.track_id = app.track_id
    start_phase(state, Phase.TRACK, now)


def answer_offer(state: CaseState, body: a.AnswerOffer, actor: Actor, now: datetime) -> str:
    app = state.application
    assert app is not None
    stop_clock(state, ClockName.OFFER_ANSWER)
    if body.accept:
        admit(state, now)
        return f"offer of track {app.track_id} accepted"
    state.application = replace(app, status=ApplicationStatus.DECLINED)
    return f"offer of track {app.track_id} declined"


def expire_offer(state: CaseState) -> None:
    app = state.application
    if app is not None and app.status is ApplicationStatus.OFFERED:
        state.application = replace(app, status=ApplicationStatus.EXPIRED)
    stop_clock(state, ClockName.OFFER_ANSWER)


def end_application(state: CaseState) -> None:
    """Leaving track selection or the track gives up any offer or waiting place."""
    app = state.application
    if app is not None and app.status in ACTIVE_APPLICATION:
        state.application = replace(app, status=ApplicationStatus.WITHDRAWN)


def exit_programme(state: CaseState, reason: ExitReason, exited_on: date | None, now: datetime) -> None:
    exited_day = exited_on or local_today(now)
    end_application(state)
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


def record_outcome(state: CaseState, body: a.RecordOutcome, actor: Actor, now: datetime) -> str:
    state.outcome = body.status
    close_case(state, None, now)
    return f"outcome after exit: {body.status.value}"


def withdraw(state: CaseState, body: a.Withdraw, actor: Actor, now: datetime) -> str:
    end_application(state)
    if body.review_on is not None:
        review_day = body.review_on
        review_at = due_on_day(review_day, now)
    else:
        review_at = due_after(now, state.policy.withdrawn_review)
        review_day = local_today(review_at)
    state.withdrawal = Withdrawal(body.reason, body.conditions, review_day, now, state.phase)
    start_phase(state, Phase.WITHDRAWN, now)
    start_clock(state, ClockName.REVIEW, now, review_at)
    return f"programme withdrawn; review on {review_day.isoformat()}"


def reactivate(state: CaseState, body: a.Reactivate, actor: Actor, now: datetime) -> str:
    if state.withdrawal is not None:
        state.past_withdrawals.append(state.withdrawal)
    state.withdrawal = None
    phase = Phase(body.resume_phase)
    if phase is Phase.TRACK_SELECTION:
        state.application = None
    state.track_id = None
    start_phase(state, phase, now)
    return f"reactivated at {phase.value}"


def reassign(state: CaseState, body: a.Reassign, actor: Actor, now: datetime) -> str:
    previous, state.responsible_worker = state.responsible_worker, body.responsible_worker
    return f"responsible worker {previous} → {body.responsible_worker}"


def close_case(state: CaseState, reason: str | None, now: datetime) -> None:
    end_application(state)
    state.closed_reason = reason
    state.closed_at = now
    start_phase(state, Phase.CLOSED, now)


def close(state: CaseState, body: a.Close, actor: Actor, now: datetime) -> str:
    close_case(state, body.reason, now)
    return "closed without outcome"


# Every action but apply-to-track (which waits for the track's answer) as one call:
# (state, body, actor, now) -> the timeline's summary of what was done.
ActionRule = Callable[[CaseState, Any, Actor, datetime], str]
RULES: dict[Action, ActionRule] = {
    Action.COMPLETE_INTRODUCTION: complete_introduction,
    Action.PLAN_EFFORT: plan_effort,
    Action.COMPLETE_EFFORT: complete_effort,
    Action.RECORD_FOLLOW_UP: record_follow_up,
    Action.JOINT_STANDPOINT: joint_standpoint,
    Action.ANSWER_OFFER: answer_offer,
    Action.RECORD_EXIT: record_exit,
    Action.RECORD_OUTCOME: record_outcome,
    Action.WITHDRAW: withdraw,
    Action.REACTIVATE: reactivate,
    Action.REASSIGN: reassign,
    Action.CLOSE: close,
}


def view(state: CaseState) -> CaseView:
    p, m = state.participant, state.mapping
    return CaseView(
        case_id=state.case_id,
        phase=state.phase,
        status=state.status,
        municipality=state.municipality,
        responsible_worker=state.responsible_worker,
        given_name=p.given_name,
        family_name=p.family_name,
        gender=p.gender.value,
        birth_year=p.birth_date.year,
        education_level=m.education_level.value,
        swedish_level=m.swedish_level.value,
        experience=[x.value for x in m.experience],
        driving_licence=m.driving_licence,
        referral_purpose=m.referral_purpose,
        opened_at=state.opened_at,
        track_id=state.track_id,
        application=state.application,
        efforts=state.efforts,
        follow_ups=state.follow_ups,
        standpoint=state.standpoint,
        withdrawal=state.withdrawal,
        due={name.value: clock.due_at for name, clock in state.clocks.items()},
        overdue=state.overdue,
        exit_reason=state.exit_reason,
        exited_on=state.exited_on,
        outcome=state.outcome,
        closed_reason=state.closed_reason,
        allowed_actions=[x.value for x in allowed_actions(state)],
        timeline=state.timeline,
        version=state.version,
    )
