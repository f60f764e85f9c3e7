"""Cases, once for every face: who may see one, who may be responsible for one, opening one
(the referral) and reading one (written to the access log)."""

import secrets
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, TypeAdapter, ValidationInfo, field_validator
from sqlalchemy.orm import defer
from sqlmodel import Session, select
from temporalio.client import Client

from core.secrets import person_key_secret
from core.settings import Settings
from services.access_log import OPEN_CASE_PROBE, record_case_read, record_reads
from services.errors import Conflict, Erased, Forbidden, InvalidFields, NotFound
from services.journeys import query_state, start_journey
from services.person_name import PersonName
from services.protected_identity import view_for
from services.scope import CASE_ACTORS, actor_of, acts_on, reads_case, sees_municipality
from services.temporal import keys_of
from store.cases import PersonHasOpenCase, forget_case, open_case_of, person_key, reserve_case
from store.models import CaseSummary, Municipality, User
from store.policies import policy_for
from store.sealing import stored_view_of
from store.users import get_user
from workflows.calendar import STOCKHOLM
from workflows.case import CaseView
from workflows.domain import (
    CaseOpening,
    EducationLevel,
    Gender,
    Industry,
    Mapping,
    Obstacle,
    Participant,
    SwedishLevel,
)
from workflows.personal_number import InvalidPersonalNumber, PersonalNumber, parse_personal_number
from workflows.phases import initial_state
from workflows.views import row_of

_stored_view = TypeAdapter(CaseView)


def today() -> date:
    return datetime.now(STOCKHOLM).date()


def checked_personal_number(value: str) -> PersonalNumber:
    """The one check of a personal number, for the opening and for the form's as-you-type hint."""
    try:
        return parse_personal_number(value, today())
    except InvalidPersonalNumber as exc:
        raise ValueError(f"not a valid personal number: {exc}") from None


class CaseCreate(BaseModel):
    """Referral and initial mapping (remiss, första kartläggning)."""

    model_config = {"extra": "forbid"}
    personal_number: str = Field(description="personnummer or samordningsnummer, YYYYMMDD-NNNN")
    given_name: PersonName
    family_name: PersonName
    gender: Gender
    municipality: Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
    education_level: EducationLevel
    swedish_level: SwedishLevel
    experience: list[Industry] = Field(default_factory=list)
    consent_to_share: bool
    referral_purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    driving_licence: bool = False
    own_business_interest: bool = False
    obstacles: list[Obstacle] = Field(default_factory=list, description="categories only, never a diagnosis")
    newly_arrived: bool = False
    establishment_start: date | None = Field(default=None, description="the establishment programme's start")
    social_assistance: bool = Field(default=False, description="försörjningsstöd")
    disability: bool = False
    protected_identity: bool = Field(default=False, description="skyddade personuppgifter")
    responsible_worker: str | None = None
    note: str | None = None

    @field_validator("personal_number")
    @classmethod
    def _valid_personal_number(cls, value: str) -> str:
        return checked_personal_number(value).normalised

    @field_validator("consent_to_share")
    @classmethod
    def _consent_given(cls, value: bool) -> bool:
        if not value:
            raise ValueError("consent to share information between the authorities is required")
        return value

    @field_validator("establishment_start")
    @classmethod
    def _for_the_newly_arrived(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is not None and not info.data.get("newly_arrived"):
            raise ValueError("the establishment programme's start is for the newly arrived only")
        return value

    def mapping(self) -> Mapping:
        return Mapping(
            self.education_level,
            self.swedish_level,
            list(self.experience),
            self.consent_to_share,
            self.referral_purpose,
            self.driving_licence,
            self.own_business_interest,
            list(self.obstacles),
            self.newly_arrived,
            self.establishment_start,
            self.social_assistance,
            self.disability,
        )


def responsible_for(session: Session, user: User, requested: str | None, municipality: str) -> str:
    if requested is None:
        return user.username
    worker = get_user(session, requested)
    if worker is None or worker.role not in CASE_ACTORS or not sees_municipality(worker, municipality):
        message = f"{requested} is not a case worker for municipality {municipality}"
        raise InvalidFields.one("responsible_worker", message)
    return worker.username


def case_in_scope(session: Session, user: User, case_id: str, *, to_act: bool = False) -> CaseSummary:
    """The case's summary, to read (or `to_act` on); NotFound also when it exists outside the
    user's scope (services/scope.py), so existence does not leak."""
    # The stored view is loaded only if asked for: scope needs the municipality alone.
    summary = session.get(CaseSummary, case_id, options=[defer(CaseSummary.view), defer(CaseSummary.sealed_view)])  # type: ignore[arg-type]
    allowed = summary is not None and (acts_on(user, summary) if to_act else reads_case(session, user, summary))
    if summary is None or not allowed:
        raise NotFound("no such case")
    return summary


def person_secret(session: Session, settings: Settings) -> bytes:
    """The person-hash key; made only before the first case (a new key once cases exist would
    let a person open a second case: core.secrets.MissingSecret instead)."""
    first = session.exec(select(CaseSummary.case_id).limit(1)).first() is None
    return person_key_secret(settings, may_create=first)


async def open_case(
    session: Session,
    settings: Settings,
    client: Client,
    user: User,
    body: CaseCreate,
    *,
    via: str = "POST /api/v1/cases",
) -> CaseView:
    """Open a case at referral; Conflict when the person already has an open case (logged as a
    read of that case, through `via`)."""
    if session.get(Municipality, body.municipality) is None:
        raise InvalidFields.one("municipality", f"unknown municipality {body.municipality}")
    if not sees_municipality(user, body.municipality):
        raise Forbidden(f"municipality {body.municipality} is outside your scope")
    responsible = responsible_for(session, user, body.responsible_worker, body.municipality)
    number = parse_personal_number(body.personal_number, today())
    case_id = secrets.token_hex(8)
    opening = CaseOpening(
        case_id=case_id,
        municipality=body.municipality,
        responsible_worker=responsible,
        participant=Participant(
            number.normalised,
            body.given_name,
            body.family_name,
            body.gender,
            number.birth_date,
            body.protected_identity,
        ),
        mapping=body.mapping(),
        policy=policy_for(session, body.municipality),
        opened_by=actor_of(user),
        note=body.note,
    )
    # The first row, from the same mapping of the case as every later one (version 0: the
    # workflow's first projection replaces it).
    now = datetime.now(UTC)
    row = row_of(initial_state(opening, now), now)
    person = person_key(person_secret(session, settings), number.normalised)
    try:
        reserve_case(session, keys_of(client), person=person, values=asdict(row) | {"version": 0})
    except PersonHasOpenCase:
        # The answer tells the opener that the person has a case (maybe in another municipality):
        # that is a read of it, and the log says whose.
        existing = open_case_of(session, person)
        if existing is not None:
            record_reads(session, user, [existing], via=via, purpose=OPEN_CASE_PROBE)
        raise Conflict("the person already has an open case") from None
    try:
        return view_for(await start_journey(client, opening, settings.task_queue), user.username)
    except BaseException:
        forget_case(session, case_id)
        raise


async def read_case(
    session: Session,
    client: Client,
    user: User,
    case_id: str,
    *,
    via: str = "GET /api/v1/cases/{case_id}",
    purpose: str = "read the case",
) -> CaseView:
    """The live state of a case, from its workflow (else the last one stored). The read is
    written to the access log, with the face (`via`) and the default purpose it came by."""
    summary = case_in_scope(session, user, case_id)
    record_case_read(session, user, summary, via=via, purpose=purpose)
    erased_at = keys_of(client).erased_at(case_id)
    if erased_at is not None:
        raise Erased(f"the case was erased on {erased_at:%Y-%m-%d}")
    state = await query_state(client, case_id)
    if state is None:
        state = _stored_view.validate_python(stored_view_of(keys_of(client), summary))
    return view_for(state, user.username)
