"""Rendering a page: the language, the layout (the whole page, or for htmx only the swapped
block), the session's CSRF token and a fresh idempotency key for each form."""

import hashlib
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.web.nav import nav_for
from api.web.session import PageSessions
from core.i18n import Language, install_language, language_or_default
from store.models import User

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates" / "pages"
STATIC = ROOT / "static"
LANGUAGE_COOKIE = "samverkan_lang"
LANGUAGE_NAMES = {Language.SWEDISH: "Svenska", Language.ENGLISH: "English"}


def language_of(request: Request) -> Language:
    """`?lang=` first (and it is remembered), then the remembered choice, then Swedish."""
    return language_or_default(request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE))


def is_htmx(request: Request) -> bool:
    """An htmx swap; a history restore wants the whole page."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"


@cache
def static_url(path: str) -> str:
    """The file's URL with a digest of its content, so browsers may keep it until it changes."""
    digest = hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12]
    return f"/static/{path}?v={digest}"


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def _environment(language: Language) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        auto_reload=False,  # templates change with a release, not under a running server
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.globals.update(static_url=static_url, new_idempotency_key=new_idempotency_key)
    return install_language(env, language)


class Pages:
    def __init__(self, sessions: PageSessions) -> None:
        self.sessions = sessions
        self._environments = {language: _environment(language) for language in Language}

    def render(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        language = language_of(request)
        session = self.sessions.read(request)
        fresh = session is None
        if session is None:
            session = PageSessions.new()
        user: User | None = getattr(request.state, "user", None)
        html = (
            self._environments[language]
            .get_template(template)
            .render(
                context
                | {
                    "layout": "layout/htmx.html" if is_htmx(request) else "layout/base.html",
                    "request": request,
                    "user": user,
                    "nav": nav_for(user, request.url.path),
                    "other_languages": self._other_languages(request, language),
                    "csrf_token": self.sessions.csrf_token(session),
                }
            )
        )
        response = HTMLResponse(html, status_code=status_code, headers={"Vary": "HX-Request, Cookie"})
        if fresh:
            self.sessions.attach(response, request, session)
        if "lang" in request.query_params and request.query_params["lang"] == language.value:
            response.set_cookie(
                LANGUAGE_COOKIE,
                language.value,
                max_age=365 * 24 * 3600,
                httponly=True,
                samesite="lax",
                secure=self.sessions.secure(request),
            )
        return response

    def fragment(self, request: Request, template: str, **context: Any) -> str:
        """A piece of a page for htmx to swap in, in the user's language."""
        return self._environments[language_of(request)].get_template(template).render(context)

    @staticmethod
    def _other_languages(request: Request, current: Language) -> list[dict[str, str]]:
        links = []
        for lang in Language:
            if lang is not current:
                url = request.url.include_query_params(lang=lang.value)
                links.append({"code": lang.value, "name": LANGUAGE_NAMES[lang], "url": f"{url.path}?{url.query}"})
        return links
