"""Signing in to the pages as a demo case worker, through the login form (its CSRF token
included), for the page benches."""

import re

import httpx

from store.seed import DEMO_PASSWORD


async def sign_in(browser: httpx.AsyncClient, username: str = "handlaggare") -> None:
    login = await browser.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert token is not None
    signed_in = await browser.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token.group(1)}
    )
    assert signed_in.status_code == 303, signed_in.text
