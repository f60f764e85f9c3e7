"""A track's seats as pure rules: who holds a seat, who is offered one, who waits in what order.

"A seat is offered to those who meet the track's prerequisites; those with earlier experience
of the industry have priority" (seed 000): the line is ranked by industry experience first,
then by application time. The track workflow is the only caller, so seats are never overbooked.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from workflows.seat_messages import (
    AdmissionRound,
    ApplicantRef,
    LeadDecision,
    RankReason,
    SeatApplication,
    ToJourney,
    TrackNotice,
    TrackTerms,
    TrackView,
)
from workflows.words import N_


class SeatStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    ADMITTED = "admitted"


@dataclass
class Applicant:
    case_id: str
    application: int
    experienced: bool  # has worked in the track's industry: goes first
    applied_at: datetime
    status: SeatStatus = SeatStatus.WAITING


@dataclass
class TrackState:
    terms: TrackTerms
    applicants: dict[str, Applicant] = field(default_factory=dict)  # by case id
    round: AdmissionRound | None = None
    version: int = 0


# Outside the workflow's module, as JourneyInput (workflows/case.py): one class, one type adapter.
@dataclass
class TrackInput:
    terms: TrackTerms
    state: TrackState | None = None  # set when continuing as new


class NotAllowed(Exception):
    """A lead's decision the track cannot take; `field` names the bad input, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def rank_reason(applicant: Applicant) -> RankReason:
    return RankReason(applicant.case_id, applicant.experienced, applicant.applied_at)


def rank(applicant: Applicant) -> tuple[bool, datetime, str]:
    """The line's order, by the reason the lead is shown: the experienced first, then the earliest."""
    reason = rank_reason(applicant)
    return (not reason.experienced, reason.applied_at, reason.case_id)


def in_status(state: TrackState, status: SeatStatus) -> list[Applicant]:
    return sorted((x for x in state.applicants.values() if x.status is status), key=rank)


def seats_taken(state: TrackState) -> int:
    return sum(1 for x in state.applicants.values() if x.status is not SeatStatus.WAITING)


def free_seats(state: TrackState) -> int:
    return max(0, state.terms.seats - seats_taken(state))


def _matches(state: TrackState, ref: ApplicantRef) -> Applicant | None:
    found = state.applicants.get(ref.case_id)
    return found if found is not None and found.application == ref.application else None


def fill_seats(state: TrackState, now: datetime) -> list[TrackNotice]:
    """Offer each free seat to the first in line; none while an admission round collects."""
    if state.round is not None and now < state.round.closes_at:
        return []
    state.round = None
    notices = []
    for applicant in in_status(state, SeatStatus.WAITING)[: free_seats(state)]:
        applicant.status = SeatStatus.OFFERED
        notices.append(_notice(state, applicant, ToJourney.SEAT_OFFERED))
    state.version += bool(notices)
    return notices


def apply(state: TrackState, request: SeatApplication, now: datetime) -> tuple[SeatStatus, list[TrackNotice]]:
    """Put the case in line and offer what is free; answers the case's own status.

    A repeated request (a retried activity) answers the status it already has; a newer
    application from the same case replaces the older one, whose seat goes to the next."""
    state.terms = request.terms
    known = state.applicants.get(request.case_id)
    notices: list[TrackNotice] = []
    if known is not None and known.application == request.application:
        return known.status, fill_seats(state, now)
    if known is not None and known.application > request.application:
        raise NotAllowed(f"application {request.application} is older than {known.application}")
    state.applicants[request.case_id] = Applicant(
        request.case_id, request.application, request.terms.industry in request.experience, request.applied_at,
    )
    state.version += 1
    notices = [n for n in fill_seats(state, now) if n.case_id != request.case_id]
    return state.applicants[request.case_id].status, notices


def accept(state: TrackState, ref: ApplicantRef) -> bool:
    applicant = _matches(state, ref)
    if applicant is None or applicant.status is not SeatStatus.OFFERED:
        return False  # the lead declined meanwhile: the journey hears it from its own signal
    applicant.status = SeatStatus.ADMITTED
    state.version += 1
    return True


def leave(state: TrackState, ref: ApplicantRef, now: datetime) -> list[TrackNotice]:
    """The case gave up its offer, seat or place in line: the next in line is offered."""
    if _matches(state, ref) is None:
        return []  # an older application's message, or already gone
    del state.applicants[ref.case_id]
    state.version += 1
    return fill_seats(state, now)


def check_decision(state: TrackState, decision: LeadDecision) -> None:
    applicant = state.applicants.get(decision.case_id)
    if applicant is None or applicant.status is SeatStatus.ADMITTED:
        # reason: a page says it with its values (core/i18n.py)
        not_waiting = N_("case %(case_id)s is not an applicant waiting for this track")
        raise NotAllowed(not_waiting % {"case_id": decision.case_id}, "case_id")
    if decision.admit and applicant.status is SeatStatus.WAITING and free_seats(state) == 0:
        raise NotAllowed(N_("no free seat: every seat is taken or offered"))


def decide(state: TrackState, decision: LeadDecision, now: datetime) -> list[TrackNotice]:
    """The lead admits (a free seat or the applicant's own offer) or declines an applicant."""
    check_decision(state, decision)
    applicant = state.applicants[decision.case_id]
    signal = ToJourney.ADMITTED_BY_LEAD if decision.admit else ToJourney.DECLINED_BY_LEAD
    notice = _notice(state, applicant, signal, decision.reason, decision.actor.username)
    if decision.admit:
        applicant.status = SeatStatus.ADMITTED
        state.version += 1
        return [notice]
    del state.applicants[decision.case_id]
    state.version += 1
    return [notice, *fill_seats(state, now)]


def change_terms(state: TrackState, terms: TrackTerms, now: datetime) -> list[TrackNotice]:
    """The lead changed the seats: more are offered to the waiting list at once; fewer never
    remove anyone admitted or offered (the surplus simply is not given again)."""
    state.terms = terms
    state.version += 1
    return fill_seats(state, now)


def open_round(state: TrackState, admission_round: AdmissionRound) -> None:
    state.round = admission_round
    state.version += 1


def _notice(
    state: TrackState, applicant: Applicant, signal: ToJourney, reason: str | None = None, by: str | None = None
) -> TrackNotice:
    return TrackNotice(state.terms.track_id, applicant.case_id, applicant.application, signal, reason, by)


def view(state: TrackState) -> TrackView:
    return TrackView(
        track_id=state.terms.track_id,
        seats=state.terms.seats,
        seats_taken=seats_taken(state),
        participants=[x.case_id for x in in_status(state, SeatStatus.ADMITTED)],
        offered=[x.case_id for x in in_status(state, SeatStatus.OFFERED)],
        waiting_list=[x.case_id for x in in_status(state, SeatStatus.WAITING)],
        round_closes_at=None if state.round is None else state.round.closes_at,
        version=state.version,
        ranks=[
            rank_reason(x)
            for x in sorted((x for x in state.applicants.values() if x.status is not SeatStatus.ADMITTED), key=rank)
        ],
    )
