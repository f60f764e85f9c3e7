"""The access log as a supervisor or auditor reviews it: every read with its purpose, list
reads and action answers too, flags for reads outside the caseload or working hours, scope."""

from datetime import UTC, datetime

import pytest_asyncio

from services.access_log import OPEN_CASE_PROBE, record_reads
from store.access_log import Entry, write_entries
from store.db import session_scope
from store.models import CaseSummary
from store.users import get_user
from tests.api.web.town import QUICK, Town, browser, build_town, csrf_token, open_case, sign_in, to_track_selection
from tests.stack import Stack, case_body, eventually, personal_number, today

AUDITOR = "granskare"


async def entries(s: Stack, **filters: str) -> list[dict[str, str]]:
    r = await s.api.get("/api/v1/access-log", params={"limit": 1000, **filters}, headers=await s.headers(AUDITOR))
    assert r.status_code == 200, r.text
    assert r.json()["total"] == len(r.json()["items"])
    return list(r.json()["items"])


async def test_history_reads_carry_their_purpose_or_a_default_naming_the_call(stack: Stack) -> None:
    cid = (await stack.open_case())["case_id"]
    h = await stack.headers(AUDITOR)
    stated = "Tillsyn IVO 2026:14 – granskning av ärendet"
    r = await stack.api.get(f"/api/v1/cases/{cid}/history", headers=h | {"X-Purpose": stated.encode()})
    assert r.status_code == 200
    await stack.get(AUDITOR, f"/api/v1/cases/{cid}/history/export")
    log = {e["via"]: e for e in await entries(stack, case_id=cid, user=AUDITOR)}
    assert log["GET /api/v1/cases/{case_id}/history"]["purpose"] == stated
    assert log["GET /api/v1/cases/{case_id}/history/export"]["purpose"] == "audit: export of the record"
    assert log["GET /api/v1/cases/{case_id}/history"]["role"] == "auditor"


async def test_list_reads_and_action_answers_are_logged(stack: Stack) -> None:
    cid = (await stack.open_case())["case_id"]
    await stack.act("handlaggare", cid, "complete-introduction", **{"X-Purpose": "introduktion klar"})
    await stack.get("handlaggare", "/api/v1/cases", limit=500)
    await stack.api.get("/api/v1/cases", params={"limit": 500}, headers=await stack.headers("chef") | {
        "X-Purpose": "veckomöte".encode()})
    log = await entries(stack, case_id=cid)
    vias = {(e["username"], e["via"]): e["purpose"] for e in log}
    assert vias["handlaggare", "POST /api/v1/cases/{case_id}/actions/complete-introduction"] == "introduktion klar"
    assert vias["handlaggare", "GET /api/v1/cases"] == "list cases"
    assert vias["chef", "GET /api/v1/cases"] == "veckomöte"


async def test_reads_outside_the_caseload_are_flagged(stack: Stack) -> None:
    cid = (await stack.open_case("handlaggare"))["case_id"]
    for user in ("handlaggare", "chef-norrkoping", "arbetsformedlare", "chef"):
        await stack.get(user, f"/api/v1/cases/{cid}")
    flagged = await entries(stack, case_id=cid, flag="outside_caseload")
    # The responsible worker and Norrköping's own team are in the caseload; AF's people are not.
    assert {e["username"] for e in flagged} == {"arbetsformedlare", "chef"}
    every = await entries(stack, case_id=cid)
    assert {e["username"] for e in every if not e["outside_caseload"]} >= {"handlaggare", "chef-norrkoping"}


async def test_reads_outside_working_hours_and_time_filters(stack: Stack) -> None:
    case_id = f"hours-{datetime.now(UTC):%H%M%S%f}"
    rows = [  # written as the service would have on those days
        (datetime(2026, 11, 28, 10, 0, tzinfo=UTC), True),  # a Saturday
        (datetime(2026, 11, 24, 10, 0, tzinfo=UTC), False),  # a Tuesday, 11:00 in Stockholm
        (datetime(2026, 11, 24, 21, 0, tzinfo=UTC), True),  # 22:00 in Stockholm
    ]
    with session_scope(stack.settings.resolved_database_url) as session:
        write_entries(session, [
            Entry(at=at, username="handlaggare", case_id=case_id, via="test", municipality="0581",
                  outside_hours=late) for at, late in rows
        ])
    late = await entries(stack, case_id=case_id, flag="outside_hours")
    assert sorted(e["at"] for e in late) == ["2026-11-24T21:00:00Z", "2026-11-28T10:00:00Z"]
    tuesday = await entries(stack, case_id=case_id, **{"from": "2026-11-24", "to": "2026-11-25"})
    assert len(tuesday) == 2
    # A time without an offset is Stockholm's: 21:30 there is 20:30 UTC, before the late read.
    assert len(await entries(stack, case_id=case_id, **{"from": "2026-11-24T21:30", "to": "2026-11-25"})) == 1


async def test_a_municipal_supervisor_reviews_only_its_municipalitys_cases(stack: Stack) -> None:
    admin = await stack.headers("admin")
    user = {"username": "chef.norrkoping", "password": "langt-losenord-3", "role": "supervisor",
            "organisation": "0581", "display_name": "Chef Norrköping"}
    assert (await stack.api.post("/api/v1/users", json=user, headers=admin)).status_code in (201, 409)
    own = (await stack.open_case("handlaggare"))["case_id"]
    other = (await stack.open_case("arbetsformedlare", municipality="0662"))["case_id"]
    for cid in (own, own, other):
        await stack.get("arbetsformedlare", f"/api/v1/cases/{cid}")
    h = await stack.headers("chef.norrkoping", "langt-losenord-3")
    seen = await stack.api.get("/api/v1/access-log", params={"limit": 1000}, headers=h)
    assert seen.status_code == 200
    assert own in {e["case_id"] for e in seen.json()["items"]}  # the newest reads
    assert {e["municipality"] for e in seen.json()["items"] if e["case_id"]} == {"0581"}
    for cid, count in ((own, 2), (other, 0)):
        r = await stack.api.get("/api/v1/access-log", params={"case_id": cid}, headers=h)
        assert r.json()["total"] == count
    assert await entries(stack, case_id=other)  # an auditor sees everything
    first = await stack.get("chef", "/api/v1/access-log", case_id=own, limit=1)
    second = await stack.get("chef", "/api/v1/access-log", case_id=own, limit=1, offset=1)
    assert first["total"] == second["total"] == 2 and first["items"] != second["items"]
    assert (await stack.api.get("/api/v1/access-log", headers=await stack.headers("handlaggare"))).status_code == 403


async def test_a_page_logs_each_case_it_shows_once_with_its_own_purpose(stack: Stack) -> None:
    first, second = (await stack.open_case())["case_id"], (await stack.open_case())["case_id"]
    with session_scope(stack.settings.resolved_database_url) as session:
        reader = get_user(session, "samordnare")
        assert reader is not None
        shown = [c for c in (session.get(CaseSummary, first), session.get(CaseSummary, second)) if c]
        record_reads(session, reader, shown, via="page /", purpose="arbetslista")
    for cid in (first, second):
        logged = [e for e in await entries(stack, case_id=cid) if e["via"] == "page /"]
        assert len(logged) == 1 and logged[0]["purpose"] == "arbetslista" and not logged[0]["outside_caseload"]


async def test_a_refused_opening_is_a_read_of_the_persons_open_case(stack: Stack) -> None:
    number = personal_number()
    existing = (await stack.open_case("arbetsformedlare", municipality="0662", personal_number=number))["case_id"]
    h = await stack.headers("handlaggare") | {"X-Purpose": "ny remiss från socialtjänsten".encode()}
    r = await stack.api.post("/api/v1/cases", json=case_body(personal_number=number), headers=h)
    assert r.status_code == 409
    probes = [e for e in await entries(stack, case_id=existing) if e["username"] == "handlaggare"]
    # The answer told a Norrköping worker that the person has a Gislaved case: logged and flagged.
    assert [(e["via"], e["purpose"], e["outside_caseload"]) for e in probes] == [
        ("POST /api/v1/cases", "ny remiss från socialtjänsten", True)
    ]
    # The same through the page, with the default purpose that names it.
    async with browser(stack) as client:
        await sign_in(client, "handlaggare")
        form = await client.get("/cases/new")
        typed = {k: v for k, v in case_body(personal_number=number).items() if not isinstance(v, (list, bool))}
        typed |= {"consent_to_share": "true", "csrf_token": csrf_token(form.text)}
        r = await client.post("/cases/new", data=typed)
    assert r.status_code == 422 and "redan ett öppet ärende" in r.text
    probes = [e for e in await entries(stack, case_id=existing) if e["via"] == "POST /cases/new"]
    assert [(e["username"], e["purpose"]) for e in probes] == [("handlaggare", OPEN_CASE_PROBE)]


@pytest_asyncio.fixture(scope="module")
async def town(stack: Stack) -> Town:
    return await build_town(stack, "9882", "Loggby")  # quick clocks: tasks within seconds


async def test_the_worklist_tasks_and_track_pages_log_each_case_they_show(stack: Stack, town: Town) -> None:
    case_id = await open_case(stack, town)
    await to_track_selection(stack, town, case_id)
    await stack.act(town.worker, case_id, "apply-to-track", {"track_id": town.track_id})

    async def page_reads(via: str) -> list[dict[str, str]]:
        return [e for e in await entries(stack, case_id=case_id) if e["via"] == via]

    async with browser(stack) as worker, browser(stack) as lead:
        await sign_in(worker, town.worker)
        await sign_in(lead, town.lead)
        assert (await worker.get("/")).status_code == 200
        assert [(e["username"], e["purpose"]) for e in await page_reads("GET /")] == [(town.worker, "worklist")]

        async def task_shown() -> None:
            assert case_id in (await worker.get("/tasks")).text

        await eventually(task_shown)
        assert {e["purpose"] for e in await page_reads("GET /tasks")} == {"task list"}
        # The lead sees the applicant's initials (the case is no read of theirs otherwise): logged.
        assert (await lead.get(f"/tracks/{town.track_id}")).status_code == 200
        track_reads = await page_reads("GET /tracks/{track_id}")
        assert [(e["username"], e["purpose"]) for e in track_reads] == [(town.lead, "track page: applicants")]
        # Each showing of the list is a read of each case on it.
        assert (await worker.get("/")).status_code == 200
        assert len(await page_reads("GET /")) == 2


async def test_a_coordinator_reads_the_cases_they_are_asked_to_act_on_only(stack: Stack, town: Town) -> None:
    escalated = await open_case(stack, town)
    # A case under slow clocks (a case keeps the policy it was opened under): no escalation.
    await stack.set_policy(town.code, introduction="P14D", reminder_ahead="P2D", escalate_after="P5D")
    try:
        quiet = await open_case(stack, town)
    finally:
        await stack.set_policy(town.code, **QUICK)
    h = await stack.headers(town.coordinator)

    async def escalation_held() -> None:
        tasks = (await stack.api.get("/api/v1/tasks", headers=h, params={"kind": "escalation"})).json()
        assert escalated in {t["case_id"] for t in tasks}

    await eventually(escalation_held)
    assert (await stack.api.get(f"/api/v1/cases/{escalated}", headers=h)).status_code == 200
    assert (await stack.api.get(f"/api/v1/cases/{quiet}", headers=h)).status_code == 404
    assert (await stack.api.get("/api/v1/cases", headers=h)).status_code == 403
    # They act on every case of their municipality (contract), and the answer is logged as a read.
    follow_up = {"held_on": today().isoformat(), "attendees": ["Sara"], "progress": "ok", "next_steps": "vidare"}
    await stack.act(town.coordinator, quiet, "record-follow-up", follow_up)
    answers = [e for e in await entries(stack, case_id=quiet) if e["username"] == town.coordinator]
    assert [e["purpose"] for e in answers] == ["answer of record-follow-up"]
    # Made responsible for it, they read it (once the read model has the change).
    await stack.act(town.worker, quiet, "reassign", {"responsible_worker": town.coordinator})

    async def readable() -> None:
        assert (await stack.api.get(f"/api/v1/cases/{quiet}", headers=h)).status_code == 200

    await eventually(readable)
    async with browser(stack) as client:
        await sign_in(client, town.coordinator)
        assert (await client.get(f"/cases/{escalated}")).status_code == 200
        mine = (await client.get("/?who=all")).text  # only their own cases, whatever is asked
        assert quiet in mine and escalated not in mine


async def test_each_reviewer_sees_their_part_of_the_log(stack: Stack) -> None:
    norrkoping = (await stack.open_case("handlaggare"))["case_id"]
    gislaved = (await stack.open_case("arbetsformedlare", municipality="0662"))["case_id"]
    for cid in (norrkoping, gislaved):
        await stack.get("arbetsformedlare", f"/api/v1/cases/{cid}")
    # Decodes that name no case, by a municipality's supervisor and by the auditor.
    for user in ("chef-norrkoping", AUDITOR):
        h = await stack.headers(user) | {"X-Purpose": f"avkodning {user}"}
        assert (await stack.api.post("/codec/decode", json={"payloads": []}, headers=h)).status_code == 200

    async def seen(user: str) -> list[dict[str, str]]:
        r = await stack.api.get("/api/v1/access-log", params={"limit": 1000}, headers=await stack.headers(user))
        assert r.status_code == 200, r.text
        return list(r.json()["items"])

    def cases(items: list[dict[str, str]]) -> set[str | None]:
        return {e["case_id"] for e in items}

    def unnamed(items: list[dict[str, str]]) -> set[str]:
        return {e["purpose"] for e in items if e["case_id"] is None and e["purpose"].startswith("avkodning")}

    municipal, af, auditor = await seen("chef-norrkoping"), await seen("chef"), await seen(AUDITOR)
    assert norrkoping in cases(municipal) and gislaved not in cases(municipal)
    assert {e["municipality"] for e in municipal if e["case_id"]} == {"0581"}
    assert unnamed(municipal) == {"avkodning chef-norrkoping"}
    assert {norrkoping, gislaved} <= cases(af)  # Arbetsförmedlingen's cases are every municipality's
    assert unnamed(af) == {f"avkodning {AUDITOR}"}  # the reads naming no case by AF's people
    assert {norrkoping, gislaved} <= cases(auditor)
    assert unnamed(auditor) == {"avkodning chef-norrkoping", f"avkodning {AUDITOR}"}
