"""What the journey refuses, before anything is written: the phases each action is allowed in
(`PHASES_OF`), the actions that are one organisation's decision (`DECISION_RIGHTS`), who may
change a protected identity, and input the case cannot take. Pure: the case state and the time
in, a `Refused` out (workflows/process.py says what an allowed action does).
"""

from dataclasses import dataclass
from datetime import date, datetime

from workflows import actions as a
from workflows import applications, mapping
from workflows.actions import Action
from workflows.calendar import local_today
from workflows.case import CaseState
from workflows.domain import (
    AF,
    Actor,
    ApplicationStatus,
    OutcomeStatus,
    Phase,
)
from workflows.phases import (
    EXIT_PHASES,
)
from workflows.words import N_

OPEN_PHASES = frozenset(Phase) - {Phase.CLOSED}
EFFORT_PHASES = frozenset({Phase.INTRODUCTION, Phase.PREPARATORY, Phase.LONG_TERM_PLAN, Phase.TRACK})
MIN_WITHDRAWAL_ATTEMPTS = 2  # "genom upprepade försök" (002)
MIN_OUTCOME_ATTEMPTS = 2  # before the 90-day check may say not_reached

PHASES_OF: dict[Action, frozenset[Phase]] = {
    Action.COMPLETE_INTRODUCTION: frozenset({Phase.INTRODUCTION}),
    Action.UPDATE_MAPPING: OPEN_PHASES,
    Action.PLAN_EFFORT: EFFORT_PHASES,
    Action.COMPLETE_EFFORT: EFFORT_PHASES,
    Action.RECORD_FOLLOW_UP: OPEN_PHASES,
    Action.JOINT_STANDPOINT: frozenset({Phase.PREPARATORY, Phase.LONG_TERM_PLAN}),
    Action.APPLY_TO_TRACK: frozenset({Phase.TRACK_SELECTION}),
    Action.ANSWER_OFFER: frozenset({Phase.TRACK_SELECTION}),
    # A paused person who finds a job still gets the 90-day check.
    Action.RECORD_EXIT: EXIT_PHASES | {Phase.WITHDRAWN},
    Action.RECORD_OUTCOME_ATTEMPT: frozenset({Phase.EXITED}),
    Action.RECORD_OUTCOME: frozenset({Phase.EXITED}),
    Action.WITHDRAW: OPEN_PHASES - {Phase.EXITED, Phase.WITHDRAWN},
    Action.POSTPONE_REVIEW: frozenset({Phase.WITHDRAWN}),
    Action.REACTIVATE: frozenset({Phase.WITHDRAWN}),
    Action.REASSIGN: OPEN_PHASES,
    Action.WITHDRAW_CONSENT: OPEN_PHASES,
    Action.CLOSE: OPEN_PHASES,
    Action.SET_PROTECTED_IDENTITY: OPEN_PHASES,
}


@dataclass(frozen=True)
class DecisionRight:
    """An action that only one organisation's staff may take; `rule` names it in a 403."""

    rule: str
    organisation: str
    why: str

    def allows(self, actor: Actor) -> bool:
        return actor.organisation == self.organisation


# Arbetsförmedlingen owns the process (000). Every action not listed: the case workers (and
# coordinators) in scope. The next rule is one line.
DECISION_RIGHTS: dict[Action, DecisionRight] = {
    Action.JOINT_STANDPOINT: DecisionRight(
        "joint_standpoint_by_af",
        AF,
        N_("the joint standpoint is taken by Arbetsförmedlingen with the participant (003)"),
    ),
    Action.WITHDRAW: DecisionRight(
        "withdrawal_by_af", AF, N_("withdrawing the programme is Arbetsförmedlingen's judgement (002)")
    ),
}


# Who may name the participant may change whether others can: the responsible worker, and
# Arbetsförmedlingen, which owns the process (000). Others read "protected" and cannot lift it.
PROTECTION_RULE = "protected_identity_by_responsible_or_af"


def may_change_protection(responsible_worker: str, actor: Actor) -> bool:
    return actor.username == responsible_worker or actor.organisation == AF


def withheld_by(actor: Actor, action: Action) -> DecisionRight | None:
    """The decision right that keeps `action` from `actor` (another organisation's decision), if any."""
    right = DECISION_RIGHTS.get(action)
    return None if right is None or right.allows(actor) else right


class Refused(Exception):
    def __init__(self, refusal: a.Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def allowed_actions(state: CaseState) -> list[Action]:
    allowed = [action for action, phases in PHASES_OF.items() if state.phase in phases]
    app = state.application
    has_offer = app is not None and app.status is ApplicationStatus.OFFERED
    has_open_application = app is not None and app.status in applications.WAITING_OR_OFFERED
    if not has_offer:
        allowed = [x for x in allowed if x is not Action.ANSWER_OFFER]
    if has_open_application or state.applying_to is not None:
        # One application at a time: a participant never holds two places.
        allowed = [x for x in allowed if x is not Action.APPLY_TO_TRACK]
    return allowed


def _invalid(state: CaseState, field: str, message: str) -> Refused:
    return Refused(a.Refusal("invalid", message, state.phase.value, field=field))


def check(state: CaseState, action: Action, body: a.ActionBody, actor: Actor, now: datetime) -> None:
    """Refuse, before anything is written, what the actor may not decide, what the phase does
    not allow, and input the case cannot take."""
    right = withheld_by(actor, action)
    if right is not None:
        # reason: a page says it with its values (core/i18n.py)
        message = N_("%(action)s is not yours to decide: %(why)s") % {"action": action.value, "why": right.why}
        raise Refused(a.Refusal("forbidden", message, state.phase.value, rule=right.rule))
    if action is Action.SET_PROTECTED_IDENTITY and not may_change_protection(state.responsible_worker, actor):
        message = N_("only the responsible case worker or Arbetsförmedlingen changes a protected identity")
        raise Refused(a.Refusal("forbidden", message, state.phase.value, rule=PROTECTION_RULE))
    allowed = allowed_actions(state)
    if action not in allowed:
        raise Refused(
            a.Refusal(
                "not_allowed",
                # reason: a page says it with its values (core/i18n.py)
                N_("%(action)s is not allowed in phase %(phase)s")
                % {"action": action.value, "phase": state.phase.value},
                state.phase.value,
                [x.value for x in allowed],
            )
        )
    bad = bad_input(state, body, local_today(now))
    if bad is not None:
        raise _invalid(state, *bad)


def bad_input(state: CaseState, body: a.ActionBody, today: date) -> tuple[str, str] | None:
    """(field, message) for input the case cannot take; None when it can."""
    match body:
        case a.PlanEffort(starts_on=starts, ends_on=ends) if ends is not None and ends < starts:
            return "ends_on", N_("ends_on is before starts_on")
        case a.CompleteEffort(effort_id=effort_id):
            effort = next((e for e in state.efforts if e.effort_id == effort_id), None)
            if effort is None:
                # reason: a page says it with its values (core/i18n.py)
                return "effort_id", N_("no effort %(effort_id)s in this case") % {"effort_id": effort_id}
            if effort.completed_at is not None:
                # reason: a page says it with its values (core/i18n.py)
                return "effort_id", N_("effort %(effort_id)s is already completed") % {"effort_id": effort_id}
        case a.RecordFollowUp(held_on=held_on) if held_on > today:
            return "held_on", N_("held_on is in the future")
        case a.RecordExit(exited_on=exited_on) if exited_on is not None and exited_on > today:
            return "exited_on", N_("exited_on is in the future")
        case a.RecordOutcomeAttempt(on=on) if on > today:
            return "on", N_("on is in the future")
        case a.RecordOutcome(status=OutcomeStatus.NOT_REACHED) if len(state.outcome_attempts) < MIN_OUTCOME_ATTEMPTS:
            # reason: a page says it with its values (core/i18n.py)
            too_few = N_("not_reached needs at least %(count)s recorded attempts to reach them")
            return "status", too_few % {"count": MIN_OUTCOME_ATTEMPTS}
        case a.Withdraw():
            return _bad_withdrawal(body, today)
        case a.PostponeReview(review_on=review_on) if review_on <= today:
            return "review_on", N_("review_on must be after today")
        case a.UpdateMapping() if not mapping.changes(body):
            return "body", N_("no mapping field given")
        case a.SetProtectedIdentity(protected=protected) if protected == state.participant.protected_identity:
            if protected:
                return "protected", N_("the identity is already protected")
            return "protected", N_("the identity is already not protected")
        case a.Reassign(responsible_worker=worker) if worker == state.responsible_worker:
            return "responsible_worker", N_("already the responsible worker")
        case _:
            pass
    if isinstance(body, a.MappingChange):
        return mapping.invalid_change(state.mapping, body)
    return None


def _bad_withdrawal(body: a.Withdraw, today: date) -> tuple[str, str] | None:
    if len(body.attempts) < MIN_WITHDRAWAL_ATTEMPTS:
        # reason: a page says it with its values (core/i18n.py)
        too_few = N_("at least %(count)s attempts must come before a withdrawal (002)")
        return "attempts", too_few % {"count": MIN_WITHDRAWAL_ATTEMPTS}
    if any(attempt.on > today for attempt in body.attempts):
        return "attempts", N_("an attempt is dated in the future")
    if not body.reactivation.strip():
        return "reactivation", N_("say how the case is taken up again")
    if body.review_on is not None and body.review_on <= today:
        return "review_on", N_("review_on must be after today")
    return None


# --- the actions --------------------------------------------------------------------------

