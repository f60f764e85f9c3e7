"""Signing in and out of the pages: the same users, passwords and roles as the API."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse, Response

from api.deps import SessionDep
from api.sign_in import Face, SignIn, SignInRefused, client_address
from api.web.deps import CheckedForm, PagesDep, signed_in_user
from api.web.forms import FormErrors, text_field
from api.web.render import Pages
from core.words import N_
from store.models import User
from store.revocations import revoke

router = APIRouter(include_in_schema=False)
log = structlog.get_logger()
MaybeUser = Annotated[User | None, Depends(signed_in_user)]


def safe_next(value: str | None) -> str:
    """Only a path on this site: a link from elsewhere must not send a signed-in user away."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@router.get("/login")
def login_page(request: Request, pages: PagesDep, user: MaybeUser, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    signed_out = request.query_params.get("signed_out") == "1"
    return pages.render(
        request, "login.html", next=safe_next(next), username="", errors=FormErrors(), signed_out=signed_out
    )


@router.post("/login")
def login(request: Request, pages: PagesDep, form: CheckedForm, session: SessionDep) -> Response:
    username, password = text_field(form, "username"), text_field(form, "password", strip=False)
    next_path = safe_next(text_field(form, "next"))
    errors = FormErrors()
    if not username:
        errors.add("username", N_("Enter your username"))
    if not password:
        errors.add("password", N_("Enter your password"))
    if errors:
        return _again(request, pages, status.HTTP_422_UNPROCESSABLE_CONTENT, next_path, username, errors)
    sign_in: SignIn = request.app.state.sign_in
    try:
        user = sign_in(session, username, password, client_address(request), Face.PAGES)
    except SignInRefused as refused:
        if refused.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
            errors.add("username", N_("Too many failed attempts. Wait a while and try again."))
        else:
            errors.add("username", N_("The service is busy. Try again in a moment."))
        again = _again(request, pages, refused.status_code, next_path, username, errors)
        again.headers["Retry-After"] = str(refused.retry_after)
        return again
    if user is None:
        errors.add("username", N_("The username or the password is wrong"))
        return _again(request, pages, status.HTTP_401_UNAUTHORIZED, next_path, username, errors)
    response = RedirectResponse(next_path, status.HTTP_303_SEE_OTHER)
    # A new session id on sign-in: a session planted before it is worth nothing.
    pages.sessions.attach(response, request, pages.sessions.new(user.username))
    return response


def _again(request: Request, pages: Pages, code: int, next_path: str, username: str, errors: FormErrors) -> Response:
    """The form again with what was wrong; the username stays, the password never comes back."""
    return pages.render(request, "login.html", code, next=next_path, username=username, errors=errors, signed_out=False)


@router.get("/logout")
def logout_page(request: Request, pages: PagesDep, user: MaybeUser) -> Response:
    if user is None:
        return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    return pages.render(request, "logout.html")


@router.post("/logout")
def logout(request: Request, pages: PagesDep, _: CheckedForm, session: SessionDep) -> Response:
    page_session = pages.sessions.read(request)
    if page_session is not None and page_session.username is not None:
        # Revoked, not only deleted: a copy of the cookie no longer signs anyone in.
        revoke(session, page_session.sid, datetime.now(UTC) + timedelta(seconds=pages.sessions.max_age))
        log.info("logout", username=page_session.username, face=Face.PAGES)
    response = RedirectResponse("/login?signed_out=1", status.HTTP_303_SEE_OTHER)
    pages.sessions.end(response, request)
    return response
