"""Entering a phase and the clocks each phase runs; the timeline; a case's opening.

Pure: every function takes the case state and the time and changes nothing outside it.
"""

from datetime import datetime, timedelta

from workflows.calendar import STOCKHOLM, WORKDAY_START, due_after, due_after_period
from workflows.case import REMEMBERED_UPDATES, CaseState
from workflows.clocks import PROGRAMME_ENDING_AHEAD, Clock, ClockName
from workflows.domain import Actor, CaseOpening, Phase, TimelineEntry
from workflows.mapping import new_to_sfi

# Process revisions. A case keeps the revision it was opened under (the journey asks
# `workflow.patched` once, at the opening), so a history recorded before a revision replays.
# 1 — the process as the agreements write it: programme time, the offer's task at once,
#     partner notices on withdrawal and reactivation.
AGREEMENTS = 1
LATEST = AGREEMENTS

EXIT_PHASES = frozenset(
    {Phase.INTRODUCTION, Phase.PREPARATORY, Phase.TRACK_SELECTION, Phase.TRACK, Phase.LONG_TERM_PLAN}
)
# Phases whose clocks include the continuous follow-up (kontinuerlig uppföljning).
FOLLOWED_UP = EXIT_PHASES
# Before the joint standpoint the programme time runs towards its end (004, 003).
BEFORE_STANDPOINT = frozenset({Phase.INTRODUCTION, Phase.PREPARATORY})


def initial_state(opening: CaseOpening, now: datetime, revision: int = 0) -> CaseState:
    o = opening
    state = CaseState(
        o.case_id, o.municipality, o.responsible_worker, o.participant, o.mapping, o.policy, now, o.opened_by
    )
    state.revision = revision
    start_phase(state, Phase.INTRODUCTION, now)
    record(state, now, state.opened_by, "open", "case opened", None)
    return state


def start_clock(
    state: CaseState, name: ClockName, started_at: datetime, due_at: datetime, remind_at: datetime | None = None
) -> None:
    state.clock_seq += 1
    state.clocks[name] = Clock(name, state.clock_seq, started_at, due_at, remind_at=remind_at)


def stop_clock(state: CaseState, name: ClockName) -> None:
    state.clocks.pop(name, None)


def start_follow_up_clock(state: CaseState, now: datetime) -> None:
    start_clock(state, ClockName.FOLLOW_UP, now, due_after(now, state.policy.follow_up_interval))


def programme_end_at(state: CaseState) -> datetime:
    """24 months (the policy's programme_time) from the establishment programme's start when
    recorded, else from the opening."""
    start = state.mapping.establishment_start if state.mapping.newly_arrived else None
    began = state.opened_at if start is None else datetime.combine(start, WORKDAY_START, STOCKHOLM)
    return due_after_period(began, state.policy.programme_time)


def start_programme_clock(state: CaseState, now: datetime) -> None:
    due = programme_end_at(state)
    start_clock(state, ClockName.PROGRAMME_END, now, due, remind_at=due - PROGRAMME_ENDING_AHEAD)


def introduction_time(state: CaseState) -> timedelta:
    rule = state.policy.introduction_new_to_sfi
    return rule if rule is not None and new_to_sfi(state.mapping) else state.policy.introduction


def start_phase(state: CaseState, phase: Phase, now: datetime) -> None:
    """Enter a phase: each phase runs the clocks the programme gives it, and only those."""
    state.phase = phase
    for name in list(state.clocks):
        keep_follow_up = name is ClockName.FOLLOW_UP and phase in FOLLOWED_UP
        keep_programme = name is ClockName.PROGRAMME_END and phase in BEFORE_STANDPOINT
        if not (keep_follow_up or keep_programme):
            stop_clock(state, name)
    if phase is Phase.INTRODUCTION:
        start_clock(state, ClockName.INTRODUCTION, now, due_after(now, introduction_time(state)))
    if phase in FOLLOWED_UP and ClockName.FOLLOW_UP not in state.clocks:
        start_follow_up_clock(state, now)
    if state.revision >= AGREEMENTS and phase in BEFORE_STANDPOINT and ClockName.PROGRAMME_END not in state.clocks:
        start_programme_clock(state, now)


def record(state: CaseState, now: datetime, actor: Actor | str, action: str, summary: str, note: str | None) -> None:
    """A change in the timeline, with its actor; the version grows with every change. The
    partner organisation has taken note of a notice once someone of it acts on the case."""
    name = actor if isinstance(actor, str) else actor.username
    state.timeline.append(TimelineEntry(now, name, action, summary, note))
    state.version += 1
    if isinstance(actor, Actor):
        state.partner_notices = [n for n in state.partner_notices if n.organisation != actor.organisation]


def remember_update(state: CaseState, update_id: str) -> None:
    state.applied_updates.append(update_id)
    del state.applied_updates[:-REMEMBERED_UPDATES]

