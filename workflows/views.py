"""The one place a case's state is mapped for the outside: the view clients read (the query,
every action's answer, the stored view of a closed case) and the read model's row, which is
taken from the view."""

from dataclasses import fields
from datetime import datetime

from workflows.calendar import local_today
from workflows.case import CaseState, CaseView
from workflows.domain import Consent, TargetGroup, TargetGroups
from workflows.effects import CaseRow
from workflows.mapping import age_group, target_groups
from workflows.phases import programme_end_at
from workflows.refusals import allowed_actions

# Row columns named as in the view are copied from it.
_VIEW_FIELDS = frozenset(f.name for f in fields(CaseView))


def view_of(state: CaseState, now: datetime) -> CaseView:
    """`now` dates the age and so the age group, youth and KAA."""
    p, m = state.participant, state.mapping
    day = local_today(now)
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
        mapping=m,
        target_groups=target_groups(p, m, day),
        age_group=age_group(p.birth_date, day),
        protected_identity=p.protected_identity,
        consent=Consent(m.consent_to_share, state.opened_at, state.opened_by.username, state.consent_withdrawn_at),
        outcome_attempts=state.outcome_attempts,
        programme_ends_on=local_today(programme_end_at(state)),
    )


def target_group_words(groups: TargetGroups) -> list[str]:
    """The case's target groups as the search attribute lists them."""
    return [g.value for g in TargetGroup if getattr(groups, g.value)]


def row_of(state: CaseState, now: datetime) -> CaseRow:
    view, app = view_of(state, now), state.application
    shared = {f.name: getattr(view, f.name) for f in fields(CaseRow) if f.name in _VIEW_FIELDS}
    groups = view.target_groups
    timed = [f for f in state.follow_ups if f.due_on is not None]
    opened_on = local_today(state.opened_at)
    return CaseRow(
        **shared
        | {
            "phase": view.phase.value,
            "status": view.status.value,
            "exit_reason": view.exit_reason.value if view.exit_reason else None,
            "outcome": view.outcome.value if view.outcome else None,
            "age_group": view.age_group.value if view.age_group else "",
            "youth": groups.youth,
            "kaa": groups.kaa,
            "newly_arrived": groups.newly_arrived,
            "social_assistance": groups.social_assistance,
            "disability": groups.disability,
        },
        birth_date=state.participant.birth_date,
        application_track_id=app.track_id if app else None,
        application_status=app.status.value if app else None,
        next_due_at=state.next_due_at,
        closed_at=state.closed_at,
        follow_ups_due=len(timed),
        follow_ups_on_time=sum(1 for f in timed if f.due_on is not None and f.held_on <= f.due_on),
        days_in_programme=(state.exited_on - opened_on).days if state.exited_on else None,
    )
