"""Schemathesis over the service's own /openapi.json, as each role: every generated request is
sent through the real app (ASGI, in the stack's event loop, on a real Temporal and database) and
every answer is checked: no 5xx, a status code the schema names, a body and headers the schema
allows. `make test` runs a short seeded run (tests/api/test_fuzz.py), `make fuzz` a long one.

Hypothesis runs in a thread of its own: its test function is synchronous, and the app, the
worker and the Temporal client live in the stack's event loop, which stays free meanwhile."""

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.auth import issue_token
from tests.stack import Stack

# One login of each role (the demo users, and the administrator).
ROLES = [
    "admin", "handlaggare", "arbetsformedlare", "samordnare", "sparansvarig", "chef", "chef-norrkoping", "granskare"
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@dataclass
class FuzzRun:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    # (method path, what was wrong) → an example: the first request that showed it.
    findings: dict[tuple[str, str], str] = field(default_factory=dict)

    def report(self) -> str:
        lines = [f"{self.requests} requests, statuses {dict(sorted(self.statuses.items()))}"]
        lines += [f"{op}: {what}\n    {example}" for (op, what), example in sorted(self.findings.items())]
        return "\n".join(lines)


async def known_ids(stack: Stack) -> dict[str, list[str]]:
    """Real ids for path parameters, so that requests also reach past the 404s."""
    cases = [(await stack.open_case())["case_id"] for _ in range(3)]
    tracks = [t["track_id"] for t in await stack.get("admin", "/api/v1/tracks")]
    return {"case_id": cases, "track_id": tracks, "username": ROLES, "municipality": ["0581", "default"]}


async def fuzz(stack: Stack, examples: int, seed_value: int) -> FuzzRun:
    raw = (await stack.api.get("/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(raw)
    # Minted as the login does: the run's own failed logins may throttle the address, and its
    # logouts revoke; a new token after each logout keeps every role signed in.
    tokens = {role: f"Bearer {issue_token(role, stack.settings)}" for role in ROLES}
    ids = await known_ids(stack)
    loop = asyncio.get_running_loop()
    run = FuzzRun()

    def send(kwargs: dict[str, Any]) -> httpx.Response:
        call = stack.api.request(**kwargs)
        return asyncio.run_coroutine_threadsafe(call, loop).result(timeout=120)

    @seed(seed_value)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],  # no shrinking: each finding is kept with its first example
        suppress_health_check=list(HealthCheck),
    )
    @given(case=schema.as_strategy(), role=st.sampled_from(ROLES), pick=st.randoms(use_true_random=False))
    def one(case: Any, role: str, pick: random.Random) -> None:
        for name in list(case.path_parameters or {}):
            if name in ids and pick.random() < 0.7:
                case.path_parameters[name] = pick.choice(ids[name])
        kwargs = case.as_transport_kwargs(base_url=str(stack.api.base_url).rstrip("/"))
        kwargs["headers"] = dict(kwargs.get("headers") or {}) | {"Authorization": tokens[role]}
        try:
            response = send(_httpx_kwargs(kwargs))
        except Exception as crash:  # noqa: BLE001 - the app raised: a 500 to any client
            what = f"server error: {type(crash).__name__}: {str(crash).splitlines()[0][:200]}"
            run.findings.setdefault((f"{case.method} {case.path}", what), f"as {role}: {case.as_curl_command()}")
            run.requests += 1
            return
        if case.path == "/api/v1/auth/logout" and response.status_code == 204:
            tokens[role] = f"Bearer {issue_token(role, stack.settings)}"
        run.requests += 1
        run.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failures:
            for failure in failures.exceptions:
                message = " ".join(str(failure).split())[:400]
                key = (f"{case.method} {case.path}", f"{type(failure).__name__}: {message}")
                run.findings.setdefault(key, f"as {role}: {case.as_curl_command()} -> {response.status_code} "
                                             f"{response.text[:300]}")
        except AssertionError as failure:
            key = (f"{case.method} {case.path}", str(failure).splitlines()[0])
            run.findings.setdefault(key, f"as {role}: {case.as_curl_command()} -> {response.status_code}")

    await asyncio.to_thread(one)
    return run


def _httpx_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The requests-style arguments schemathesis gives, as httpx takes them."""
    out = {k: v for k, v in kwargs.items() if k in ("method", "url", "headers", "params", "json", "files")}
    data = kwargs.get("data")
    if isinstance(data, bytes | str):
        out["content"] = data
    elif data is not None:
        out["data"] = data
    if kwargs.get("cookies"):
        out["cookies"] = kwargs["cookies"]
    return out


