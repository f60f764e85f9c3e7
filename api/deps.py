"""FastAPI dependencies: settings, database session, Temporal client, the current user.

Each is `async def`: a sync dependency costs a hop to the thread pool, and the database work
of a request belongs in one hop of its own (see `Caller` for the case routes)."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session
from temporalio.client import Client

from api.auth import username_from_token
from core.secrets import jwt_secret
from core.settings import Settings
from store.db import engine_for
from store.models import User
from store.users import get_user
from workflows.domain import Role

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


async def get_session(settings: SettingsDep) -> AsyncIterator[Session]:
    # Making a session touches no database; its first query takes a connection.
    session = Session(engine_for(settings.resolved_database_url), expire_on_commit=False)
    try:
        yield session
    finally:
        # The case routes give their connection back inside their own hop, so this close is then
        # free; otherwise giving the connection back (a rollback) is database work: off the loop.
        if session.in_transaction():
            await asyncio.to_thread(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]


async def get_temporal(request: Request) -> Client:
    client: Client = request.app.state.temporal
    return client


TemporalDep = Annotated[Client, Depends(get_temporal)]


def _unauthorised() -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, "not authenticated", headers={"WWW-Authenticate": "Bearer"})


def user_of_token(session: Session, settings: Settings, token: str | None) -> User:
    """The active user the token names (blocking: one query); 401 otherwise."""
    return active_user(session, username_from_token(token, jwt_secret(settings)) if token else None)


def active_user(session: Session, username: str | None) -> User:
    user = get_user(session, username) if username else None
    if user is None or not user.active:
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
    """The caller of a case route, known by the token's name only until the route's one thread
    hop asks for the user (`user()`, blocking): the user's query then shares the hop with the
    route's own database work. The same refusals as `require`: 401, then 403 (a body that does
    not validate is refused with 422 before a 403 of the role, where `require` refused with 403
    first; nothing is written either way)."""

    session: Session
    username: str
    roles: tuple[Role, ...]

    def user(self) -> User:
        return _allowed(active_user(self.session, self.username), self.roles)


def caller(*roles: Role) -> Callable[..., Awaitable[Caller]]:
    async def of(
        session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
    ) -> Caller:
        # A missing, forged or expired token is refused here, before the body is looked at, as
        # by `require`; whether the user is still active is asked in the route's hop.
        username = username_from_token(token, jwt_secret(settings)) if token else None
        if not username:
            raise _unauthorised()
        return Caller(session, username, roles)

    return of


Admin = Annotated[User, Depends(require(Role.ADMIN))]
