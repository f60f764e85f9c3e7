"""A municipality of its own for the page tests: its users, a job track and quick clocks, so the
pages show exactly what a test made, whatever other tests do on the shared stack."""

import re
from dataclasses import dataclass
from typing import Any

import httpx

from api.main import create_app
from tests.stack import Stack, case_body

PASSWORD = "samverkan-demo"
# Introduction due after 3 s, reminded 1 s before, escalated 1 s after: overdue and escalated
# within a few seconds; the follow-up interval stays at its days.
QUICK = {"introduction": "PT3S", "reminder_ahead": "PT1S", "escalate_after": "PT1S"}


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    worker: str
    coordinator: str
    lead: str
    track_id: str


async def build_town(stack: Stack, code: str, name: str) -> Town:
    admin = await stack.headers("admin")
    r = await stack.api.post("/api/v1/municipalities", json={"code": code, "name": name}, headers=admin)
    assert r.status_code == 201, r.text
    town = Town(code, name, f"handl.{code}", f"samordn.{code}", f"spar.{code}", f"spar-{code}")
    people = [
        (town.worker, "case_worker", "Hanna Handläggare"),
        (town.coordinator, "coordinator", "Sara Samordnare"),
        (town.lead, "track_lead", "Sven Spåransvarig"),
    ]
    for username, role, display_name in people:
        body = {"username": username, "password": PASSWORD, "role": role, "organisation": code,
                "display_name": f"{display_name} ({name})", "email": f"{username}@prov.example.se"}
        r = await stack.api.post("/api/v1/users", json=body, headers=admin)
        assert r.status_code == 201, r.text
    track = {"track_id": town.track_id, "name": f"Jobbspår restaurang {name}", "municipalities": [code],
             "industry": "restaurant", "seats": 2, "prerequisites": {"min_swedish_level": "sfi_b"}, "lead": town.lead}
    r = await stack.api.post("/api/v1/tracks", json=track, headers=admin)
    assert r.status_code == 201, r.text
    await stack.set_policy(code, **QUICK)
    return town


async def open_case(stack: Stack, town: Town, **overrides: Any) -> str:
    body = case_body(municipality=town.code, **overrides)
    r = await stack.api.post("/api/v1/cases", json=body, headers=await stack.headers(town.worker, PASSWORD))
    assert r.status_code == 201, r.text
    return str(r.json()["case_id"])


async def to_track_selection(stack: Stack, town: Town, case_id: str) -> None:
    await stack.act(town.worker, case_id, "complete-introduction")
    # The joint standpoint is Arbetsförmedlingen's decision with the participant.
    await stack.act("arbetsformedlare", case_id, "joint-standpoint", {"decision": "track"})


def browser(stack: Stack, base_url: str = "http://samverkan.test") -> httpx.AsyncClient:
    """A client with a cookie jar of its own, on an app of its own over the same stack."""
    app = create_app(stack.settings, temporal=stack.temporal)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "a form without its CSRF token"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/login")
    r = await client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_token(page.text)}
    )
    assert r.status_code == 303, r.text
    return r
