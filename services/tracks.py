"""The track catalogue (jobbspår), once for every face: which tracks a user sees, who leads
one, its live seats (the track's workflow, else the read model), and the lead's decisions,
rounds and changes. Seats, offers and the waiting list live in each track's workflow."""

import asyncio
from typing import Any

import structlog
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from core.settings import Settings
from core.words import N_
from services.errors import DomainError, Forbidden, InvalidFields, NotFound, Refused
from services.scope import actor_of, changes_track, decides_on_track, sees_track
from services.track_client import query_track, update_track
from store.models import CaseSummary, Track, User
from workflows.domain import ApplicationStatus, Phase
from workflows.seat_messages import AdmissionRound, LeadDecision, TrackTerms, TrackView

log = structlog.get_logger()


def visible_tracks(session: Session, user: User) -> list[Track]:
    return [t for t in session.exec(select(Track).order_by(Track.name)).all() if sees_track(user, t)]


def track_in_scope(session: Session, user: User, track_id: str) -> Track:
    track = session.get(Track, track_id)
    if track is None or not sees_track(user, track):
        raise NotFound("no such track")
    return track


def require_lead(user: User, track: Track) -> None:
    if not decides_on_track(user, track):
        raise Forbidden(N_("only the track's lead may decide on its applicants"))


def require_changer(user: User, track: Track) -> None:
    if not changes_track(user, track):
        raise Forbidden(N_("only the track's lead or an admin may change the track"))


def _from_read_model(session: Session, track: Track) -> TrackView:
    """When the track's workflow cannot be asked: the last state the cases projected."""
    rows = session.exec(
        select(CaseSummary)
        .where(CaseSummary.application_track_id == track.track_id)
        .order_by(col(CaseSummary.opened_at))
    ).all()
    admitted = [r for r in rows if r.application_status == ApplicationStatus.ADMITTED]
    participants = [r.case_id for r in admitted if r.phase == Phase.TRACK]
    offered = [r.case_id for r in rows if r.application_status == ApplicationStatus.OFFERED]
    waiting = [r.case_id for r in rows if r.application_status == ApplicationStatus.WAITING]
    return TrackView(track.track_id, track.seats, len(participants) + len(offered), participants, offered, waiting)


async def live(session: Session, client: Client, track: Track) -> TrackView:
    try:
        view = await query_track(client, track.track_id)
    except (RPCError, TimeoutError) as err:
        log.warning("track_query_failed", track_id=track.track_id, error=type(err).__name__)
        return _from_read_model(session, track)
    # No workflow yet: nobody has applied.
    return view or TrackView(track.track_id, track.seats, 0)


async def live_all(session: Session, client: Client, tracks: list[Track]) -> list[TrackView]:
    return list(await asyncio.gather(*(live(session, client, t) for t in tracks)))


def _refusal(err: WorkflowUpdateFailedError) -> DomainError | RuntimeError:
    cause = err.cause
    if not isinstance(cause, ApplicationError):
        return RuntimeError("the track failed to decide")
    details = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
    if cause.type == "invalid":
        return InvalidFields.one(details.get("field") or "body", cause.message)
    return Refused(cause.message)


async def _update(settings: Settings, client: Client, track: Track, update: str, arg: Any) -> TrackView:
    terms = TrackTerms(track.track_id, track.industry, track.seats)
    try:
        return await update_track(client, settings.task_queue, terms, update, arg, TrackView)
    except WorkflowUpdateFailedError as err:
        raise _refusal(err) from err


async def decide(
    session: Session,
    settings: Settings,
    client: Client,
    user: User,
    track_id: str,
    case_id: str,
    admit: bool,
    reason: str,
) -> tuple[Track, TrackView]:
    """The lead admits an applicant (to their offer or a free seat) or declines them, with a reason."""
    track = track_in_scope(session, user, track_id)
    require_lead(user, track)
    view = await _update(settings, client, track, "decide", LeadDecision(case_id, admit, reason, actor_of(user)))
    log.info("track_decision", track_id=track_id, case_id=case_id, admit=admit, by=user.username)
    return track, view


async def open_round(
    session: Session, settings: Settings, client: Client, user: User, track_id: str, round_: AdmissionRound
) -> tuple[Track, TrackView]:
    track = track_in_scope(session, user, track_id)
    require_lead(user, track)
    return track, await _update(settings, client, track, "open_round", round_)


async def change_track(
    session: Session,
    settings: Settings,
    client: Client,
    user: User,
    track_id: str,
    *,
    name: str | None = None,
    seats: int | None = None,
    prerequisites: dict[str, Any] | None = None,
) -> tuple[Track, TrackView]:
    """The lead (or an admin) changes the name, seats or prerequisites. More seats are offered to
    the waiting list at once; fewer never remove an admitted participant or an open offer."""
    track = track_in_scope(session, user, track_id)
    require_changer(user, track)
    if name is not None:
        track.name = name
    if prerequisites is not None:
        track.prerequisites = prerequisites
    seats_changed = seats is not None and seats != track.seats
    if seats is not None:
        track.seats = seats
    session.add(track)
    session.commit()
    if seats_changed:
        # The track's workflow gives the seats: it takes the new number and fills what is free.
        terms = TrackTerms(track.track_id, track.industry, track.seats)
        view = await _update(settings, client, track, "change_terms", terms)
    else:
        view = await live(session, client, track)
    return track, view
