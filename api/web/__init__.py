"""The web pages: server-rendered HTML (Jinja2 and htmx) for case workers, track leads and the
rest, on the same users, roles and scope as the JSON API, in Swedish by default."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web import (
    access_review,
    audit,
    case,
    case_opening,
    dashboard,
    login,
    register_extract,
    reports,
    statement,
    tasks,
    tracks,
    worklist,
)
from api.web.errors import install_error_pages
from api.web.render import STATIC, Pages
from api.web.security import SecurityHeaders
from api.web.session import PageSessions
from core.secrets import jwt_secret
from core.settings import Settings


def install_pages(app: FastAPI, settings: Settings) -> None:
    sessions = PageSessions(jwt_secret(settings), settings.token_minutes * 60, behind_tls=settings.behind_tls)
    app.state.pages = Pages(sessions)
    app.add_middleware(SecurityHeaders, behind_tls=settings.behind_tls)
    install_error_pages(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    pages = (login, worklist, case_opening, case, tasks, tracks, dashboard, reports, statement, audit, access_review,
             register_extract)
    for module in pages:
        app.include_router(module.router)
