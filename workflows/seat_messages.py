"""What a journey and its track say to each other (Temporal updates and signals), as data.

The journey asks for a seat through an activity (a workflow cannot call another workflow's
update); everything else travels as signals between the two workflows, never the database.
Each application carries its number, so a message about an earlier application is ignored.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from workflows.domain import Actor


def track_workflow_id(track_id: str) -> str:
    return f"track-{track_id}"


def journey_workflow_id(case_id: str) -> str:
    return f"journey-{case_id}"


@dataclass
class TrackTerms:
    """What the catalogue says of a track; the track takes the newest with each application."""

    track_id: str
    industry: str
    seats: int


@dataclass
class SeatApplication:
    """The `apply` update: a case asks the track for a seat."""

    terms: TrackTerms
    case_id: str
    application: int  # the case's application number
    experience: list[str]
    applied_at: datetime


class ToTrack(StrEnum):
    """Signals a journey sends its track: each frees or fills the seat the case held."""

    OFFER_ACCEPTED = "offer_accepted"
    OFFER_DECLINED = "offer_declined"
    OFFER_EXPIRED = "offer_expired"
    APPLICANT_LEFT = "applicant_left"  # exit, withdrawal, close: a seat or a place in line is free


@dataclass
class ApplicantRef:
    case_id: str
    application: int


@dataclass
class SeatMove:
    """A signal the journey owes its track, kept until sent."""

    track_id: str
    signal: ToTrack
    ref: ApplicantRef


class ToJourney(StrEnum):
    """Signals a track sends a journey."""

    SEAT_OFFERED = "seat_offered"
    ADMITTED_BY_LEAD = "admitted_by_lead"
    DECLINED_BY_LEAD = "declined_by_lead"


@dataclass
class TrackNotice:
    track_id: str
    case_id: str
    application: int
    signal: ToJourney
    reason: str | None = None
    decided_by: str | None = None  # the track lead's username, for the case's timeline


@dataclass
class LeadDecision:
    """The `decide` update: the track lead admits or declines an applicant, with a reason."""

    case_id: str
    admit: bool
    reason: str
    actor: Actor


@dataclass
class AdmissionRound:
    """Applications are collected until `closes_at`, then ranked and offered seats."""

    closes_at: datetime
    actor: Actor


@dataclass
class RankReason:
    """Why an applicant stands where they do in line: exactly what `seating.rank` orders by
    (experience of the track's industry first, then the time of the application)."""

    case_id: str
    experienced: bool  # has worked in the track's industry
    applied_at: datetime


@dataclass
class TrackView:
    """A track's live seats: case ids only, the waiting list in priority order."""

    track_id: str
    seats: int
    seats_taken: int
    participants: list[str] = field(default_factory=list)
    offered: list[str] = field(default_factory=list)
    waiting_list: list[str] = field(default_factory=list)
    round_closes_at: datetime | None = None
    version: int = 0
    # The offered and the waiting, in rank order, with what ranks them; empty in views recorded
    # before it was kept (and from the read model, which does not know it).
    ranks: list[RankReason] = field(default_factory=list)
