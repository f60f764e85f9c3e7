"""The track catalogue (jobbspår): what tracks exist, their seats and who is in them."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field, StringConstraints, field_validator
from sqlmodel import col, select

from api.deps import Admin, CurrentUser, SessionDep
from api.scope import sees_municipality
from store.models import CaseSummary, Municipality, Track
from store.users import get_user
from workflows.domain import EducationLevel, Industry, Role, SwedishLevel

router = APIRouter(tags=["tracks"])


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
    seats_taken: int
    participants: list[str]
    waiting_list: list[str]


def _public(session: SessionDep, track: Track) -> TrackPublic:
    rows = session.exec(
        select(CaseSummary).where(CaseSummary.application_track_id == track.track_id).order_by(col(CaseSummary.opened_at))
    ).all()
    participants = [r.case_id for r in rows if r.application_status == "admitted" and r.phase == "track"]
    offered = [r.case_id for r in rows if r.application_status == "offered"]
    waiting = [r.case_id for r in rows if r.application_status == "waiting"]
    return TrackPublic(
        **track.model_dump(exclude={"created_at"}),
        seats_taken=len(participants) + len(offered), participants=participants, waiting_list=waiting,
    )


def _visible(user: CurrentUser, track: Track) -> bool:
    return any(sees_municipality(user, m) for m in track.municipalities)


@router.get("/tracks")
def list_tracks(session: SessionDep, user: CurrentUser) -> list[TrackPublic]:
    """Tracks offered in the user's municipalities (all for AF)."""
    tracks = session.exec(select(Track).order_by(Track.name)).all()
    return [_public(session, t) for t in tracks if _visible(user, t)]


@router.get("/tracks/{track_id}")
def read_track(track_id: str, session: SessionDep, user: CurrentUser) -> TrackPublic:
    """A track with its live seats, participants (case ids) and waiting list."""
    track = session.get(Track, track_id)
    if track is None or not _visible(user, track):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such track")
    return _public(session, track)


@router.post("/tracks", status_code=status.HTTP_201_CREATED)
def create_track(body: TrackCreate, session: SessionDep, _: Admin) -> TrackPublic:
    """Add a track to the catalogue; the lead must be a track lead."""
    errors = [
        {"loc": ["body", "municipalities"], "msg": f"unknown municipality {m}", "type": "value_error"}
        for m in body.municipalities if session.get(Municipality, m) is None
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
        track_id=track_id, name=body.name, municipalities=body.municipalities, industry=body.industry.value,
        seats=body.seats, prerequisites=body.prerequisites.model_dump(exclude_defaults=True), lead=body.lead,
        created_at=datetime.now(UTC),
    )
    session.add(track)
    session.commit()
    return _public(session, track)
