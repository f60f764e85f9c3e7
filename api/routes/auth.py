"""Log in (OAuth2 password flow) and who am I."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.auth import issue_token
from api.deps import CurrentUser, SessionDep, SettingsDep
from core.secrets import jwt_secret
from store.users import authenticate

router = APIRouter(tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class Me(BaseModel):
    username: str
    role: str
    organisation: str
    display_name: str
    email: str | None


@router.post("/auth/token")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, settings: SettingsDep) -> Token:
    """Exchange a username and password for a bearer token."""
    user = authenticate(session, form.username, form.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    return Token(access_token=issue_token(user.username, jwt_secret(settings), settings.token_minutes))


@router.get("/me")
def me(user: CurrentUser) -> Me:
    """The logged-in user, their role and organisation."""
    return Me(
        username=user.username,
        role=user.role,
        organisation=user.organisation,
        display_name=user.display_name,
        email=user.email,
    )
