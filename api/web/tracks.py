"""The job tracks, read: the catalogue with live seats, and one track's participants, open
offers, waiting list and admission round; for its lead, the forms to admit or decline an
applicant with a reason, change the seats and open an admission round."""

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select
from starlette.datastructures import FormData

from api.deps import SessionDep, SettingsDep, TemporalDep
from api.web.deps import CheckedForm, PagesDep, PageUser
from api.web.forms import FormErrors, text_field
from core.words import N_
from services import tracks as service
from services.access_log import record_list_read
from services.errors import Forbidden, InvalidFields, Refused
from services.protected_identity import shown_initials
from services.scope import actor_of, changes_track, decides_on_track, sees_applicant
from services.temporal import keys_of
from store.cases import summaries_of
from store.models import Municipality, Track, User
from store.users import display_names
from workflows.calendar import STOCKHOLM
from workflows.seat_messages import AdmissionRound, RankReason, TrackView

router = APIRouter(include_in_schema=False)
PAGE_VIA = "GET /tracks/{track_id}"
PAGE_PURPOSE = N_("track page: applicants")


@dataclass(frozen=True)
class Seat:
    case_id: str
    initials: str  # empty when the case is outside the reader's scope
    rank: RankReason | None = None  # why it stands where it does in line; None for a participant


def _municipality_names(session: SessionDep) -> dict[str, str]:
    return {m.code: m.name for m in session.exec(select(Municipality))}


def _seats(
    session: SessionDep, client: TemporalDep, user: User, track: Track, live: TrackView
) -> dict[str, list[Seat]]:
    """Participants, open offers and the waiting list; initials only of the cases the reader may
    see (services/scope.py), and each shown so written to the access log as a read."""
    lists = {"participants": live.participants, "offered": live.offered, "waiting": live.waiting_list}
    cases = summaries_of(session, [c for ids in lists.values() for c in ids])
    shown = {c.case_id: c for c in cases.values() if sees_applicant(session, user, track, c)}
    record_list_read(session, user, shown.values(), via=PAGE_VIA, purpose=PAGE_PURPOSE)
    ranks = {r.case_id: r for r in live.ranks}
    keys = keys_of(client)
    return {
        name: [Seat(c, shown_initials(keys, shown[c], user.username) if c in shown else "", ranks.get(c)) for c in ids]
        for name, ids in lists.items()
    }


def _leads(session: SessionDep, tracks: list[Track]) -> dict[str, str]:
    return display_names(session, {t.lead for t in tracks if t.lead})


@router.get("/tracks")
async def tracks_page(
    request: Request, pages: PagesDep, user: PageUser, session: SessionDep, client: TemporalDep
) -> Response:
    tracks = service.visible_tracks(session, user)
    views = await service.live_all(session, client, tracks)
    return pages.render(
        request,
        "tracks.html",
        tracks=list(zip(tracks, views, strict=True)),
        leads=_leads(session, tracks),
        municipalities=_municipality_names(session),
    )


@router.get("/tracks/{track_id}")
async def track_page(
    track_id: str, request: Request, pages: PagesDep, user: PageUser, session: SessionDep, client: TemporalDep
) -> Response:
    return await _track_page(request, pages, user, session, client, track_id)


async def _track_page(
    request: Request,
    pages: PagesDep,
    user: User,
    session: SessionDep,
    client: TemporalDep,
    track_id: str,
    *,
    code: int = 200,
    errors: FormErrors | None = None,
    typed: FormData | None = None,
    refusal: str | None = None,
) -> Response:
    track = service.track_in_scope(session, user, track_id)
    live = await service.live(session, client, track)
    return pages.render(
        request,
        "track.html",
        code,
        track=track,
        live=live,
        leads=_leads(session, [track]),
        municipalities=_municipality_names(session),
        **_seats(session, client, user, track, live),
        decides=decides_on_track(user, track),
        changes=changes_track(user, track),
        errors=errors or FormErrors(),
        typed=typed,
        refusal=refusal,
        done=request.query_params.get("done"),
    )


async def _decided(
    request: Request, pages: PagesDep, user: User, session: SessionDep, client: TemporalDep, track_id: str,
    form: FormData, change: Awaitable[object], done: str,
) -> Response:
    try:
        await change
    except InvalidFields as invalid:
        errors = FormErrors()
        for e in invalid.errors:
            errors.add(e.field, N_("Check this field"))
        return await _track_page(request, pages, user, session, client, track_id, code=422, errors=errors, typed=form)
    except (Refused, Forbidden) as refused:
        code = 409 if isinstance(refused, Refused) else 403
        return await _track_page(
            request, pages, user, session, client, track_id, code=code, refusal=refused.message, typed=form
        )
    return RedirectResponse(f"/tracks/{track_id}?done={done}", status.HTTP_303_SEE_OTHER)


@router.post("/tracks/{track_id}/decisions")
async def decide(
    track_id: str, request: Request, form: CheckedForm, pages: PagesDep, user: PageUser, session: SessionDep,
    settings: SettingsDep, client: TemporalDep,
) -> Response:
    """The lead admits or declines an applicant, with a reason."""
    case_id, reason, decision = (text_field(form, n) for n in ("case_id", "reason", "decision"))
    if not reason:
        errors = FormErrors()
        errors.add(f"reason-{case_id}", N_("Write the reason for the decision"))
        return await _track_page(request, pages, user, session, client, track_id, code=422, errors=errors, typed=form)
    change = service.decide(session, settings, client, user, track_id, case_id, decision == "admit", reason)
    return await _decided(request, pages, user, session, client, track_id, form, change, decision)


@router.post("/tracks/{track_id}/seats")
async def change_seats(
    track_id: str, request: Request, form: CheckedForm, pages: PagesDep, user: PageUser, session: SessionDep,
    settings: SettingsDep, client: TemporalDep,
) -> Response:
    seats = text_field(form, "seats")
    if not seats.isdigit() or not 1 <= int(seats) <= 500:
        errors = FormErrors()
        errors.add("seats", N_("Enter a number of seats from 1 to 500"))
        return await _track_page(request, pages, user, session, client, track_id, code=422, errors=errors, typed=form)
    change = service.change_track(session, settings, client, user, track_id, seats=int(seats))
    return await _decided(request, pages, user, session, client, track_id, form, change, "seats")


@router.post("/tracks/{track_id}/round")
async def open_round(
    track_id: str, request: Request, form: CheckedForm, pages: PagesDep, user: PageUser, session: SessionDep,
    settings: SettingsDep, client: TemporalDep,
) -> Response:
    try:
        closes = datetime.fromisoformat(text_field(form, "closes_at")).replace(tzinfo=STOCKHOLM)
    except ValueError:
        errors = FormErrors()
        errors.add("closes_at", N_("Enter a date and time"))
        return await _track_page(request, pages, user, session, client, track_id, code=422, errors=errors, typed=form)
    change = service.open_round(session, settings, client, user, track_id, AdmissionRound(closes, actor_of(user)))
    return await _decided(request, pages, user, session, client, track_id, form, change, "round")
