"""What a page route needs: the renderer, the signed-in user (else a way to the login page), and
a form whose CSRF token matches the session."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from starlette.datastructures import FormData

from api.deps import SessionDep
from api.web.render import Pages
from store.db import end_read
from store.models import User
from store.users import get_user
from workflows.domain import Role


class LoginRequired(Exception):
    """No signed-in user: the page sends the browser to the login form and back."""


class CsrfRefused(Exception):
    """A form without the session's token: it may come from another site, or from an old session."""


def get_pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


PagesDep = Annotated[Pages, Depends(get_pages)]


def signed_in_user(request: Request, pages: PagesDep, session: SessionDep) -> User | None:
    page_session = pages.sessions.read(request)
    user = get_user(session, page_session.username) if page_session and page_session.username else None
    end_read(session)
    if user is None or not user.active:
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
