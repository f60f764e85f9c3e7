"""Who read which case (supervisors and auditors)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from api.deps import SessionDep, require
from store.access_log import read_log
from store.models import User
from workflows.domain import Role

router = APIRouter(tags=["audit"])


class AccessEntry(BaseModel):
    at: datetime
    username: str
    case_id: str
    via: str
    purpose: str | None


@router.get("/access-log")
def access_log(
    _: Annotated[User, Depends(require(Role.SUPERVISOR, Role.AUDITOR))],
    session: SessionDep,
    case_id: str | None = None,
    user: str | None = None,
    from_: Annotated[datetime | None, Query(alias="from")] = None,
    to: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AccessEntry]:
    """Reads of cases by people, newest first."""
    rows = read_log(session, case_id=case_id, username=user, start=from_, end=to, limit=limit, offset=offset)
    return [AccessEntry.model_validate(r, from_attributes=True) for r in rows]
