"""The access log as a supervisor or auditor reviews it: every read with its purpose, list
reads and action answers too, flags for reads outside the caseload or working hours, scope."""

from datetime import UTC, datetime

from services.access_log import record_reads
from store.access_log import write_entries
from store.db import session_scope
from store.models import AccessLog, CaseSummary
from store.users import get_user
from tests.stack import Stack

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
    await stack.api.get("/api/v1/cases", params={"limit": 500}, headers=await stack.headers("samordnare") | {
        "X-Purpose": "veckomöte".encode()})
    log = await entries(stack, case_id=cid)
    vias = {(e["username"], e["via"]): e["purpose"] for e in log}
    assert vias["handlaggare", "POST /api/v1/cases/{case_id}/actions/complete-introduction"] == "introduktion klar"
    assert vias["handlaggare", "GET /api/v1/cases"] == "list cases"
    assert vias["samordnare", "GET /api/v1/cases"] == "veckomöte"


async def test_reads_outside_the_caseload_are_flagged(stack: Stack) -> None:
    cid = (await stack.open_case("handlaggare"))["case_id"]
    for user in ("handlaggare", "samordnare", "arbetsformedlare", "chef"):
        await stack.get(user, f"/api/v1/cases/{cid}")
    flagged = await entries(stack, case_id=cid, flag="outside_caseload")
    # The responsible worker and Norrköping's own team are in the caseload; AF's people are not.
    assert {e["username"] for e in flagged} == {"arbetsformedlare", "chef"}
    every = await entries(stack, case_id=cid)
    assert {e["username"] for e in every if not e["outside_caseload"]} >= {"handlaggare", "samordnare"}


async def test_reads_outside_working_hours_and_time_filters(stack: Stack) -> None:
    case_id = f"hours-{datetime.now(UTC):%H%M%S%f}"
    rows = [  # written as the service would have on those days
        (datetime(2026, 11, 28, 10, 0, tzinfo=UTC), True),  # a Saturday
        (datetime(2026, 11, 24, 10, 0, tzinfo=UTC), False),  # a Tuesday, 11:00 in Stockholm
        (datetime(2026, 11, 24, 21, 0, tzinfo=UTC), True),  # 22:00 in Stockholm
    ]
    with session_scope(stack.settings.resolved_database_url) as session:
        write_entries(session, [
            AccessLog(at=at, username="handlaggare", case_id=case_id, via="test", municipality="0581",
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
    assert {e["municipality"] for e in seen.json()["items"]} == {"0581"}
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
