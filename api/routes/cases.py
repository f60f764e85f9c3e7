"""Open, list and read cases."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from api.case_answer import case_answer
from api.deps import (
    CaseKeysDep,
    CaseLister,
    CaseOpener,
    CaseReaderCall,
    PageOffset,
    SessionDep,
    SettingsDep,
    TemporalDep,
)
from services import cases
from services.access_log import record_list_read
from services.cases import CaseCreate
from services.protected_identity import PROTECTED, name_hidden
from services.scope import municipalities_in_scope
from store.case_keys import CaseKeys
from store.cases import CaseFilter, list_cases
from store.models import CaseSummary
from store.sealing import personal_of
from workflows.case import CaseView
from workflows.domain import Phase, TargetGroup

router = APIRouter(tags=["cases"])


class CaseListItem(BaseModel):
    case_id: str
    phase: str
    status: str
    municipality: str
    responsible_worker: str
    track_id: str | None
    given_name: str
    family_name: str
    opened_at: datetime
    next_due_at: datetime | None
    overdue: bool
    version: int
    age_group: str = Field(default="", description="16-24 or 25+")
    target_groups: list[TargetGroup] = Field(default_factory=list, description="by the current mapping")

    @classmethod
    def of(cls, row: CaseSummary, keys: CaseKeys, reader: str) -> "CaseListItem":
        personal = personal_of(keys, row)  # sealed at rest; empty once the case is erased
        names = {"given_name": personal.given_name, "family_name": personal.family_name}
        item = cls.model_validate(row.model_dump(exclude={"given_name", "family_name"}) | names)
        item.target_groups = [group for group in TargetGroup if getattr(row, group.value)]
        if name_hidden(row.protected_identity, reader, row.responsible_worker):
            item.given_name, item.family_name = PROTECTED, ""
        return item


class CasePage(BaseModel):
    items: list[CaseListItem]
    total: int
    limit: int
    offset: int


@router.post("/cases", status_code=status.HTTP_201_CREATED, response_model=CaseView)
async def open_case(
    body: CaseCreate, user: CaseOpener, session: SessionDep, settings: SettingsDep, client: TemporalDep
) -> Response:
    """Open a case at referral. 409 when the person already has an open case."""
    return case_answer(await cases.open_case(session, settings, client, user, body), status.HTTP_201_CREATED)


@router.get("/cases")
def find_cases(
    user: CaseLister,
    session: SessionDep,
    keys: CaseKeysDep,
    phase: Phase | None = None,
    municipality: str | None = None,
    track: str | None = None,
    responsible: str | None = None,
    overdue: bool | None = None,
    target_group: TargetGroup | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: PageOffset = 0,
) -> CasePage:
    """Cases in the user's scope, soonest due first; `target_group` (youth, kaa, newly_arrived,
    social_assistance, disability) keeps those in that group by the current mapping."""
    f = CaseFilter(
        municipalities=municipalities_in_scope(user),
        phase=phase.value if phase else None,
        municipality=municipality,
        track=track,
        responsible=responsible,
        overdue=overdue,
        target_group=target_group,
    )
    rows, total = list_cases(session, f, limit=limit, offset=offset)
    record_list_read(session, user, rows)
    items = [CaseListItem.of(r, keys, user.username) for r in rows]
    return CasePage(items=items, total=total, limit=limit, offset=offset)


@router.get("/cases/{case_id}", response_model=CaseView)
async def read_case(case_id: str, who: CaseReaderCall, client: TemporalDep) -> Response:
    """The live state of a case. The read is written to the access log."""
    return case_answer(await cases.read_case(who.session, client, who.user, case_id))
