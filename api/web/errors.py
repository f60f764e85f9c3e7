"""Errors as a person meets them: a page that says what happened and where to go, in the
user's language. The JSON API keeps its `{"detail": …}` answers."""

from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.web.deps import CsrfRefused, LoginRequired, session_user
from api.web.render import Pages, is_htmx
from core.settings import Settings
from services.errors import DomainError, Forbidden, NotFound, Refused, Unavailable
from store.db import session_scope

log = structlog.get_logger()
# Paths that answer machines; everything else is a page.
MACHINE_PATHS = ("/api/", "/codec", "/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/redoc")


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(MACHINE_PATHS)


def _error_page(request: Request, code: int, reason: str | None = None) -> Response:
    pages: Pages = request.app.state.pages
    settings: Settings = request.app.state.settings
    if getattr(request.state, "user", None) is None:
        # A route that failed before it knew the user (or no route at all): the header still
        # shows who is signed in.
        with session_scope(settings.resolved_database_url) as db:
            request.state.user = session_user(request, pages, db)
    return pages.render(request, "error.html", code, code=code, reason=reason)


def page_answer(request: Request, error: DomainError) -> Response:
    """A domain error met outside a form (a form shows its own next to its fields)."""
    if isinstance(error, NotFound):
        return _error_page(request, status.HTTP_404_NOT_FOUND)
    if isinstance(error, Forbidden):
        return _error_page(request, status.HTTP_403_FORBIDDEN)
    if isinstance(error, Unavailable):
        return _error_page(request, status.HTTP_503_SERVICE_UNAVAILABLE)
    return _error_page(request, status.HTTP_409_CONFLICT if isinstance(error, Refused) else 400)


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login = f"/login?next={quote(target, safe='')}" if target != "/" else "/login"
        if is_htmx(request):
            # htmx would swap the login form into the list: have it load the page instead.
            return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"HX-Redirect": login})
        return RedirectResponse(login, status.HTTP_303_SEE_OTHER)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: Exception) -> Response:
        log.info("page_form_refused", path=request.url.path, reason="csrf")
        return _error_page(request, status.HTTP_403_FORBIDDEN, reason="form_expired")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not is_page(request) or exc.status_code not in (403, 404, 405):
            return await http_exception_handler(request, exc)
        return _error_page(request, exc.status_code)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("page_failed", path=request.url.path, error=type(exc).__name__)
        if not is_page(request):
            return PlainTextResponse("Internal Server Error", status.HTTP_500_INTERNAL_SERVER_ERROR)
        return _error_page(request, status.HTTP_500_INTERNAL_SERVER_ERROR)
