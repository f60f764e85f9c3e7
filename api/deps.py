"""FastAPI dependencies: settings, database session, Temporal client, the current user.

Each is `async def`: a sync dependency costs a hop to the thread pool, and the database work
of a request belongs in one hop of its own (see `Caller` for the case routes)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session
from temporalio.client import Client

from api.auth import TokenClaims, read_token
from api.request_scope import request_session
from core.settings import Settings
from services.scope import CASE_ACTORS, CASE_LISTERS, CASE_OPENERS, CASE_READERS
from services.temporal import keys_of
from store.case_keys import CaseKeys
from store.db import end_read, reads_only
from store.models import User
from store.revocations import is_revoked
from store.users import live_user
from workflows.domain import Role

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


async def get_session() -> Session:
    # Made and closed around the request by api.request_scope (no `yield` here: cheaper).
    return request_session()


SessionDep = Annotated[Session, Depends(get_session)]


async def get_temporal(request: Request) -> Client:
    client: Client = request.app.state.temporal
    return client


TemporalDep = Annotated[Client, Depends(get_temporal)]


async def get_case_keys(request: Request) -> CaseKeys:
    """Each case's data key, to open the sealed names of the read model (store/sealing.py)."""
    return keys_of(request.app.state.temporal)


CaseKeysDep = Annotated[CaseKeys, Depends(get_case_keys)]


def _unauthorised() -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, "not authenticated", headers={"WWW-Authenticate": "Bearer"})


def claims_of_token(settings: Settings, token: str | None) -> TokenClaims:
    """The token's claims when it was issued here for this API and is unexpired (no database
    work); 401 otherwise. Whether it was logged out is asked with its user (`active_user`)."""
    claims = read_token(token, settings) if token else None
    if claims is None:
        raise _unauthorised()
    return claims


def live_login(session: Session, claims: TokenClaims) -> TokenClaims:
    """The login, unless it was logged out (blocking: one query); 401 then."""
    if is_revoked(session, claims.jti):
        raise _unauthorised()
    return claims


def get_current_login(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> TokenClaims:
    """The bearer token's login: issued here for this API, unexpired, not logged out."""
    return live_login(session, claims_of_token(settings, token))


CurrentLogin = Annotated[TokenClaims, Depends(get_current_login)]


def user_of_token(session: Session, settings: Settings, token: str | None) -> User:
    """The active user of the token's live login (blocking: one query); 401 otherwise. The
    session's read then ends: the request holds no connection while it waits on Temporal
    (`store.db.end_read`)."""
    try:
        claims = claims_of_token(settings, token)
        reads_only(session)
        return active_user(session, claims)
    finally:
        end_read(session)


def active_user(session: Session, login: TokenClaims) -> User:
    """The login's user, active and not logged out (blocking: one query); 401 otherwise."""
    user = live_user(session, login.username, login.jti)
    if user is None:
        raise _unauthorised()
    return user


def get_current_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    return user_of_token(session, settings, token)


CurrentUser = Annotated[User, Depends(get_current_user)]


def _allowed(user: User, roles: tuple[Role, ...]) -> User:
    if user.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {user.role} may not do this")
    return user


def require(*roles: Role) -> Callable[[User], Awaitable[User]]:
    async def check(user: CurrentUser) -> User:
        return _allowed(user, roles)

    return check


@dataclass
class Caller:
    """The caller of a case route, known by the token's claims only until the route's one
    thread hop asks for the user (`user()`, blocking): whether the login was logged out and the
    user's query then share the hop with the route's own database work. The same refusals as
    `require`: 401, then 403 (a body that does not validate is refused with 422 before a 401 of
    a logged-out login or a 403 of the role, where `require` refused first; nothing is written
    either way)."""

    session: Session
    login: TokenClaims
    roles: tuple[Role, ...]

    def user(self) -> User:
        return _allowed(active_user(self.session, self.login), self.roles)


def caller(*roles: Role) -> Callable[..., Awaitable[Caller]]:
    async def of(
        session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
    ) -> Caller:
        # A missing, forged or expired token is refused here, before the body is looked at, as
        # by `require`; whether it was logged out and the user is still active is asked in the
        # route's hop.
        return Caller(session, claims_of_token(settings, token), roles)

    return of


Admin = Annotated[User, Depends(require(Role.ADMIN))]

CaseLister = Annotated[User, Depends(require(*CASE_LISTERS))]
# The case routes on the hot path find the user inside their one thread hop (api.deps.Caller).
CaseReaderCall = Annotated[Caller, Depends(caller(*CASE_READERS))]
CaseActorCall = Annotated[Caller, Depends(caller(*CASE_ACTORS))]
# The opening finds its user before the body is validated (a role that may not open meets 403,
# not the body's 422): one hop more than the reads and actions, small beside the start itself.
CaseOpener = Annotated[User, Depends(require(*CASE_OPENERS))]


# A report's number in a path: a database integer, so a larger one is 422 naming it, not a 500.
ReportId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the report's number")]

# How many rows a page skips: a database integer too, so a larger one is 422 naming `offset`.
PageOffset = Annotated[int, Query(ge=0, le=2**31 - 1, description="rows to skip")]
