"""What a page route needs: the renderer, the signed-in user (else a way to the login page), and
a form whose CSRF token matches the session."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlmodel import Session
from starlette.datastructures import FormData

from api.deps import SessionDep
from api.web.render import Pages
from store.db import end_read, reads_only
from store.models import User
from store.users import live_user
from workflows.domain import Role


class LoginRequired(Exception):
    """No signed-in user: the page sends the browser to the login form and back."""


class CsrfRefused(Exception):
    """A form without the session's token: it may come from another site, or from an old session."""


def get_pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


PagesDep = Annotated[Pages, Depends(get_pages)]


def session_user(request: Request, pages: Pages, db: Session) -> User | None:
    """The user the page session's cookie names, unless that session was logged out (revoked) or
    the user is no longer active: one query, whose read then ends (the request holds no
    connection while it waits on Temporal)."""
    page_session = pages.sessions.read(request)
    if page_session is None or page_session.username is None:
        return None
    reads_only(db)
    try:
        return live_user(db, page_session.username, page_session.sid)
    finally:
        end_read(db)


def signed_in_user(request: Request, pages: PagesDep, session: SessionDep) -> User | None:
    user = session_user(request, pages, session)
    if user is None:
        return None
    request.state.user = user  # the header shows who is signed in
    return user


def page_user(user: Annotated[User | None, Depends(signed_in_user)]) -> User:
    if user is None:
        raise LoginRequired
    return user


PageUser = Annotated[User, Depends(page_user)]


def page_for(*roles: Role) -> Callable[[User], User]:
    def check(user: PageUser) -> User:
        if user.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN)
        return user

    return check


async def checked_form(request: Request, pages: PagesDep) -> FormData:
    form = await request.form()
    token = form.get("csrf_token")
    if not pages.sessions.csrf_ok(pages.sessions.read(request), token if isinstance(token, str) else None):
        raise CsrfRefused
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
