"""The worklist ("Mina ärenden"): the user's cases and their municipality's, soonest due first,
with filters that stay in the URL and paging. Lists show initials and case numbers, never
names; each case shown is written to the access log as a read (initials say who it is about).
Case workers and supervisors list every case in their scope; a coordinator only the cases they
are responsible for (services/scope.py); the others have no worklist."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from api.deps import CaseKeysDep, SessionDep
from api.web.deps import PagesDep, PageUser
from api.web.forms import FormErrors
from api.web.next_step import next_step
from core.words import N_
from services.access_log import record_list_read
from services.protected_identity import shown_initials
from services.scope import CASE_ACTORS, CASE_LISTERS, CASE_READERS, municipalities_in_scope
from services.tracks import visible_tracks
from store.cases import CaseFilter, list_cases
from store.models import Municipality, User
from store.tasks import inbox, open_tasks_of_cases
from store.users import display_names
from workflows.domain import AF, Audience, Phase

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
# Target groups arrive with the living mapping (issue 7); the filter shows when this lists them.
TARGET_GROUPS: tuple[str, ...] = ()


CASE_WORKER_AUDIENCES = frozenset({Audience.RESPONSIBLE, Audience.COORDINATOR, Audience.SUPERVISOR})


class Who(StrEnum):
    MINE = "mine"  # cases the user is responsible for
    ALL = "all"  # every case in the user's scope


@dataclass(frozen=True)
class WorklistQuery:
    who: Who
    phase: Phase | None = None
    overdue: bool = False
    track: str | None = None
    page: int = 1

    def url(self, **changes: object) -> str:
        """The worklist's URL with these filters (and `changes`); the defaults are left out."""
        q = replace(self, **changes)  # type: ignore[arg-type]
        params = {
            "who": q.who.value,
            "phase": q.phase.value if q.phase else None,
            "overdue": "true" if q.overdue else None,
            "track": q.track,
            "page": str(q.page) if q.page > 1 else None,
        }
        query = urlencode({k: v for k, v in params.items() if v})
        return f"/?{query}" if query else "/"


def default_who(user: User) -> Who:
    return Who.MINE if user.role in CASE_ACTORS else Who.ALL


def chooses_who(user: User) -> bool:
    """A coordinator lists only their own cases: they read no others unless asked to act."""
    return user.role in CASE_ACTORS and user.role in CASE_LISTERS


def parse_query(params: Mapping[str, str], user: User, tracks: set[str]) -> tuple[WorklistQuery, FormErrors]:
    """Filters from the URL; a value that is not one of the choices is named, not applied."""
    errors = FormErrors()
    who = default_who(user)
    if params.get("who") and chooses_who(user):
        try:
            who = Who(params["who"])
        except ValueError:
            errors.add("who", N_("Choose whose cases to show"))
    phase = None
    if params.get("phase"):
        try:
            phase = Phase(params["phase"])
        except ValueError:
            errors.add("phase", N_("Choose a phase from the list"))
    track = params.get("track") or None
    if track is not None and track not in tracks:
        errors.add("track", N_("Choose a job track from the list"))
        track = None
    overdue = params.get("overdue", "") in ("true", "on", "1")
    page = int(params["page"]) if params.get("page", "").isdigit() and int(params["page"]) > 0 else 1
    return WorklistQuery(who, phase, overdue, track, page), errors


@dataclass(frozen=True)
class WorklistRow:
    case_id: str
    initials: str
    phase: str
    next_step: str  # a catalogue message
    due_at: datetime | None
    overdue: bool
    open_tasks: int
    responsible: str


def _scope_name(session: Session, user: User) -> str | None:
    """The municipality the user works for; None for Arbetsförmedlingen's people (every one)."""
    if user.organisation == AF:
        return None
    municipality = session.get(Municipality, user.organisation)
    return municipality.name if municipality else user.organisation


@router.get("/")
def worklist(request: Request, pages: PagesDep, user: PageUser, session: SessionDep, keys: CaseKeysDep) -> Response:
    if user.role not in CASE_READERS:
        return pages.render(request, "start.html")
    tracks = visible_tracks(session, user)
    query, errors = parse_query(request.query_params, user, {t.track_id for t in tracks})
    found = CaseFilter(
        municipalities=municipalities_in_scope(user),
        phase=query.phase.value if query.phase else None,
        track=query.track,
        responsible=user.username if query.who is Who.MINE else None,
        overdue=True if query.overdue else None,
    )
    summaries, total = list_cases(session, found, limit=PAGE_SIZE, offset=(query.page - 1) * PAGE_SIZE)
    record_list_read(session, user, summaries, via="GET /", purpose=N_("worklist"))
    tasks = open_tasks_of_cases(session, [s.case_id for s in summaries])
    names = display_names(session, {s.responsible_worker for s in summaries})
    rows = []
    for s in summaries:
        open_tasks = tasks.get(s.case_id, [])
        # The step the case's own workers take: a track lead's or the partner's task is theirs.
        steps = [t for t in open_tasks if t.audience in CASE_WORKER_AUDIENCES]
        soonest = (steps[0].kind, steps[0].about) if steps else None
        rows.append(
            WorklistRow(
                case_id=s.case_id,
                initials=shown_initials(keys, s, user.username),
                phase=s.phase,
                next_step=next_step(s.phase, s.application_status, soonest),
                due_at=s.next_due_at,
                overdue=s.overdue,
                open_tasks=len(open_tasks),
                responsible=names.get(s.responsible_worker, s.responsible_worker),
            )
        )
    my_tasks = inbox(session, username=user.username, role=user.role, organisation=user.organisation, status="open")
    return pages.render(
        request,
        "worklist.html",
        422 if errors else 200,
        query=query,
        errors=errors,
        rows=rows,
        total=total,
        first=(query.page - 1) * PAGE_SIZE + 1,
        last=(query.page - 1) * PAGE_SIZE + len(rows),
        has_next=query.page * PAGE_SIZE < total,
        phases=list(Phase),
        tracks=tracks,
        target_groups=TARGET_GROUPS,
        chooses_who=chooses_who(user),
        scope_name=_scope_name(session, user),
        my_open_tasks=len(my_tasks),
        my_overdue_tasks=sum(1 for t in my_tasks if t.overdue),
    )
