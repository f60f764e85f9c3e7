"""The track catalogue (jobbspår): what tracks exist, their live seats, and the lead's decisions.

The catalogue lives in SQL; seats, offers and the waiting list live in each track's workflow
and are read with a query, so what the API shows is what the track will do.
"""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import structlog
from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, field_validator

from api.deps import Admin, CurrentUser, SessionDep, SettingsDep, TemporalDep
from services import tracks
from services.errors import Conflict, FieldError, InvalidFields
from services.scope import actor_of
from store.models import Municipality, Track
from store.users import get_user
from workflows.domain import EducationLevel, Industry, Role, SwedishLevel
from workflows.seat_messages import AdmissionRound, TrackView

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


class TrackChange(BaseModel):
    """What the track's lead may change; fields left out keep their value."""

    model_config = {"extra": "forbid"}
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    seats: int | None = Field(default=None, ge=1, le=500, description="more are offered to the waiting list at once")
    prerequisites: Prerequisites | None = Field(default=None, description="replaces the stated prerequisites")


class RoundOpening(BaseModel):
    """Applications are collected until `closes_at`, then ranked and offered the free seats."""

    model_config = {"extra": "forbid"}
    closes_at: AwareDatetime


def _public(track: Track, view: TrackView) -> TrackPublic:
    return TrackPublic(
        **track.model_dump(exclude={"created_at"}),
        seats_taken=view.seats_taken,
        participants=view.participants,
        offered=view.offered,
        waiting_list=view.waiting_list,
        round_closes_at=view.round_closes_at,
    )


@router.get("/tracks")
async def list_tracks(session: SessionDep, client: TemporalDep, user: CurrentUser) -> list[TrackPublic]:
    """Tracks offered in the user's municipalities (all for AF), and those the user leads."""
    visible = tracks.visible_tracks(session, user)
    views = await tracks.live_all(session, client, visible)
    return [_public(t, v) for t, v in zip(visible, views, strict=True)]


@router.get("/tracks/{track_id}")
async def read_track(track_id: str, session: SessionDep, client: TemporalDep, user: CurrentUser) -> TrackPublic:
    """A track with its live seats, participants, open offers and waiting list (case ids)."""
    track = tracks.track_in_scope(session, user, track_id)
    return _public(track, await tracks.live(session, client, track))


@router.post("/tracks/{track_id}/decisions")
async def decide(
    track_id: str, body: Decision, session: SessionDep, settings: SettingsDep, client: TemporalDep, user: CurrentUser
) -> TrackPublic:
    """The track lead admits an applicant (to their offer or a free seat) or declines them, with a reason."""
    admit = body.decision == "admit"
    return _public(*await tracks.decide(session, settings, client, user, track_id, body.case_id, admit, body.reason))


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
    round_ = AdmissionRound(body.closes_at, actor_of(user))
    return _public(*await tracks.open_round(session, settings, client, user, track_id, round_))


@router.patch("/tracks/{track_id}")
async def change_track(
    track_id: str, body: TrackChange, session: SessionDep, settings: SettingsDep, client: TemporalDep, user: CurrentUser
) -> TrackPublic:
    """The track's lead (or an admin) changes its name, seats or prerequisites (000, 002: the lead
    states them clearly). More seats are offered to the waiting list at once; fewer seats never
    remove an admitted participant or an open offer. New prerequisites hold for later applications."""
    prerequisites = body.prerequisites.model_dump(exclude_defaults=True) if body.prerequisites is not None else None
    track, view = await tracks.change_track(
        session, settings, client, user, track_id, name=body.name, seats=body.seats, prerequisites=prerequisites
    )
    log.info("track_changed", track_id=track_id, by=user.username, fields=sorted(body.model_fields_set))
    return _public(track, view)


@router.post("/tracks", status_code=status.HTTP_201_CREATED)
def create_track(body: TrackCreate, session: SessionDep, _: Admin) -> TrackPublic:
    """Add a track to the catalogue; the lead must be a track lead."""
    errors = [
        FieldError("municipalities", f"unknown municipality {m}")
        for m in body.municipalities
        if session.get(Municipality, m) is None
    ]
    if body.lead is not None:
        lead = get_user(session, body.lead)
        if lead is None or lead.role != Role.TRACK_LEAD:
            errors.append(FieldError("lead", f"{body.lead} is not a track lead"))
    if errors:
        raise InvalidFields(errors)
    track_id = body.track_id or f"{body.industry.value}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
    if session.get(Track, track_id) is not None:
        raise Conflict(f"track {track_id} exists")
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
