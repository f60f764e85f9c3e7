"""Every route for every role, against a real stack: who may do what (contract: the route table,
Scope, Decision rights; services/scope.py). One table, `TABLE`, has a row for each route the
app serves, JSON API and pages alike: a new route without a row fails
`test_every_route_has_a_row`. Each row says, for each role, what the role meets:

- `Y` allowed: anything but 401, 403, 404 and 5xx (a 409 for the phase or a 422 for input
  still says the role and the scope let the request through);
- `F` 403, outside the role (or a decision right that is another organisation's);
- `H` 404, outside the user's scope: the case or track exists, the answer does not say so.

The roles are those of the contract, with a municipality's people and Arbetsförmedlingen's
apart, and two more to see scope: a case worker of another municipality (`outsider`) and a
track lead of the same municipality who does not lead the track (`other_lead`).
Requests are built so that what is allowed changes little: invalid bodies where a body is
enough to show the role passed, a case of its own for each role that acts.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio
from starlette.routing import Mount

from api.main import create_app
from core.settings import Settings
from tests.api.web.town import PASSWORD, browser, csrf_token, sign_in
from tests.stack import ADMIN_PASSWORD, Stack, case_body, today, withdrawal

TOWN, OTHER_TOWN = "9880", "9881"
ROLES = (
    "worker",  # case worker of the municipality
    "af_worker",  # case worker of Arbetsförmedlingen
    "outsider",  # case worker of another municipality
    "coordinator",  # of the municipality; neither responsible for the case nor holding a task on it
    "lead",  # track lead of the municipality, leads the track
    "other_lead",  # track lead of the municipality, not of the track
    "supervisor",  # of the municipality
    "af_supervisor",
    "auditor",
    "admin",
)
USERNAMES = {
    "worker": f"handl.{TOWN}",
    "af_worker": "arbetsformedlare",
    "outsider": f"handl.{OTHER_TOWN}",
    "coordinator": f"samordn.{TOWN}",
    "lead": f"spar.{TOWN}",
    "other_lead": f"spar2.{TOWN}",
    "supervisor": f"chef.{TOWN}",
    "af_supervisor": "chef",
    "auditor": "granskare",
    "admin": "admin",
}
TRACK = f"spar-{TOWN}"
PUBLIC = "public"  # no sign-in: the row is not about roles


def only(*roles: str, hidden: tuple[str, ...] = ()) -> dict[str, str]:
    """`roles` allowed, `hidden` get 404, the others 403."""
    unknown = set(roles + hidden) - set(ROLES)
    assert not unknown, unknown
    return {r: "Y" if r in roles else "H" if r in hidden else "F" for r in ROLES}


EVERYONE = only(*ROLES)
CASE_LISTERS = ("worker", "af_worker", "outsider", "supervisor", "af_supervisor")
SUPERVISORS = ("supervisor", "af_supervisor")
REVIEWERS = (*SUPERVISORS, "auditor")
# The case (of TOWN): its municipality's and AF's people read it; another municipality's do
# not see it; the coordinator holds no task on it and is not responsible (services/scope.py).
CASE_READ = only("worker", "af_worker", "supervisor", "af_supervisor", hidden=("outsider", "coordinator"))
# Actions: case workers and coordinators in scope (contract: "case worker (coordinator too)").
CASE_ACT = only("worker", "af_worker", "coordinator", hidden=("outsider",))
# Decision rights (000, 002, 003): Arbetsförmedlingen's staff alone; a municipality's get 403.
AF_DECIDES = only("af_worker", hidden=("outsider",))
# Protected identity: the responsible worker (the municipality's worker opened the case) or AF.
PROTECTS = only("worker", "af_worker", hidden=("outsider",))
# The track (of TOWN): everyone who sees the municipality, and Arbetsförmedlingen's people.
TRACK_READ = only(*(r for r in ROLES if r != "outsider"), hidden=("outsider",))


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expected: dict[str, str] | str  # role → Y/F/H, or PUBLIC
    body: Callable[["World", str], Any] | None = None  # JSON for the API, form fields for pages
    params: dict[str, str] = field(default_factory=dict)
    why: str = ""  # a difference from the contract, and why


def none(_: "World", __: str) -> Any:
    return None


def empty(_: "World", __: str) -> Any:
    return {}


def json(value: Any) -> Callable[["World", str], Any]:
    return lambda _w, _r: value


def act_body(action: str) -> Callable[["World", str], Any]:
    day = today()
    bodies: dict[str, Callable[[World], Any]] = {
        "complete-introduction": lambda w: {"note": "klar"},
        "update-mapping": lambda w: {"swedish_level": "fluent"},
        "set-protected-identity": lambda w: {"protected": True},
        "plan-effort": lambda w: {"kind": "sfi", "provider": "Komvux", "starts_on": day.isoformat()},
        "complete-effort": lambda w: {"effort_id": "e-none", "result": "klar"},
        "record-follow-up": lambda w: {
            "held_on": day.isoformat(), "attendees": ["Hanna"], "progress": "bra", "next_steps": "fortsätt"
        },
        "joint-standpoint": lambda w: {"decision": "track"},
        "apply-to-track": lambda w: {"track_id": TRACK},
        "answer-offer": lambda w: {"accept": True},
        "record-exit": lambda w: {"reason": "work"},
        "record-outcome-attempt": lambda w: {"on": day.isoformat(), "channel": "phone"},
        "record-outcome": lambda w: {"status": "work"},
        "withdraw": lambda w: withdrawal(),
        "postpone-review": lambda w: {"review_on": (day + timedelta(days=30)).isoformat(), "note": "senare"},
        "reactivate": lambda w: {"resume_phase": "preparatory"},
        "reassign": lambda w: {"responsible_worker": USERNAMES["worker"]},
        "withdraw-consent": lambda w: {"note": "återkallat"},
        "close": lambda w: {"reason": "flyttat"},
    }
    return lambda w, _role: bodies[action](w)


# In the order they are sent: the decision rights first, while the case is open; what ends the
# case last. Each role that acts does so on a case of its own (World.acting_case).
ACTIONS = [
    "joint-standpoint", "withdraw", "complete-introduction", "update-mapping", "set-protected-identity",
    "plan-effort", "complete-effort", "record-follow-up", "apply-to-track", "answer-offer", "postpone-review",
    "reactivate", "reassign",
    "record-exit", "record-outcome-attempt", "record-outcome", "withdraw-consent", "close",
]

TABLE: list[Row] = [
    # --- public: no sign-in -----------------------------------------------------------------
    Row("GET", "/healthz", PUBLIC),
    Row("GET", "/readyz", PUBLIC),
    Row("GET", "/metrics", PUBLIC, why="counts only, no personal data; scraped by Prometheus inside the network"),
    Row("GET", "/openapi.json", PUBLIC),
    Row("GET", "/docs", PUBLIC),
    Row("POST", "/api/v1/auth/token", PUBLIC),
    Row("POST", "/api/v1/auth/logout", PUBLIC, why="ends the caller's own login, whoever they are (test_login.py)"),
    Row("GET", "/login", PUBLIC),
    Row("POST", "/login", PUBLIC),
    Row("GET", "/logout", PUBLIC),
    Row("POST", "/logout", PUBLIC),
    Row("GET", "/accessibility", PUBLIC),
    Row("MOUNT", "/static", PUBLIC),
    Row("DELETE", "/codec/session", PUBLIC, why="forgets the cookie: nothing to protect"),
    # --- the JSON API ----------------------------------------------------------------------
    Row("GET", "/api/v1/me", EVERYONE),
    Row("POST", "/api/v1/users", only("admin"), empty),
    Row("GET", "/api/v1/municipalities", EVERYONE),
    Row("POST", "/api/v1/municipalities", only("admin"), empty),
    Row("GET", "/api/v1/policies/{municipality}", EVERYONE,
        why="not in the contract: the time rules hold no personal data, and each worker's due dates follow them"),
    Row("PUT", "/api/v1/policies/{municipality}", only("admin"), json({"introduction": "two weeks"})),
    Row("POST", "/api/v1/admin/rebuild-read-model", only("admin"), why="not in the contract: an operator's repair"),
    Row("POST", "/api/v1/cases", only("worker", "af_worker", "outsider"), empty,
        why="contract: case workers open cases; a coordinator acts on cases but opens none"),
    Row("GET", "/api/v1/cases", only(*CASE_LISTERS)),
    Row("GET", "/api/v1/cases/{case_id}", CASE_READ,
        why="contract: case workers and supervisors; a coordinator too, but only a case they are responsible "
            "for or hold a task on (tests below): the escalation they get links to it, and they act on it"),
    *[
        Row("POST", f"/api/v1/cases/{{case_id}}/actions/{action}",
            AF_DECIDES if action in ("joint-standpoint", "withdraw")
            else PROTECTS if action == "set-protected-identity" else CASE_ACT,
            act_body(action),
            why="not in the contract: protected identity is set by the responsible worker or AF"
            if action == "set-protected-identity" else "")
        for action in ACTIONS
    ],
    Row("GET", "/api/v1/tracks", EVERYONE),
    Row("GET", "/api/v1/tracks/{track_id}", TRACK_READ),
    Row("POST", "/api/v1/tracks/{track_id}/decisions", only("lead", hidden=("outsider",)),
        json({"case_id": "not-an-applicant", "decision": "admit", "reason": "test"}),
        why="contract: the track lead; an admin no longer decides on a track's applicants"),
    Row("POST", "/api/v1/tracks/{track_id}/round", only("lead", hidden=("outsider",)),
        lambda w, r: {"closes_at": (datetime.now(UTC) + timedelta(days=7)).isoformat()},
        why="not in the contract: the lead's admission round, a decision on the applicants like the above"),
    Row("PATCH", "/api/v1/tracks/{track_id}", only("lead", "admin", hidden=("outsider",)), empty),
    Row("POST", "/api/v1/tracks", only("admin"), empty),
    Row("GET", "/api/v1/tasks", EVERYONE),
    Row("GET", "/api/v1/access-log", only(*REVIEWERS)),
    Row("POST", "/api/v1/cases/{case_id}/erase", only("admin"), empty,
        why="issue 11: erasure (gallring) of a closed case is an administrator's; an open case answers 409"),
    Row("POST", "/api/v1/register-extract", only("auditor"), json({"personal_number": "19900101-0018"}),
        why="GDPR art. 15: the auditor makes a person's register extract"),
    Row("GET", "/api/v1/cases/{case_id}/history", only("auditor")),
    Row("GET", "/api/v1/cases/{case_id}/history/state", only("auditor")),
    Row("GET", "/api/v1/cases/{case_id}/history/export", only("auditor")),
    Row("POST", "/api/v1/cases/{case_id}/history/verify", only("auditor")),
    Row("POST", "/api/v1/history/verify", only("auditor"), empty),
    Row("GET", "/api/v1/stats/overview", only(*SUPERVISORS)),
    Row("GET", "/api/v1/stats/overview.csv", only(*SUPERVISORS)),
    Row("GET", "/api/v1/reports", only(*SUPERVISORS)),
    Row("POST", "/api/v1/reports", only(*SUPERVISORS), empty),
    Row("GET", "/api/v1/reports/{report_id}", only(*SUPERVISORS)),
    Row("POST", "/codec/decode", only(*REVIEWERS), json({"payloads": []}),
        why="contract: 'authorised users': those who read histories (auditors) and review their cases"),
    Row("POST", "/codec/encode", only("admin"), json({"payloads": []}), why="encoded payloads are trusted"),
    Row("POST", "/codec/session", only(*REVIEWERS), why="the cookie for the codec, for those who decode"),
    # --- pages -----------------------------------------------------------------------------
    Row("GET", "/", EVERYONE, why="a worklist for those who list cases, a coordinator's own cases, else a start"),
    Row("GET", "/cases/new", only("worker", "af_worker", "outsider")),
    Row("POST", "/cases/new/personal-number", EVERYONE, json({"personal_number": "19900101-0000"}),
        why="the as-you-type check of the digits: it looks nothing up"),
    Row("POST", "/cases/new", only("worker", "af_worker", "outsider"), empty),
    Row("GET", "/cases/{case_id}", CASE_READ),
    Row("POST", "/cases/{case_id}/actions/{action}",
        only("worker", "af_worker", hidden=("outsider", "coordinator")), json({"note": "klar"}),
        params={"action": "complete-introduction"},
        why="a form posts from the case page: who may not read the page posts none of its forms"),
    Row("GET", "/tasks", EVERYONE),
    Row("GET", "/tracks", EVERYONE),
    Row("GET", "/tracks/{track_id}", TRACK_READ),
    Row("POST", "/tracks/{track_id}/decisions", only("lead", hidden=("outsider",)),
        json({"case_id": "not-an-applicant", "decision": "admit", "reason": "test"})),
    Row("POST", "/tracks/{track_id}/seats", only("lead", "admin", hidden=("outsider",)), json({"seats": "10"})),
    Row("POST", "/tracks/{track_id}/round", only("lead", hidden=("outsider",)),
        lambda w, r: {"closes_at": (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")}),
    Row("GET", "/dashboard", only(*SUPERVISORS)),
    Row("GET", "/dashboard.csv", only(*SUPERVISORS)),
    Row("GET", "/reports", only(*SUPERVISORS)),
    Row("POST", "/reports", only(*SUPERVISORS), empty),
    Row("GET", "/reports/{report_id}.html", only(*SUPERVISORS)),
    Row("GET", "/reports/{report_id}.csv", only(*SUPERVISORS)),
    Row("GET", "/audit", only("auditor")),
    Row("GET", "/cases/{case_id}/history", only("auditor")),
    Row("POST", "/cases/{case_id}/history/{step}", only("auditor"), empty, params={"step": "verify"}),
    Row("POST", "/audit/verify", only("auditor"), empty),
    Row("GET", "/audit/verify", only("auditor")),
    Row("GET", "/access-log", only(*REVIEWERS)),
    Row("GET", "/register-extract", only("auditor")),
    Row("POST", "/register-extract", only("auditor"), json({"personal_number": "19900101-0018"})),
]


def served_routes(routes: list[Any]) -> Iterator[tuple[str, str]]:
    """(method, path) of every route the app serves, into included routers too."""
    for route in routes:
        if hasattr(route, "effective_route_contexts"):  # FastAPI's included router
            yield from served_routes(list(route.effective_route_contexts()))
        elif isinstance(route, Mount):
            yield "MOUNT", route.path
        else:
            yield from ((m, route.path) for m in sorted(route.methods or ()) if m != "HEAD")


def test_every_route_has_a_row() -> None:
    app = create_app(Settings(_env_file=None))  # type: ignore[call-arg]
    served = set(served_routes(app.routes))
    rows = [(r.method, r.path) for r in TABLE]
    assert len(rows) == len(set(rows)), "a route with two rows"
    assert served - set(rows) == set(), "routes without a row in TABLE"
    assert set(rows) - served == set(), "rows for routes the app does not serve"


@dataclass
class World:
    stack: Stack
    case_id: str  # of TOWN, read by all who may
    report_id: int
    pages: dict[str, httpx.AsyncClient]
    csrf: dict[str, str]
    acting: dict[str, str] = field(default_factory=dict)  # role → a case of its own to act on

    async def headers(self, role: str) -> dict[str, str]:
        username = USERNAMES[role]
        return await self.stack.headers(username, ADMIN_PASSWORD if role == "admin" else PASSWORD)

    async def acting_case(self, role: str) -> str:
        if role not in self.acting:
            self.acting[role] = await open_case(self.stack)
        return self.acting[role]


async def open_case(stack: Stack) -> str:
    body = case_body(municipality=TOWN, swedish_level="fluent")
    r = await stack.api.post("/api/v1/cases", json=body, headers=await stack.headers(USERNAMES["worker"], PASSWORD))
    assert r.status_code == 201, r.text
    return str(r.json()["case_id"])


async def add_users(stack: Stack) -> None:
    admin = await stack.headers("admin")
    for code, name in ((TOWN, "Rollby"), (OTHER_TOWN, "Grannby")):
        r = await stack.api.post("/api/v1/municipalities", json={"code": code, "name": name}, headers=admin)
        assert r.status_code == 201, r.text
    people = [
        ("worker", "case_worker", TOWN), ("outsider", "case_worker", OTHER_TOWN),
        ("coordinator", "coordinator", TOWN), ("lead", "track_lead", TOWN), ("other_lead", "track_lead", TOWN),
        ("supervisor", "supervisor", TOWN),
    ]
    for role, kind, organisation in people:
        body = {"username": USERNAMES[role], "password": PASSWORD, "role": kind, "organisation": organisation,
                "display_name": f"Test {role}", "email": f"{role}@prov.example.se"}
        r = await stack.api.post("/api/v1/users", json=body, headers=admin)
        assert r.status_code == 201, r.text
    track = {"track_id": TRACK, "name": "Jobbspår Rollby", "municipalities": [TOWN], "industry": "restaurant",
             "seats": 10, "lead": USERNAMES["lead"]}
    r = await stack.api.post("/api/v1/tracks", json=track, headers=admin)
    assert r.status_code == 201, r.text


@pytest_asyncio.fixture(scope="module")
async def world(stack: Stack) -> Iterator[World]:  # type: ignore[misc]
    await add_users(stack)
    case_id = await open_case(stack)
    r = await stack.api.post("/api/v1/reports", json={"kind": "quarterly"}, headers=await stack.headers("chef"))
    assert r.status_code == 201, r.text
    pages, csrf = {}, {}
    for role, username in USERNAMES.items():
        client = browser(stack)
        await sign_in(client, username, ADMIN_PASSWORD if role == "admin" else PASSWORD)
        pages[role] = client
        csrf[role] = csrf_token((await client.get("/accessibility")).text)
    yield World(stack, case_id, int(r.json()["id"]), pages, csrf)
    for client in pages.values():
        await client.aclose()


def outcome(status: int) -> str:
    return {403: "F", 404: "H"}.get(status, "?" if status == 401 or status >= 500 else "Y")


async def send(world: World, row: Row, role: str) -> httpx.Response:
    acts = "/actions/" in row.path and row.expected != PUBLIC and row.expected[role] == "Y"  # type: ignore[index]
    case_id = await world.acting_case(role) if acts else world.case_id
    values = {"case_id": case_id, "track_id": TRACK, "municipality": TOWN, "report_id": str(world.report_id)}
    path = row.path.format(**(values | row.params))
    body = row.body(world, role) if row.body else None
    if row.path.startswith(("/api/", "/codec")):
        headers = await world.headers(role)
        params = {"at": datetime.now(UTC).isoformat()} if path.endswith("/history/state") else None
        return await world.stack.api.request(row.method, path, json=body, headers=headers, params=params)
    client = world.pages[role]
    if row.method == "GET":
        return await client.get(path)
    return await client.request(row.method, path, data={"csrf_token": world.csrf[role], **(body or {})})


async def test_each_role_meets_the_table_on_every_route(world: World) -> None:
    wrong = []
    for row in TABLE:
        if row.expected == PUBLIC:
            continue
        assert isinstance(row.expected, dict)
        for role in ROLES:
            r = await send(world, row, role)
            if outcome(r.status_code) != row.expected[role]:
                wrong.append(f"{row.method} {row.path} as {role}: {r.status_code} (expected {row.expected[role]})"
                             f" {r.text[:120]!r}")
    assert not wrong, "\n".join(wrong)


async def test_public_routes_answer_without_signing_in(world: World) -> None:
    for row in TABLE:
        if row.expected == PUBLIC and row.method == "GET":
            r = await world.stack.api.get(row.path)
            assert r.status_code < 400, (row.path, r.status_code)
