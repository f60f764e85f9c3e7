"""Users, municipalities and time policies: what an administrator keeps."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, EmailStr, Field, StringConstraints
from sqlmodel import select

from api.deps import Admin, CurrentUser, SessionDep
from store.models import Municipality
from store.policies import DEFAULT, policy_for, put_policy, to_iso
from store.users import create_user, get_user
from workflows.domain import AF, Role

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

    model_config = {"extra": "forbid"}
    introduction: timedelta | None = None
    follow_up_interval: timedelta | None = None
    outcome_check_after: timedelta | None = None
    reminder_ahead: timedelta | None = None
    escalate_after: timedelta | None = None
    offer_answer_time: timedelta | None = None
    withdrawn_review: timedelta | None = None


def _known_organisation(session: SessionDep, code: str) -> bool:
    return code == AF or session.get(Municipality, code) is not None


@router.post("/users", status_code=status.HTTP_201_CREATED)
def add_user(body: UserCreate, session: SessionDep, _: Admin) -> UserPublic:
    """Create a user in an organisation (`af` or a municipality's code)."""
    if not _known_organisation(session, body.organisation):
        raise HTTPException(
            422, [{"loc": ["body", "organisation"], "msg": "unknown organisation", "type": "value_error"}]
        )
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
    changes = body.model_dump(exclude_none=True)
    bad = [name for name, value in changes.items() if value <= timedelta(0)]
    if bad:
        raise HTTPException(
            422, [{"loc": ["body", n], "msg": "must be a positive duration", "type": "value_error"} for n in bad]
        )
    put_policy(session, municipality, changes, admin.username)
    return to_iso(policy_for(session, municipality))
