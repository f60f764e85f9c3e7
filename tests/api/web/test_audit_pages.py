"""The auditor's pages over HTTP on the real stack: a case's history names each actor, shows the
case between two actions, verifies the record and an exported file (and refuses a changed one),
is for auditors only; the access-log page filters and keeps to the reviewer's scope."""

import base64
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from sqlmodel import select

from services.history import replay
from store.db import session_scope
from store.models import AccessLog
from tests.api.web.test_pages import text_of
from tests.api.web.town import PASSWORD, Town, browser, build_town, csrf_token, open_case, sign_in
from tests.stack import Stack, today

AUDITOR = "granskare"


@dataclass
class Audited:
    town: Town
    case_id: str
    before: datetime
    between: datetime  # after the introduction was completed, before the joint decision


@pytest_asyncio.fixture(scope="module")
async def audited(stack: Stack) -> Audited:
    town = await build_town(stack, "9961", "Granskeby")
    before = datetime.now(UTC)
    case_id = await open_case(stack, town)
    follow_up = {"held_on": today().isoformat(), "attendees": ["AF"], "progress": "god", "next_steps": "vidare"}
    await stack.act(town.coordinator, case_id, "record-follow-up", follow_up)
    await stack.act(town.worker, case_id, "complete-introduction")
    between = datetime.now(UTC)
    await stack.act("arbetsformedlare", case_id, "joint-standpoint", {"decision": "track"})
    return Audited(town, case_id, before, between)


@pytest_asyncio.fixture
async def auditor(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(stack) as client:
        await sign_in(client, AUDITOR)
        yield client


async def test_the_history_page_names_each_actor_and_action(stack: Stack, audited: Audited,
                                                            auditor: httpx.AsyncClient) -> None:
    start = await auditor.get("/audit")
    assert start.status_code == 200 and 'href="/access-log"' in start.text
    found = await auditor.get("/audit", params={"case": audited.case_id})
    assert found.status_code == 303 and found.headers["location"] == f"/cases/{audited.case_id}/history"
    missing = await auditor.get("/audit", params={"case": "no-such-case"})
    assert missing.status_code == 422 and "Inget ärende har den referensen" in missing.text

    r = await auditor.get(f"/cases/{audited.case_id}/history")
    assert r.status_code == 200, r.text
    page = text_of(r.text)
    for who in (
        "Hanna Handläggare (Granskeby) (handl.9961) Handläggare, Granskeby",
        "Sara Samordnare (Granskeby) (samordn.9961) Samordnare, Granskeby",
        "(arbetsformedlare) Handläggare, Arbetsförmedlingen",
    ):
        assert who in page, who
    for what in ("Ärendet öppnat", "Uppföljning registrerad", "Introduktionen avslutad",
                 "Gemensamt ställningstagande"):
        assert what in page, what
    assert "Val av spår" in page  # the phase after the joint decision
    # The read is in the access log, through the page, with its purpose.
    with session_scope(stack.settings.resolved_database_url) as db:
        reads = db.exec(select(AccessLog).where(AccessLog.case_id == audited.case_id,
                                                AccessLog.username == AUDITOR)).all()
    assert any(a.via == f"page /cases/{audited.case_id}/history" and a.purpose for a in reads)
    # Now the start page lists it among the cases read.
    assert f'href="/cases/{audited.case_id}/history"' in (await auditor.get("/audit")).text


async def test_the_case_as_it_was_between_two_actions(audited: Audited, auditor: httpx.AsyncClient) -> None:
    path = f"/cases/{audited.case_id}/history"
    then = await auditor.get(path, params={"at": audited.between.isoformat()})
    assert then.status_code == 200, then.text
    phase = re.search(r'id="as-of-phase">([^<]+)<', then.text)
    assert phase and phase.group(1) == "Förberedande insatser"
    now = await auditor.get(path, params={"at": (datetime.now(UTC) + timedelta(seconds=1)).isoformat()})
    phase = re.search(r'id="as-of-phase">([^<]+)<', now.text)
    assert phase and phase.group(1) == "Val av spår"
    early = await auditor.get(path, params={"at": (audited.before - timedelta(hours=1)).isoformat()})
    assert early.status_code == 422 and 'href="#at"' in early.text and "efter att ärendet öppnades" in early.text
    bad = await auditor.get(path, params={"at": "igår"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text


async def test_a_replay_past_its_deadline_says_try_again(
    stack: Stack, audited: Audited, auditor: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = f"/cases/{audited.case_id}/history"
    token = csrf_token((await auditor.get(path)).text)
    monkeypatch.setattr(replay, "REPLAY_DEADLINE", 0.0)
    page = await auditor.post(f"{path}/verify", data={"csrf_token": token})
    assert page.status_code == 503 and "Försök igen om en stund" in text_of(page.text)
    api = await stack.api.post(f"/api/v1{path}/verify", headers=await stack.headers(AUDITOR))
    assert api.status_code == 503 and api.headers["retry-after"] == "5"
    assert "did not end within 0 s" in api.json()["detail"]


async def test_verify_the_record_and_an_exported_file(audited: Audited, auditor: httpx.AsyncClient) -> None:
    path = f"/cases/{audited.case_id}/history"
    token = csrf_token((await auditor.get(path)).text)
    verified = await auditor.post(f"{path}/verify", data={"csrf_token": token})
    assert verified.status_code == 200 and "Ja: historiken återskapas." in text_of(verified.text)
    assert (await auditor.post(f"{path}/verify", data={})).status_code == 403  # no CSRF token

    exported = await auditor.post(f"{path}/export", data={"csrf_token": token})
    sha = re.search(r'id="export-sha256">([0-9a-f]{64})<', exported.text)
    link = re.search(r'id="export-download" href="data:application/json;base64,([^"]+)"', exported.text)
    assert sha and link, "the export shows its SHA-256 and a download"
    document = json.loads(base64.b64decode(link.group(1)))
    assert document["sha256"] == sha.group(1) and document["case_id"] == audited.case_id

    async def check(doc: dict[str, object]) -> httpx.Response:
        files = {"export_file": ("export.json", json.dumps(doc).encode(), "application/json")}
        return await auditor.post("/audit/verify", data={"csrf_token": token}, files=files)

    good = await check(document)
    assert good.status_code == 200 and "Ja: historiken återskapas." in text_of(good.text)
    tampered = document | {"exported_by": "någon annan"}
    bad = await check(tampered)
    assert bad.status_code == 200 and "Nej: historiken återskapas inte." in text_of(bad.text)
    assert "Filens SHA-256" in text_of(bad.text)
    # An event taken out: the replay finds it, said in Swedish, the replayer's own words marked English.
    events = document["runs"][0]["history"]["events"]
    scheduled = next(i for i, e in enumerate(events) if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED")
    history = {"events": events[:scheduled] + events[scheduled + 1:]}
    removed = document | {"runs": [document["runs"][0] | {"history": history}]}
    bad = await check(removed)
    said = text_of(bad.text)
    lead = "Uppspelning med dagens kod : dagens arbetsflödeskod gör inte det som historiken visar att den gjorde."
    assert lead in said, said
    assert re.search(r'<span lang="en">[^<]*History is out of order', bad.text), said
    not_json = await auditor.post("/audit/verify", data={"csrf_token": token},
                                  files={"export_file": ("x.json", b"not json", "application/json")})
    assert not_json.status_code == 422 and 'href="#export_file"' in not_json.text


async def test_only_auditors_read_histories_and_auditors_no_live_case(stack: Stack, audited: Audited,
                                                                      auditor: httpx.AsyncClient) -> None:
    async with browser(stack) as worker:
        await sign_in(worker, audited.town.worker)
        assert (await worker.get(f"/cases/{audited.case_id}/history")).status_code == 403
        assert (await worker.get("/audit")).status_code == 403
        assert 'href="/audit"' not in (await worker.get("/")).text
    # The auditor reads histories, not the live case.
    live = await stack.api.get(f"/api/v1/cases/{audited.case_id}", headers=await stack.headers(AUDITOR))
    assert live.status_code == 403
    assert (await auditor.get("/cases/no-such-case/history")).status_code == 404


async def test_the_access_log_page_filters(stack: Stack, audited: Audited, auditor: httpx.AsyncClient) -> None:
    await auditor.get(f"/cases/{audited.case_id}/history")
    one_case = await auditor.get("/access-log", params={"case": audited.case_id, "user": AUDITOR})
    assert one_case.status_code == 200
    cases = set(re.findall(r'class="case-ref" href="/cases/([^/]+)/history"', one_case.text))
    assert cases == {audited.case_id}
    assert "Granskeby" in text_of(one_case.text) and f'value="{audited.case_id}"' in one_case.text
    assert "granskning: ärendets historik" in text_of(one_case.text)  # the purpose, in Swedish
    tomorrow = (today() + timedelta(days=1)).isoformat()
    later = await auditor.get("/access-log", params={"case": audited.case_id, "from": tomorrow})
    assert "Inga läsningar" in text_of(later.text)
    # The auditor of AF reads outside any caseload: every such read is flagged, in words.
    flagged = await auditor.get("/access-log", params={"case": audited.case_id, "flag": "outside_caseload"})
    assert "Utanför läsarens ärenden" in text_of(flagged.text)
    worker_reads = await auditor.get("/access-log", params={"user": audited.town.worker,
                                                            "flag": "outside_caseload"})
    assert audited.case_id not in worker_reads.text  # the responsible worker's reads are in the caseload
    bad = await auditor.get("/access-log", params={"from": "igår"})
    assert bad.status_code == 422 and 'href="#from"' in bad.text

    # A municipality's manager sees its own cases' reads only.
    admin = await stack.headers("admin")
    body = {"username": "chef.9961", "password": PASSWORD, "role": "supervisor", "organisation": "9961",
            "display_name": "Maja Chef (Granskeby)", "email": "chef.9961@prov.example.se"}
    assert (await stack.api.post("/api/v1/users", json=body, headers=admin)).status_code == 201
    async with browser(stack) as manager:
        await sign_in(manager, "chef.9961")
        own = await manager.get("/access-log", params={"user": AUDITOR})
        assert own.status_code == 200
        municipalities = re.findall(r'<br><span class="muted">([^<]+)</span>\s*</td>', own.text)
        assert municipalities and set(municipalities) == {"Granskeby"}
        assert (await manager.get(f"/cases/{audited.case_id}/history")).status_code == 403
