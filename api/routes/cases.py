"""Open, list and read cases."""

import secrets
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, Field, StringConstraints, TypeAdapter, field_validator
from sqlalchemy.orm import defer

from api.deps import SessionDep, SettingsDep, TemporalDep, require
from api.journeys import query_state, start_journey
from api.scope import CASE_ACTORS, CASE_READERS, actor_of, municipalities_in_scope, sees_municipality
from core.secrets import person_key_secret
from store.access_log import log_read
from store.cases import CaseFilter, PersonHasOpenCase, forget_case, list_cases, person_key, reserve_case
from store.models import CaseSummary, Municipality, User
from store.policies import policy_for
from store.users import get_user
from workflows.calendar import STOCKHOLM
from workflows.case import CaseView
from workflows.domain import (
    CaseOpening,
    EducationLevel,
    Gender,
    Industry,
    Mapping,
    Participant,
    Phase,
    SwedishLevel,
)
from workflows.personal_number import InvalidPersonalNumber, parse_personal_number

router = APIRouter(tags=["cases"])
_stored_view = TypeAdapter(CaseView)
CaseReader = Annotated[User, Depends(require(*CASE_READERS))]
CaseActor = Annotated[User, Depends(require(*CASE_ACTORS))]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def today() -> date:
    return datetime.now(STOCKHOLM).date()


class CaseCreate(BaseModel):
    """Referral and initial mapping (remiss, första kartläggning)."""

    model_config = {"extra": "forbid"}
    personal_number: str = Field(description="personnummer or samordningsnummer, YYYYMMDD-NNNN")
    given_name: Text
    family_name: Text
    gender: Gender
    municipality: Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
    education_level: EducationLevel
    swedish_level: SwedishLevel
    experience: list[Industry] = Field(default_factory=list)
    consent_to_share: bool
    referral_purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    driving_licence: bool = False
    responsible_worker: str | None = None
    note: str | None = None

    @field_validator("personal_number")
    @classmethod
    def _valid_personal_number(cls, value: str) -> str:
        try:
            return parse_personal_number(value, today()).normalised
        except InvalidPersonalNumber as exc:
            raise ValueError(f"not a valid personal number: {exc}") from None

    @field_validator("consent_to_share")
    @classmethod
    def _consent_given(cls, value: bool) -> bool:
        if not value:
            raise ValueError("consent to share information between the authorities is required")
        return value


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


class CasePage(BaseModel):
    items: list[CaseListItem]
    total: int
    limit: int
    offset: int


def field_error(field: str, message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT, [{"loc": ["body", field], "msg": message, "type": "value_error"}]
    )


def responsible_for(session: SessionDep, user: User, requested: str | None, municipality: str) -> str:
    if requested is None:
        return user.username
    worker = get_user(session, requested)
    if worker is None or worker.role not in CASE_ACTORS or not sees_municipality(worker, municipality):
        raise field_error("responsible_worker", f"{requested} is not a case worker for municipality {municipality}")
    return worker.username


def case_in_scope(session: SessionDep, user: User, case_id: str) -> CaseSummary:
    """The case's summary, or 404 also when it exists outside the user's scope."""
    # The stored view is loaded only if asked for: scope needs the municipality alone.
    summary = session.get(CaseSummary, case_id, options=[defer(CaseSummary.view)])  # type: ignore[arg-type]
    if summary is None or not sees_municipality(user, summary.municipality):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such case")
    return summary


@router.post("/cases", status_code=status.HTTP_201_CREATED)
async def open_case(
    body: CaseCreate, user: CaseActor, session: SessionDep, settings: SettingsDep, client: TemporalDep
) -> CaseView:
    """Open a case at referral. 409 when the person already has an open case."""
    if session.get(Municipality, body.municipality) is None:
        raise field_error("municipality", f"unknown municipality {body.municipality}")
    if not sees_municipality(user, body.municipality):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"municipality {body.municipality} is outside your scope")
    responsible = responsible_for(session, user, body.responsible_worker, body.municipality)
    number = parse_personal_number(body.personal_number, today())
    case_id = secrets.token_hex(8)
    opening = CaseOpening(
        case_id=case_id,
        municipality=body.municipality,
        responsible_worker=responsible,
        participant=Participant(number.normalised, body.given_name, body.family_name, body.gender, number.birth_date),
        mapping=Mapping(
            body.education_level,
            body.swedish_level,
            list(body.experience),
            body.consent_to_share,
            body.referral_purpose,
            body.driving_licence,
        ),
        policy=policy_for(session, body.municipality),
        opened_by=actor_of(user),
        note=body.note,
    )
    summary = CaseSummary(
        case_id=case_id,
        version=0,
        phase=Phase.INTRODUCTION.value,
        status="active",
        municipality=body.municipality,
        responsible_worker=responsible,
        given_name=body.given_name,
        family_name=body.family_name,
        gender=body.gender.value,
        birth_date=number.birth_date,
        opened_at=datetime.now(UTC),
    )
    try:
        reserve_case(session, person=person_key(person_key_secret(settings), number.normalised), summary=summary)
    except PersonHasOpenCase:
        raise HTTPException(status.HTTP_409_CONFLICT, "the person already has an open case") from None
    try:
        return await start_journey(client, opening, settings.task_queue)
    except BaseException:
        forget_case(session, case_id)
        raise


@router.get("/cases")
def find_cases(
    user: CaseReader,
    session: SessionDep,
    phase: Phase | None = None,
    municipality: str | None = None,
    track: str | None = None,
    responsible: str | None = None,
    overdue: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CasePage:
    """Cases in the user's scope, soonest due first."""
    f = CaseFilter(
        municipalities=municipalities_in_scope(user),
        phase=phase.value if phase else None,
        municipality=municipality,
        track=track,
        responsible=responsible,
        overdue=overdue,
    )
    rows, total = list_cases(session, f, limit=limit, offset=offset)
    items = [CaseListItem.model_validate(r, from_attributes=True) for r in rows]
    return CasePage(items=items, total=total, limit=limit, offset=offset)


@router.get("/cases/{case_id}")
async def read_case(case_id: str, user: CaseReader, session: SessionDep, client: TemporalDep) -> CaseView:
    """The live state of a case, from its workflow. The read is written to the access log."""
    summary = case_in_scope(session, user, case_id)
    log_read(session, username=user.username, case_id=case_id, via="GET /api/v1/cases/{case_id}")
    state = await query_state(client, case_id)
    if state is None:
        return _stored_view.validate_python(summary.view)
    return state
