"""A case's application to a job track, as the case holds it: offered, admitted, expired or
given up. The track owns the seats; the case only mirrors them (see track_link)."""

from dataclasses import replace
from datetime import datetime

from workflows.calendar import working_days_after
from workflows.case import CaseState
from workflows.clocks import ClockName
from workflows.domain import ApplicationStatus, Phase
from workflows.phases import AGREEMENTS, start_clock, start_phase, stop_clock

WAITING_OR_OFFERED = frozenset({ApplicationStatus.WAITING, ApplicationStatus.OFFERED})
# An application in one of these still holds a place in line, an offer or a seat.
HOLDING = WAITING_OR_OFFERED | {ApplicationStatus.ADMITTED}


def offer_seat(state: CaseState, now: datetime) -> None:
    """A seat is offered: the case worker must record the participant's answer in time. The
    task opens the moment the offer is made (not two days before it expires)."""
    app = state.application
    assert app is not None
    answer_by = working_days_after(now, state.policy.offer_answer_time)
    state.application = replace(app, status=ApplicationStatus.OFFERED, offered_at=now, answer_by=answer_by)
    remind_at = now if state.revision >= AGREEMENTS else None
    start_clock(state, ClockName.OFFER_ANSWER, now, answer_by, remind_at=remind_at)


def admit(state: CaseState, now: datetime) -> None:
    app = state.application
    assert app is not None
    state.application = replace(app, status=ApplicationStatus.ADMITTED)
    state.track_id = app.track_id
    start_phase(state, Phase.TRACK, now)


def expire_offer(state: CaseState) -> None:
    app = state.application
    if app is not None and app.status is ApplicationStatus.OFFERED:
        state.application = replace(app, status=ApplicationStatus.EXPIRED)
    stop_clock(state, ClockName.OFFER_ANSWER)


def end_application(state: CaseState) -> None:
    """Leaving track selection or the track gives up any offer or waiting place."""
    app = state.application
    if app is not None and app.status in WAITING_OR_OFFERED:
        state.application = replace(app, status=ApplicationStatus.WITHDRAWN)
