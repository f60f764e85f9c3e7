"""Users, municipalities and time policies: what an administrator keeps."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, EmailStr, Field, StringConstraints, field_validator
from sqlmodel import select

from api.deps import Admin, CurrentUser, SessionDep, SettingsDep, TemporalDep
from services.errors import FieldError, InvalidFields
from services.rebuild import journeys_on, rebuild
from services.temporal import keys_of
from store.models import Municipality
from store.policies import DEFAULT, Rule, policy_for, put_policy, to_iso
from store.users import create_user, get_user
from workflows.domain import AF, Role
from workflows.period import Period

router = APIRouter(tags=["administration"])

Username = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")]
Code = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]


class UserCreate(BaseModel):
    username: Username
    password: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    role: Role
    organisation: Annotated[str, StringConstraints(pattern=r"^(af|\d{4})$")]
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    email: EmailStr | None = None


class UserPublic(BaseModel):
    username: str
    role: str
    organisation: str
    display_name: str
    email: str | None


class MunicipalityPublic(BaseModel):
    code: str
    name: str


class MunicipalityCreate(BaseModel):
    code: Code = Field(description="kommunkod")
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]


class PolicyUpdate(BaseModel):
    """Time rules as ISO-8601 durations; fields left out keep their value."""

    @field_validator("programme_time")
    @classmethod
    def _period(cls, value: str | None) -> str | None:
        if value is not None:
            Period.parse(value)  # raises ValueError: a 422 naming the field
        return value

    model_config = {"extra": "forbid"}
    introduction: timedelta | None = None
    follow_up_interval: timedelta | None = None
    outcome_check_after: timedelta | None = None
    reminder_ahead: timedelta | None = None
    escalate_after: timedelta | None = None
    offer_answer_time: timedelta | None = None
    withdrawn_review: timedelta | None = None
    programme_time: str | None = Field(
        default=None, description="e.g. P24M (calendar months): from the establishment start, else the opening"
    )
    introduction_new_to_sfi: timedelta | None = Field(
        default=None, description="the introduction for those new to SFI (Grästorp: P28D, 002)"
    )


def _positive(rule: Rule) -> bool:
    return rule.positive if isinstance(rule, Period) else rule > timedelta(0)


def _known_organisation(session: SessionDep, code: str) -> bool:
    return code == AF or session.get(Municipality, code) is not None


@router.post("/users", status_code=status.HTTP_201_CREATED)
def add_user(body: UserCreate, session: SessionDep, _: Admin) -> UserPublic:
    """Create a user in an organisation (`af` or a municipality's code)."""
    if not _known_organisation(session, body.organisation):
        raise InvalidFields.one("organisation", "unknown organisation")
    if get_user(session, body.username) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"user {body.username} exists")
    user = create_user(session, **body.model_dump())
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("/municipalities")
def list_municipalities(session: SessionDep, _: CurrentUser) -> list[MunicipalityPublic]:
    """Every municipality known to the service, by kommunkod."""
    rows = session.exec(select(Municipality).order_by(Municipality.code))
    return [MunicipalityPublic(code=m.code, name=m.name) for m in rows]


@router.post("/municipalities", status_code=status.HTTP_201_CREATED)
def add_municipality(body: MunicipalityCreate, session: SessionDep, _: Admin) -> MunicipalityPublic:
    """Add a municipality that joins an agreement."""
    if session.get(Municipality, body.code) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"municipality {body.code} exists")
    session.add(Municipality(code=body.code, name=body.name))
    session.commit()
    return MunicipalityPublic(code=body.code, name=body.name)


@router.get("/policies/{municipality}")
def get_policy(municipality: str, session: SessionDep, _: CurrentUser) -> dict[str, str]:
    """The time rules new cases of this municipality get."""
    if municipality != DEFAULT and session.get(Municipality, municipality) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no municipality {municipality}")
    return to_iso(policy_for(session, municipality))


@router.put("/policies/{municipality}")
def set_policy(municipality: str, body: PolicyUpdate, session: SessionDep, admin: Admin) -> dict[str, str]:
    """Set time rules (ISO-8601 durations such as `P14D` or `PT5S`). Open cases keep theirs."""
    if municipality != DEFAULT and session.get(Municipality, municipality) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no municipality {municipality}")
    changes: dict[str, Rule] = {
        name: Period.parse(value) if isinstance(value, str) else value
        for name, value in body.model_dump(exclude_none=True).items()
    }
    bad = [name for name, value in changes.items() if not _positive(value)]
    if bad:
        raise InvalidFields([FieldError(n, "must be a positive duration") for n in bad])
    put_policy(session, municipality, changes, admin.username)
    return to_iso(policy_for(session, municipality))


class RebuildResult(BaseModel):
    cases: int = Field(description="journeys read from Temporal, open and closed")
    written: int = Field(description="read-model rows written")


@router.post("/admin/rebuild-read-model")
async def rebuild_read_model(_: Admin, temporal: TemporalDep, settings: SettingsDep) -> RebuildResult:
    """Rebuild the case read model (the figures' source) from the journeys' state in Temporal."""
    done = await rebuild(temporal, settings.resolved_database_url, keys_of(temporal), journeys_on(settings.task_queue))
    return RebuildResult(cases=done.cases, written=done.written)
