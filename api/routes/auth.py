"""Log in (OAuth2 password flow) and who am I."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.auth import issue_token
from api.deps import CurrentLogin, CurrentUser, SessionDep, SettingsDep
from api.sign_in import Face, SignIn, SignInRefused, client_address
from store.revocations import revoke

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


@router.post(
    "/auth/token",
    responses={
        401: {"description": "wrong username or password"},
        429: {"description": "too many failed logins for this username or address: see Retry-After"},
        503: {"description": "every password check is busy: see Retry-After"},
    },
)
def login(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, settings: SettingsDep
) -> Token:
    """Exchange a username and password for a bearer token."""
    sign_in: SignIn = request.app.state.sign_in
    try:
        user = sign_in(session, form.username, form.password, client_address(request), Face.API)
    except SignInRefused as refused:
        detail = "too many failed logins, try again later" if refused.status_code == 429 else "busy, try again"
        raise HTTPException(refused.status_code, detail, headers={"Retry-After": str(refused.retry_after)}) from None
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    return Token(access_token=issue_token(user.username, settings))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses={401: {"description": "not signed in"}})
def logout(login: CurrentLogin, session: SessionDep) -> Response:
    """End this token's login: from now on it is refused everywhere, until it would have expired."""
    revoke(session, login.jti, login.expires_at)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


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
