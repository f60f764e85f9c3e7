"""The journey's link to its track, as pure functions: the seat request, what the track's
signals do to the case, and which signal the case owes its track after a change.

A message about another application (an earlier one, or another track) is stale and changes
nothing. The journey sends and receives; everything it decides is here.
"""

from dataclasses import replace
from datetime import datetime

from workflows import actions as a
from workflows.applications import HOLDING, WAITING_OR_OFFERED, admit, offer_seat
from workflows.case import CaseState
from workflows.clocks import ClockName
from workflows.domain import Application, ApplicationStatus, Phase
from workflows.effects import SeatRequest
from workflows.phases import start_phase, stop_clock
from workflows.seat_messages import ApplicantRef, SeatMove, ToJourney, ToTrack, TrackNotice


def seat_request(state: CaseState, body: a.ApplyToTrack, applied_at: datetime) -> SeatRequest:
    """The case's n-th application, with its current experience (the living mapping)."""
    experience = [x.value for x in state.mapping.experience]
    return SeatRequest(
        body.track_id, state.case_id, state.municipality, experience, applied_at, state.applications_made
    )


def heard_early(state: CaseState, notice: TrackNotice) -> bool:
    """The track speaks of the application it is still answering: hear it once the answer is in."""
    return state.applying_to == notice.track_id and state.applications_made == notice.application


def hear(state: CaseState, notice: TrackNotice, now: datetime) -> tuple[str | None, SeatMove | None]:
    """Apply the track's signal: the timeline summary (None when stale) and the signal owed back."""
    summary = hear_from_track(state, notice, now)
    if summary is not None:
        return summary, None
    app = state.application
    holding = is_about(app, notice) and app is not None and app.status in HOLDING
    if notice.signal is not ToJourney.DECLINED_BY_LEAD and not holding:
        # An offer or admission the case can no longer take: the track gives it to the next.
        return None, SeatMove(notice.track_id, ToTrack.APPLICANT_LEFT, ApplicantRef(notice.case_id, notice.application))
    return None, None


def left_while_answering(state: CaseState, track_id: str, number: int) -> SeatMove:
    """The case left track selection while the track answered: the place goes to the next."""
    return SeatMove(track_id, ToTrack.APPLICANT_LEFT, ApplicantRef(state.case_id, number))


def is_about(app: Application | None, notice: TrackNotice) -> bool:
    return app is not None and app.track_id == notice.track_id and app.number == notice.application


def hear_from_track(state: CaseState, notice: TrackNotice, now: datetime) -> str | None:
    """Apply the track's signal; the timeline summary, or None when the signal is stale."""
    app = state.application
    if not is_about(app, notice) or app is None:
        return None
    in_selection = state.phase is Phase.TRACK_SELECTION
    if notice.signal is ToJourney.SEAT_OFFERED and in_selection and app.status is ApplicationStatus.WAITING:
        offer_seat(state, now)
        return f"seat offered on track {app.track_id}"
    if notice.signal is ToJourney.ADMITTED_BY_LEAD and in_selection and app.status in WAITING_OR_OFFERED:
        stop_clock(state, ClockName.OFFER_ANSWER)
        admit(state, now)
        return f"admitted to track {app.track_id} by the track lead: {notice.reason}"
    if notice.signal is ToJourney.DECLINED_BY_LEAD:
        return _declined_by_lead(state, app, notice, now)
    return None


def _declined_by_lead(state: CaseState, app: Application, notice: TrackNotice, now: datetime) -> str | None:
    summary = f"declined by the lead of track {app.track_id}: {notice.reason}"
    if state.phase is Phase.TRACK_SELECTION and app.status in WAITING_OR_OFFERED:
        stop_clock(state, ClockName.OFFER_ANSWER)
        state.application = replace(app, status=ApplicationStatus.DECLINED, reason=notice.reason)
        return summary
    if state.phase is Phase.TRACK and app.status is ApplicationStatus.ADMITTED and state.track_id == app.track_id:
        # The lead declined while the offer was being accepted: the track has no seat for the case.
        state.application = replace(app, status=ApplicationStatus.DECLINED, reason=notice.reason)
        state.track_id = None
        start_phase(state, Phase.TRACK_SELECTION, now)
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
