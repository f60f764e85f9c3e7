"""The track catalogue (jobbspår): what tracks exist, their live seats, and the lead's decisions.

The catalogue lives in SQL; seats, offers and the waiting list live in each track's workflow
and are read with a query, so what the API shows is what the track will do.
"""

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import structlog
from fastapi import APIRouter, HTTPException, status
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, field_validator
from sqlmodel import col, select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from api.deps import Admin, CurrentUser, SessionDep, SettingsDep, TemporalDep
from api.scope import actor_of, sees_municipality
from core.track_client import query_track, update_track
from store.models import CaseSummary, Municipality, Track, User
from store.users import get_user
from workflows.domain import EducationLevel, Industry, Role, SwedishLevel
from workflows.seat_messages import AdmissionRound, LeadDecision, TrackTerms, TrackView

router = APIRouter(tags=["tracks"])
log = structlog.get_logger()


class Prerequisites(BaseModel):
    model_config = {"extra": "forbid"}
    min_swedish_level: SwedishLevel | None = None
    min_education_level: EducationLevel | None = None
    driving_licence: bool = False


class TrackCreate(BaseModel):
    track_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")] | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    municipalities: list[Annotated[str, StringConstraints(pattern=r"^\d{4}$")]] = Field(min_length=1)
    industry: Industry
    seats: int = Field(default=10, ge=1, le=500)
    prerequisites: Prerequisites = Field(default_factory=Prerequisites)
    lead: str | None = None

    @field_validator("municipalities")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class TrackPublic(BaseModel):
    track_id: str
    name: str
    municipalities: list[str]
    industry: str
    seats: int
    prerequisites: dict[str, Any]
    lead: str | None
    seats_taken: int = Field(description="admitted participants plus open offers")
    participants: list[str] = Field(description="case ids of the admitted")
    offered: list[str] = Field(default_factory=list, description="case ids holding an open offer")
    waiting_list: list[str] = Field(description="case ids in priority order: industry experience, then time")
    round_closes_at: datetime | None = Field(default=None, description="an admission round collects until then")


class Decision(BaseModel):
    """The track lead admits or declines an applicant (waiting or offered), with a reason."""

    model_config = {"extra": "forbid"}
    case_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    decision: Literal["admit", "decline"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class RoundOpening(BaseModel):
    """Applications are collected until `closes_at`, then ranked and offered the free seats."""

    model_config = {"extra": "forbid"}
    closes_at: AwareDatetime


def _from_read_model(session: SessionDep, track: Track) -> TrackView:
    """When the track's workflow cannot be asked: the last state the cases projected."""
    rows = session.exec(
        select(CaseSummary)
        .where(CaseSummary.application_track_id == track.track_id)
        .order_by(col(CaseSummary.opened_at))
    ).all()
    participants = [r.case_id for r in rows if r.application_status == "admitted" and r.phase == "track"]
    offered = [r.case_id for r in rows if r.application_status == "offered"]
    waiting = [r.case_id for r in rows if r.application_status == "waiting"]
    return TrackView(track.track_id, track.seats, len(participants) + len(offered), participants, offered, waiting)


async def _live(session: SessionDep, client: TemporalDep, track: Track) -> TrackView:
    try:
        view = await query_track(client, track.track_id)
    except (RPCError, TimeoutError) as err:
        log.warning("track_query_failed", track_id=track.track_id, error=type(err).__name__)
        return _from_read_model(session, track)
    # No workflow yet: nobody has applied.
    return view or TrackView(track.track_id, track.seats, 0)


def _public(track: Track, view: TrackView) -> TrackPublic:
    return TrackPublic(
        **track.model_dump(exclude={"created_at"}),
        seats_taken=view.seats_taken,
        participants=view.participants,
        offered=view.offered,
        waiting_list=view.waiting_list,
        round_closes_at=view.round_closes_at,
    )


def _visible(user: User, track: Track) -> bool:
    return track.lead == user.username or any(sees_municipality(user, m) for m in track.municipalities)


def _track_in_scope(session: SessionDep, user: User, track_id: str) -> Track:
    track = session.get(Track, track_id)
    if track is None or not _visible(user, track):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such track")
    return track


def _leads(user: User, track: Track) -> None:
    if user.role == Role.ADMIN or (user.role == Role.TRACK_LEAD and track.lead == user.username):
        return
    raise HTTPException(status.HTTP_403_FORBIDDEN, "only the track's lead may decide on its applicants")


def _refusal(err: WorkflowUpdateFailedError) -> HTTPException:
    cause = err.cause
    if not isinstance(cause, ApplicationError):
        return HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "the track failed to decide")
    details = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
    if cause.type == "invalid":
        loc = ["body", details.get("field") or "body"]
        errors = [{"loc": loc, "msg": cause.message, "type": "value_error"}]
        return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, errors)
    return HTTPException(status.HTTP_409_CONFLICT, {"message": cause.message})


async def _update(settings: SettingsDep, client: TemporalDep, track: Track, update: str, arg: Any) -> TrackView:
    terms = TrackTerms(track.track_id, track.industry, track.seats)
    try:
        return await update_track(client, settings.task_queue, terms, update, arg, TrackView)
    except WorkflowUpdateFailedError as err:
        raise _refusal(err) from err


@router.get("/tracks")
async def list_tracks(session: SessionDep, client: TemporalDep, user: CurrentUser) -> list[TrackPublic]:
    """Tracks offered in the user's municipalities (all for AF), and those the user leads."""
    tracks = [t for t in session.exec(select(Track).order_by(Track.name)).all() if _visible(user, t)]
    views = await asyncio.gather(*(_live(session, client, t) for t in tracks))
    return [_public(t, v) for t, v in zip(tracks, views, strict=True)]


@router.get("/tracks/{track_id}")
async def read_track(track_id: str, session: SessionDep, client: TemporalDep, user: CurrentUser) -> TrackPublic:
    """A track with its live seats, participants, open offers and waiting list (case ids)."""
    track = _track_in_scope(session, user, track_id)
    return _public(track, await _live(session, client, track))


@router.post("/tracks/{track_id}/decisions")
async def decide(
    track_id: str, body: Decision, session: SessionDep, settings: SettingsDep, client: TemporalDep, user: CurrentUser
) -> TrackPublic:
    """The track lead admits an applicant (to their offer or a free seat) or declines them, with a reason."""
    track = _track_in_scope(session, user, track_id)
    _leads(user, track)
    decision = LeadDecision(body.case_id, body.decision == "admit", body.reason, actor_of(user))
    view = await _update(settings, client, track, "decide", decision)
    log.info("track_decision", track_id=track_id, case_id=body.case_id, decision=body.decision, by=user.username)
    return _public(track, view)


@router.post("/tracks/{track_id}/round")
async def open_round(
    track_id: str,
    body: RoundOpening,
    session: SessionDep,
    settings: SettingsDep,
    client: TemporalDep,
    user: CurrentUser,
) -> TrackPublic:
    """Open an admission round: applications until `closes_at` wait, then are ranked and offered seats."""
    track = _track_in_scope(session, user, track_id)
    _leads(user, track)
    view = await _update(settings, client, track, "open_round", AdmissionRound(body.closes_at, actor_of(user)))
    return _public(track, view)


@router.post("/tracks", status_code=status.HTTP_201_CREATED)
def create_track(body: TrackCreate, session: SessionDep, _: Admin) -> TrackPublic:
    """Add a track to the catalogue; the lead must be a track lead."""
    errors = [
        {"loc": ["body", "municipalities"], "msg": f"unknown municipality {m}", "type": "value_error"}
        for m in body.municipalities
        if session.get(Municipality, m) is None
    ]
    if body.lead is not None:
        lead = get_user(session, body.lead)
        if lead is None or lead.role != Role.TRACK_LEAD:
            errors.append({"loc": ["body", "lead"], "msg": f"{body.lead} is not a track lead", "type": "value_error"})
    if errors:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, errors)
    track_id = body.track_id or f"{body.industry.value}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
    if session.get(Track, track_id) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"track {track_id} exists")
    track = Track(
        track_id=track_id,
        name=body.name,
        municipalities=body.municipalities,
        industry=body.industry.value,
        seats=body.seats,
        prerequisites=body.prerequisites.model_dump(exclude_defaults=True),
        lead=body.lead,
        created_at=datetime.now(UTC),
    )
    session.add(track)
    session.commit()
    # A new track has no workflow yet: the first application starts it.
    return _public(track, TrackView(track_id, track.seats, 0))
