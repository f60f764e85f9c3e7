"""FastAPI dependencies: settings, database session, Temporal client, the current user."""

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session
from temporalio.client import Client

from api.auth import TokenClaims, read_token
from core.settings import Settings
from services.temporal import keys_of
from store.case_keys import CaseKeys
from store.db import end_read, engine_for
from store.models import User
from store.revocations import is_revoked
from store.users import get_user
from workflows.domain import Role

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_session(settings: SettingsDep) -> Iterator[Session]:
    with Session(engine_for(settings.resolved_database_url), expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_temporal(request: Request) -> Client:
    client: Client = request.app.state.temporal
    return client


TemporalDep = Annotated[Client, Depends(get_temporal)]


def get_case_keys(request: Request) -> CaseKeys:
    """Each case's data key, to open the sealed names of the read model (store/sealing.py)."""
    return keys_of(request.app.state.temporal)


CaseKeysDep = Annotated[CaseKeys, Depends(get_case_keys)]
def _unauthorised() -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, "not authenticated", headers={"WWW-Authenticate": "Bearer"})


def get_current_login(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> TokenClaims:
    """The bearer token's login: issued here for this API, unexpired, not logged out."""
    claims = read_token(token, settings) if token else None
    if claims is None or is_revoked(session, claims.jti):
        raise _unauthorised()
    return claims


CurrentLogin = Annotated[TokenClaims, Depends(get_current_login)]


def get_current_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    login = get_current_login(session, settings, token)
    user = get_user(session, login.username)
    end_read(session)
    if user is None or not user.active:
        raise _unauthorised()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require(*roles: Role) -> Callable[[User], User]:
    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {user.role} may not do this")
        return user

    return check


Admin = Annotated[User, Depends(require(Role.ADMIN))]


# A report's number in a path: a database integer, so a larger one is 422 naming it, not a 500.
ReportId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the report's number")]
