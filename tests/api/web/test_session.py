"""The page session cookie: signed, expiring, rotated on sign-in; the CSRF token fits one session."""

from starlette.requests import Request
from starlette.responses import Response

from api.web.session import COOKIE, PageSession, PageSessions


def request(cookie: str | None = None, scheme: str = "http") -> Request:
    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())] if cookie else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "scheme": scheme,
                    "server": ("samverkan.test", 80), "query_string": b""})


def issued(sessions: PageSessions, session: PageSession, scheme: str = "http") -> tuple[str, str]:
    response = Response()
    sessions.attach(response, request(scheme=scheme), session)
    header = response.headers["set-cookie"]
    return header.split(";")[0].split("=", 1)[1], header.lower()


def test_a_signed_cookie_names_the_user_and_a_tampered_one_names_nobody() -> None:
    sessions = PageSessions("secret-1", 3600, behind_tls=False)
    value, header = issued(sessions, sessions.new("hanna"))
    assert sessions.read(request(value)) is not None and sessions.read(request(value)).username == "hanna"  # type: ignore[union-attr]
    assert "httponly" in header and "samesite=lax" in header and "secure" not in header
    assert sessions.read(request(value[:-2] + "xx")) is None
    assert PageSessions("another-secret", 3600, behind_tls=False).read(request(value)) is None


def test_an_expired_cookie_is_no_session() -> None:
    sessions = PageSessions("secret-1", 3600, behind_tls=False)
    value, _ = issued(sessions, sessions.new("hanna"))
    assert PageSessions("secret-1", -1, behind_tls=False).read(request(value)) is None


def test_cookies_are_secure_over_https_and_behind_tls() -> None:
    sessions = PageSessions("s", 60, behind_tls=False)
    assert "secure" in issued(sessions, sessions.new(), scheme="https")[1]
    behind = PageSessions("s", 60, behind_tls=True)
    assert "secure" in issued(behind, behind.new())[1]


def test_the_csrf_token_fits_its_session_only() -> None:
    sessions = PageSessions("secret-1", 3600, behind_tls=False)
    before, after = sessions.new(), sessions.new("hanna")
    assert before.sid != after.sid  # signing in gives a new session id
    token = sessions.csrf_token(before)
    assert sessions.csrf_ok(before, token)
    assert not sessions.csrf_ok(after, token) and not sessions.csrf_ok(None, token)
    assert not sessions.csrf_ok(before, "") and not sessions.csrf_ok(before, None)
