"""Who read which case, when and why: the review for supervisors (their organisation's cases)
and auditors (everything), with the reads flagged outside the caseload or working hours."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, field_validator

from api.deps import PageOffset, SessionDep, require
from api.moments import Moment, utc_moment
from services.access_flags import ReviewFlag
from services.access_log import review
from store.models import User
from workflows.domain import Role

router = APIRouter(tags=["audit"])


class AccessEntry(BaseModel):
    at: datetime
    username: str
    role: str | None
    organisation: str | None
    case_id: str | None  # none: a decode that named no case
    municipality: str | None
    via: str
    purpose: str | None
    outside_caseload: bool
    outside_hours: bool

    @field_validator("at")
    @classmethod
    def _utc(cls, at: datetime) -> datetime:
        return at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite keeps no offset


class AccessPage(BaseModel):
    items: list[AccessEntry]
    total: int
    limit: int
    offset: int


@router.get("/access-log")
def access_log(
    reviewer: Annotated[User, Depends(require(Role.SUPERVISOR, Role.AUDITOR))],
    session: SessionDep,
    case_id: str | None = None,
    user: str | None = None,
    from_: Annotated[Moment | None, Query(alias="from", description="from this moment (ISO-8601 date or time)")] = None,
    to: Annotated[Moment | None, Query(description="before this moment (ISO-8601 date or time)")] = None,
    flag: Annotated[ReviewFlag | None, Query(description="only reads flagged so")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: PageOffset = 0,
) -> AccessPage:
    """Reads of cases by people, newest first. `outside_caseload`: the reader is neither the
    responsible worker nor of the case's municipality; `outside_hours`: not 07–19 on a Swedish
    working day (Stockholm time)."""
    rows, total = review(
        session, reviewer, case_id=case_id, username=user, start=utc_moment(from_), end=utc_moment(to),
        flag=flag, limit=limit, offset=offset,
    )
    items = [AccessEntry.model_validate(r, from_attributes=True) for r in rows]
    return AccessPage(items=items, total=total, limit=limit, offset=offset)
