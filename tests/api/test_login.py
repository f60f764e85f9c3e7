"""Signing in as an attacker meets it: guessing is throttled per username and per address,
password checks are bounded, tokens are this service's for this API and die at logout (the
API's bearer tokens and the pages' session cookie alike), and the log says who signed in or
failed without a password or anything typed that is not a user."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from structlog.testing import capture_logs

from api.main import create_app
from api.sign_in import SignIn
from core.logging import configure_logging
from core.secrets import jwt_secret
from store.seed import DEMO_PASSWORD
from tests.api.own_app import app_with
from tests.api.web.town import browser, csrf_token, sign_in
from tests.stack import Stack

TOKEN = "/api/v1/auth/token"


def login(username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    return {"username": username, "password": password}


@contextmanager
def info_logs() -> Iterator[list[dict[str, Any]]]:
    configure_logging("console", "info")
    try:
        with capture_logs() as logs:
            yield logs
    finally:
        configure_logging("console", "warning")


async def test_failed_logins_of_one_user_are_throttled_with_retry_after(stack: Stack) -> None:
    async with app_with(stack, login_failures_per_user=3, login_window_seconds=600) as api:
        app = api.app  # type: ignore[attr-defined]
        now = [1000.0]  # the throttle's clock, moved by the test: 10 minutes pass in no time
        app.state.sign_in = SignIn(app.state.settings, clock=lambda: now[0])
        for _ in range(3):
            assert (await api.post(TOKEN, data=login("samordnare", "guess"))).status_code == 401
        throttled = await api.post(TOKEN, data=login("samordnare"))  # even the right password now
        assert throttled.status_code == 429
        assert throttled.headers["retry-after"] == "600"
        assert (await api.post(TOKEN, data=login("chef"))).status_code == 200  # others sign in
        now[0] += 599
        assert (await api.post(TOKEN, data=login("samordnare"))).status_code == 429
        now[0] += 1
        assert (await api.post(TOKEN, data=login("samordnare"))).status_code == 200


async def test_failed_logins_from_one_address_are_throttled_whatever_the_username(stack: Stack) -> None:
    async with app_with(stack, login_failures_per_address=4) as api:
        for name in ("a1", "a2", "a3", "a4"):
            assert (await api.post(TOKEN, data=login(name, "guess"))).status_code == 401
        refused = await api.post(TOKEN, data=login("handlaggare"))
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        app = api.app  # type: ignore[attr-defined]
        other = httpx.ASGITransport(app=app, client=("10.0.0.2", 40000))
        async with httpx.AsyncClient(transport=other, base_url="http://samverkan.test") as elsewhere:
            assert (await elsewhere.post(TOKEN, data=login("handlaggare"))).status_code == 200


async def test_the_login_page_is_throttled_too_and_says_so(stack: Stack) -> None:
    async with app_with(stack, address="10.0.0.3", login_failures_per_user=2) as client:
        for _ in range(3):
            page = await client.get("/login")
            r = await client.post(
                "/login", data=login("samordnare", "guess") | {"csrf_token": csrf_token(page.text)}
            )
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert "För många misslyckade försök" in r.text and "guess" not in r.text


async def test_password_checks_run_a_bounded_number_at_a_time(stack: Stack) -> None:
    async with app_with(stack, password_hashing_concurrency=1, password_hashing_wait=0) as api:
        answers = await asyncio.gather(*(api.post(TOKEN, data=login("chef")) for _ in range(8)))
    codes = sorted(r.status_code for r in answers)
    assert 200 in codes and 503 in codes, codes
    assert set(codes) == {200, 503}
    assert all(int(r.headers["retry-after"]) >= 1 for r in answers if r.status_code == 503)


async def test_logins_are_logged_without_password_or_what_was_typed(stack: Stack) -> None:
    typed_number = "199001010017"  # a personal number typed as a username by mistake
    async with app_with(stack, address="10.0.0.4") as api:
        with info_logs() as logs:
            assert (await api.post(TOKEN, data=login("granskare"))).status_code == 200
            assert (await api.post(TOKEN, data=login("granskare", "hemligt-fel"))).status_code == 401
            assert (await api.post(TOKEN, data=login(typed_number, "hemligt-fel"))).status_code == 401
    events = [(e["event"], e.get("username"), e.get("address")) for e in logs if e["event"].startswith("login_")]
    assert events == [
        ("login_succeeded", "granskare", "10.0.0.4"),
        ("login_failed", "granskare", "10.0.0.4"),
        ("login_failed", None, "10.0.0.4"),
    ]
    everything = repr(logs)
    assert DEMO_PASSWORD not in everything and "hemligt-fel" not in everything and typed_number not in everything


async def test_tokens_name_this_service_and_this_api_and_each_has_an_id(stack: Stack) -> None:
    secret = jwt_secret(stack.settings)
    token = (await stack.api.post(TOKEN, data=login("chef"))).json()["access_token"]
    claims = jwt.decode(token, secret, algorithms=["HS256"], audience="samverkan-api")
    assert claims["iss"] == "samverkan" and claims["aud"] == "samverkan-api" and len(claims["jti"]) >= 16
    again = (await stack.api.post(TOKEN, data=login("chef"))).json()["access_token"]
    assert jwt.decode(again, secret, algorithms=["HS256"], audience="samverkan-api")["jti"] != claims["jti"]
    now = datetime.now(UTC)
    good = {"sub": "chef", "iat": now, "exp": now + timedelta(minutes=5), "iss": "samverkan",
            "aud": "samverkan-api", "jti": "a-token-id-of-its-own"}
    assert await me(stack, jwt.encode(good, secret, algorithm="HS256")) == 200
    for forged in (
        good | {"iss": "someone-else"},
        good | {"aud": "another-api"},
        {k: v for k, v in good.items() if k != "jti"},
        {k: v for k, v in good.items() if k not in ("iss", "aud", "jti")},  # a token from before
        good | {"exp": now - timedelta(seconds=1)},
    ):
        assert await me(stack, jwt.encode(forged, secret, algorithm="HS256")) == 401, forged
    assert await me(stack, jwt.encode(good, "another-secret-of-at-least-32-bytes!", algorithm="HS256")) == 401


async def test_a_token_checked_while_it_lived_is_refused_once_it_ends(stack: Stack) -> None:
    """A token's signature is checked once per process; its end, at every request."""
    ends = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    claims = {"sub": "chef", "iat": ends - timedelta(minutes=5), "exp": ends, "iss": "samverkan",
              "aud": "samverkan-api", "jti": "a-short-lived-token"}
    token = jwt.encode(claims, jwt_secret(stack.settings), algorithm="HS256")
    assert await me(stack, token) == 200
    await asyncio.sleep((ends - datetime.now(UTC)).total_seconds() + 0.1)
    assert await me(stack, token) == 401


async def me(stack: Stack, token: str) -> int:
    return (await stack.api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code


async def test_logout_revokes_the_token_everywhere_and_only_that_one(stack: Stack) -> None:
    first = (await stack.api.post(TOKEN, data=login("samordnare"))).json()["access_token"]
    second = (await stack.api.post(TOKEN, data=login("samordnare"))).json()["access_token"]
    assert await me(stack, first) == 200
    out = await stack.api.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {first}"})
    assert out.status_code == 204
    assert await me(stack, first) == 401
    cases = await stack.api.get("/api/v1/cases", headers={"Authorization": f"Bearer {first}"})
    assert cases.status_code == 401
    again = await stack.api.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {first}"})
    assert again.status_code == 401
    assert await me(stack, second) == 200  # another login of the same user goes on
    # Another app process over the same database refuses it too.
    async with app_with(stack) as api:
        assert (await api.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"})).status_code == 401


async def test_signing_out_of_the_pages_revokes_the_session_cookie(stack: Stack) -> None:
    async with browser(stack) as client:
        await sign_in(client, "samordnare")
        assert (await client.get("/tasks")).status_code == 200
        copied = dict(client.cookies)
        page = await client.get("/logout")
        assert (await client.post("/logout", data={"csrf_token": csrf_token(page.text)})).status_code == 303
    async with browser(stack) as thief:
        thief.cookies.update(copied)  # the cookie as it was before the sign-out
        r = await thief.get("/tasks")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_short_signing_secret_stops_the_start(stack: Stack) -> None:
    with pytest.raises(ValueError, match="SAMVERKAN_JWT_SECRET must be at least 32 bytes"):
        create_app(stack.settings.model_copy(update={"jwt_secret": "x" * 31}), temporal=stack.temporal)
    create_app(stack.settings.model_copy(update={"jwt_secret": "x" * 32}), temporal=stack.temporal)


