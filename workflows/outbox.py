"""What a case owes the outside world after a change, as pure functions of its state: the read
model's snapshot with the open tasks, the reminders and notices to deliver, and the search
attributes to set. The journey only carries them out (activities, upserts)."""

from dataclasses import fields
from datetime import datetime
from typing import Any

from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

from workflows.applications import WAITING_OR_OFFERED
from workflows.calendar import local_today
from workflows.case import CaseState
from workflows.clocks import TASK_KIND, Alarm, Stage, alarm_time
from workflows.domain import Audience, PartnerNotice, Status, TaskKind
from workflows.effects import (
    GENDER,
    NEXT_DUE_AT,
    OVERDUE,
    PHASE,
    RESPONSIBLE_WORKER,
    TARGET_GROUPS,
    TRACK_ID,
    CaseRow,
    CaseSnapshot,
    Notice,
    TaskSpec,
)
from workflows.initials import initials
from workflows.mapping import target_groups
from workflows.views import row_of, target_group_words, view_of

ESCALATION_AUDIENCE = {Stage.ESCALATE: Audience.COORDINATOR, Stage.ESCALATE_SUPERVISOR: Audience.SUPERVISOR}
NOTICE_STAGE = "notice"  # a partner notice is no clock's stage: it is sent once, when made


def open_tasks(state: CaseState) -> list[TaskSpec]:
    """Every task the case has open; the read model closes those no longer listed."""
    tasks: list[TaskSpec] = []
    for clock in state.clocks.values():
        base = f"{state.case_id}:{clock.name.value}:{clock.seq}"
        kind = TASK_KIND[clock.name]
        if Stage.REMIND in clock.fired:
            tasks.append(TaskSpec(base, kind, clock.name.value, clock.due_at, Audience.RESPONSIBLE, clock.overdue))
        for stage, audience in ESCALATION_AUDIENCE.items():
            if stage in clock.fired:
                at = alarm_time(clock, stage, state.policy)
                tasks.append(TaskSpec(f"{base}:{stage.value}", TaskKind.ESCALATION, kind, at, audience, True))
    app = state.application
    if app is not None and app.status in WAITING_OR_OFFERED:
        # The track lead's: an applicant to look at, until placed, declined or gone (000, 002).
        key = f"{state.case_id}:new_applicant:{app.track_id}:{app.number}"
        tasks.append(TaskSpec(key, TaskKind.NEW_APPLICANT, app.track_id, app.applied_at, Audience.TRACK_LEAD, False))
    for notice in state.partner_notices:
        tasks.append(
            TaskSpec(
                notice.key,
                TaskKind.PARTNER_NOTICE,
                notice.about,
                notice.at,
                Audience.PARTNER,
                False,
                organisation=notice.organisation,
            )
        )
    return tasks


def _notice(state: CaseState, key: str, audience: Audience, kind: TaskKind, stage: str, due_at: datetime) -> Notice:
    p = state.participant
    return Notice(
        key,
        state.case_id,
        state.municipality,
        state.responsible_worker,
        audience,
        kind,
        stage,
        due_at,
        initials(p.given_name, p.family_name),
    )


def alarm_notice(state: CaseState, alarm: Alarm) -> Notice:
    """The reminder or escalation an alarm of a clock sends."""
    clock = state.clocks[alarm.clock]
    key = f"{state.case_id}:{alarm.clock.value}:{clock.seq}:{alarm.stage.value}"
    audience = ESCALATION_AUDIENCE.get(alarm.stage, Audience.RESPONSIBLE)
    return _notice(state, key, audience, TASK_KIND[alarm.clock], alarm.stage.value, clock.due_at)


def partner_notices_made(state: CaseState, known: list[PartnerNotice]) -> list[Notice]:
    """The mails owed for partner notices made since `known` (the notices before a change)."""
    before = {n.key for n in known}
    made = [n for n in state.partner_notices if n.key not in before]
    notices = []
    for n in made:
        notice = _notice(state, n.key, Audience.PARTNER, TaskKind.PARTNER_NOTICE, NOTICE_STAGE, n.at)
        notice.organisation, notice.about = n.organisation, n.about
        notices.append(notice)
    return notices


def snapshot(state: CaseState, now: datetime) -> CaseSnapshot:
    """The read model's row and open tasks; the whole view only at the close."""
    row = row_of(state, now)
    final_view = view_of(state, now) if state.status is Status.CLOSED else None
    values = {f.name: getattr(row, f.name) for f in fields(CaseRow)}
    return CaseSnapshot(**values, tasks=open_tasks(state), final_view=final_view)


def kept_search_attributes(
    state: CaseState, now: datetime, *, with_groups: bool = True
) -> list[tuple[SearchAttributeKey[Any], Any]]:
    """The case's search attributes as its journey keeps them (None: unset); the API sets the
    first state's with the start (services.journeys.start_journey).

    `with_groups`: also the target groups and gender (cases running on code from before they
    existed do not set them, or their replay would differ)."""
    kept: list[tuple[SearchAttributeKey[Any], Any]] = [
        (PHASE, state.phase.value),
        (TRACK_ID, state.track_id),
        (RESPONSIBLE_WORKER, state.responsible_worker),
        (NEXT_DUE_AT, state.next_due_at),
        (OVERDUE, state.overdue),
    ]
    if with_groups:
        groups = target_groups(state.participant, state.mapping, local_today(now))
        kept += [(TARGET_GROUPS, target_group_words(groups)), (GENDER, state.participant.gender.value)]
    return kept


def search_attribute_updates(
    known: dict[str, Any], state: CaseState, now: datetime, *, with_groups: bool = True
) -> list[SearchAttributeUpdate[Any]]:
    """Updates of the case's search attributes (`kept_search_attributes`) that differ from
    `known` (updated in place)."""
    updates: list[SearchAttributeUpdate[Any]] = []
    for key, value in kept_search_attributes(state, now, with_groups=with_groups):
        if known.get(key.name, ...) == value:
            continue
        known[key.name] = value
        updates.append(key.value_unset() if value is None else key.value_set(value))
    return updates


def first_search_attributes(state: CaseState, now: datetime) -> dict[str, Any]:
    """What the first outbox pass would set, by name (None: left unset): the API sets them with
    the start, and the journey counts them as known."""
    return {key.name: value for key, value in kept_search_attributes(state, now)}
