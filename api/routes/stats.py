"""The supervisors' figures (contract: "Supervisor figures"), as JSON and as CSV."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import PlainTextResponse, Response

from api.deps import SessionDep, require
from api.figures_answer import overview_csv_answer
from services.errors import FieldError, InvalidFields
from services.scope import municipalities_in_scope, sees_municipality
from services.stats import StatsFilter, overview
from store.models import User
from workflows.domain import Role, TargetGroup

router = APIRouter(tags=["figures"])
Supervisor = Annotated[User, Depends(require(Role.SUPERVISOR))]


def stats_filter(
    user: Supervisor,
    municipality: Annotated[str | None, Query(pattern=r"^\d{4}$", description="kommunkod")] = None,
    track: str | None = None,
    from_: Annotated[date | None, Query(alias="from", description="cases in the programme on or after")] = None,
    to: Annotated[date | None, Query(description="cases in the programme on or before")] = None,
    target_group: TargetGroup | None = None,
) -> StatsFilter:
    if municipality is not None and not sees_municipality(user, municipality):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"municipality {municipality} is outside your organisation")
    if from_ is not None and to is not None and to < from_:
        raise InvalidFields([FieldError("to", "must not be before from", where="query")])
    return StatsFilter(municipalities_in_scope(user), municipality, track, from_, to, target_group)


Filter = Annotated[StatsFilter, Depends(stats_filter)]


@router.get("/stats/overview")
def stats_overview(f: Filter, session: SessionDep) -> dict[str, Any]:
    """Cases by phase, the 90-day outcome share against 60 %, the share of women in tracks
    against 50 %, follow-ups on time, time in programme, KAA; the same per gender, age group,
    track and target group; overdue tasks per worker and phase; waiting lists per track.
    Scoped to the supervisor's organisation (AF sees all). A group of fewer than 5 people
    reads `{"suppressed": true, "reason": "fewer than 5"}`."""
    return overview(session, f)


@router.get(
    "/stats/overview.csv",
    response_class=Response,
    responses={200: {"description": "the figures as CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def stats_overview_csv(f: Filter, session: SessionDep) -> PlainTextResponse:
    """The same tables as CSV (`table,group,figure,value`; a suppressed cell reads `<5`)."""
    return overview_csv_answer(overview(session, f))
