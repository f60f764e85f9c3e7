"""A case's application to a job track, as the journey sees it: what the track's signals do
to the case, and which signal the case owes its track after a change.

The track owns the seats; the case only mirrors them. A message about another application
(an earlier one, or another track) is stale and changes nothing.
"""

from dataclasses import replace
from datetime import datetime

from workflows import process
from workflows.case import CaseState
from workflows.clocks import ClockName
from workflows.domain import Application, ApplicationStatus, Phase
from workflows.seat_messages import ApplicantRef, SeatMove, ToJourney, ToTrack, TrackNotice

WAITING_OR_OFFERED = frozenset({ApplicationStatus.WAITING, ApplicationStatus.OFFERED})
# An application in one of these still holds a place in line, an offer or a seat.
HOLDING = WAITING_OR_OFFERED | {ApplicationStatus.ADMITTED}


def is_about(app: Application | None, notice: TrackNotice) -> bool:
    return app is not None and app.track_id == notice.track_id and app.number == notice.application


def hear_from_track(state: CaseState, notice: TrackNotice, now: datetime) -> str | None:
    """Apply the track's signal; the timeline summary, or None when the signal is stale."""
    app = state.application
    if not is_about(app, notice) or app is None:
        return None
    in_selection = state.phase is Phase.TRACK_SELECTION
    if notice.signal is ToJourney.SEAT_OFFERED and in_selection and app.status is ApplicationStatus.WAITING:
        process.offer_seat(state, now)
        return f"seat offered on track {app.track_id}"
    if notice.signal is ToJourney.ADMITTED_BY_LEAD and in_selection and app.status in WAITING_OR_OFFERED:
        process.stop_clock(state, ClockName.OFFER_ANSWER)
        process.admit(state, now)
        return f"admitted to track {app.track_id} by the track lead: {notice.reason}"
    if notice.signal is ToJourney.DECLINED_BY_LEAD:
        return _declined_by_lead(state, app, notice, now)
    return None


def _declined_by_lead(state: CaseState, app: Application, notice: TrackNotice, now: datetime) -> str | None:
    summary = f"declined by the lead of track {app.track_id}: {notice.reason}"
    if state.phase is Phase.TRACK_SELECTION and app.status in WAITING_OR_OFFERED:
        process.stop_clock(state, ClockName.OFFER_ANSWER)
        state.application = replace(app, status=ApplicationStatus.DECLINED, reason=notice.reason)
        return summary
    if state.phase is Phase.TRACK and app.status is ApplicationStatus.ADMITTED and state.track_id == app.track_id:
        # The lead declined while the offer was being accepted: the track has no seat for the case.
        state.application = replace(app, status=ApplicationStatus.DECLINED, reason=notice.reason)
        state.track_id = None
        process.start_phase(state, Phase.TRACK_SELECTION, now)
        return summary
    return None


def owed_to_track(before: Application | None, before_phase: Phase, state: CaseState) -> SeatMove | None:
    """After a change of the case: the signal that tells its track a seat or place is taken or free."""
    if before is None or before.status not in HOLDING:
        return None
    after = state.application
    same = after is not None and after.track_id == before.track_id and after.number == before.number
    status = after.status if same and after is not None else None
    signal: ToTrack | None = None
    if before.status is ApplicationStatus.OFFERED and status is ApplicationStatus.ADMITTED:
        signal = ToTrack.OFFER_ACCEPTED
    elif before.status is ApplicationStatus.OFFERED and status is ApplicationStatus.DECLINED:
        signal = ToTrack.OFFER_DECLINED
    elif before.status is ApplicationStatus.OFFERED and status is ApplicationStatus.EXPIRED:
        signal = ToTrack.OFFER_EXPIRED
    elif before.status in WAITING_OR_OFFERED and status not in HOLDING:
        signal = ToTrack.APPLICANT_LEFT  # withdrawn, exited, closed, or declined by the lead
    elif before.status is ApplicationStatus.ADMITTED and before_phase is Phase.TRACK and state.phase is not Phase.TRACK:
        signal = ToTrack.APPLICANT_LEFT  # the participant left the track: the seat is free
    if signal is None:
        return None
    return SeatMove(before.track_id, signal, ApplicantRef(state.case_id, before.number))
