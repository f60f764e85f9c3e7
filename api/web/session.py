"""The page session: a signed cookie (itsdangerous, keyed by the service's secret) that names the
user and a random session id, and the CSRF token every form carries, derived from that id.

Every visitor has a session, signed in or not, so the login form is protected too; signing in
gives a new id (no session fixation), so a token from before no longer works.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "samverkan_session"


@dataclass(frozen=True)
class PageSession:
    sid: str
    username: str | None = None


class PageSessions:
    def __init__(self, secret: str, max_age_seconds: int, *, behind_tls: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="samverkan.page-session")
        self._csrf_key = hashlib.sha256(b"samverkan.csrf|" + secret.encode()).digest()
        self.max_age = max_age_seconds
        self.behind_tls = behind_tls

    def read(self, request: Request) -> PageSession | None:
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # also an expired one
            return None
        if not isinstance(data, dict) or not isinstance(data.get("s"), str):
            return None
        username = data.get("u")
        return PageSession(data["s"], username if isinstance(username, str) else None)

    @staticmethod
    def new(username: str | None = None) -> PageSession:
        """A new session with a new id: anonymous, or signed in as `username`."""
        return PageSession(secrets.token_urlsafe(18), username)

    def attach(self, response: Response, request: Request, session: PageSession) -> None:
        username = session.username
        value = self._serializer.dumps({"s": session.sid, "u": username} if username else {"s": session.sid})
        response.set_cookie(
            COOKIE,
            value,
            max_age=self.max_age,
            httponly=True,
            samesite="lax",
            secure=self.secure(request),
            path="/",
        )

    def end(self, response: Response, request: Request) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure(request))

    def secure(self, request: Request) -> bool:
        """Behind TLS, or reached over HTTPS (a proxy's X-Forwarded-Proto counts when uvicorn trusts it)."""
        return self.behind_tls or request.url.scheme == "https"

    def csrf_token(self, session: PageSession) -> str:
        return hmac.new(self._csrf_key, session.sid.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: PageSession | None, token: str | None) -> bool:
        return session is not None and bool(token) and hmac.compare_digest(self.csrf_token(session), str(token))
