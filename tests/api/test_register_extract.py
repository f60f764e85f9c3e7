"""A register extract (GDPR art. 15) for an auditor: everything held on one person, across a
closed and an open case, from the real stack (Temporal, the database, a real SMTP server)."""

from typing import Any

from tests.api.web.town import browser, csrf_token, sign_in
from tests.mail import COORDINATOR, WORKER, MailWorld, Received, open_case
from tests.stack import Stack, eventually, personal_number

AUDITOR = "granskare"
PATH = "/api/v1/register-extract"


async def extract_reads(s: Stack) -> list[dict[str, Any]]:
    r = await s.api.get("/api/v1/access-log", params={"user": AUDITOR}, headers=await s.headers(AUDITOR))
    assert r.status_code == 200, r.text
    return [e for e in r.json()["items"] if e["via"] == f"POST {PATH}"]


async def test_extract_holds_both_cases_of_the_person_and_is_access_logged(mail: MailWorld) -> None:
    s, box = mail.stack, mail.box
    closed_id, person = await open_case(s)

    async def reminded() -> Received:
        [found] = [m for m in box.to(WORKER, closed_id) if m.subject.startswith("Påminnelse")]
        return found

    await eventually(reminded)
    await s.act(WORKER, closed_id, "close", {"reason": "flyttat"})
    await s.get("chef", f"/api/v1/cases/{closed_id}")  # the supervisor's read: the extract must show it
    open_id, _ = await open_case(s, personal_number=person["personal_number"])
    await s.act(WORKER, open_id, "complete-introduction", {"note": "introduktionen klar"})
    someone_else, _ = await open_case(s)

    r = await s.api.post(PATH, json={"personal_number": person["personal_number"]}, headers=await s.headers(AUDITOR))
    assert r.status_code == 200, r.text
    extract = r.json()
    assert extract["made_by"] == AUDITOR
    cases = {c["case_id"]: c for c in extract["cases"]}
    assert list(cases) == [closed_id, open_id]  # in the order they were opened; nobody else's
    assert someone_else not in r.text

    closed, current = cases[closed_id], cases[open_id]
    assert closed["summary"]["phase"] == "closed" and closed["summary"]["family_name"] == "Quarnström"
    assert closed["state"]["closed_reason"] == "flyttat"
    assert current["state"]["phase"] == "preparatory" and current["state"]["given_name"] == "Zelmira"
    # The whole history, decoded: who did what, with the note.
    closed_actions = [e["action"] for e in closed["history"] if e["kind"] == "action"]
    assert closed_actions[0] == "open" and closed_actions[-1] == "close"
    [intro] = [e for e in current["history"] if e["action"] == "complete-introduction"]
    assert intro["actor"]["username"] == WORKER and "introduktionen klar" in str(intro["details"])
    # Tasks and the mail ledger of the closed case: the reminder was sent to the worker.
    assert any(t["kind"] == "introduction_due" and t["assignee"] == WORKER for t in closed["tasks"])
    assert any(m["recipient"] == WORKER and m["status"] == "sent" for m in closed["mails"])
    # The access log's entries about the case: the supervisor's read.
    assert any(e["username"] == "chef" for e in closed["access_log"])

    # The extract itself is logged as a read of each case, by case id, never the number.
    logged = await extract_reads(s)
    assert {e["case_id"] for e in logged} >= {closed_id, open_id}
    digits = person["personal_number"].replace("-", "")
    assert digits[2:8] not in str(logged)
    await s.act(WORKER, open_id, "close", {"reason": "prov klart"})
    await s.act(WORKER, someone_else, "close", {"reason": "prov klart"})


async def test_extract_is_for_auditors_only_and_never_takes_the_number_in_the_url(mail: MailWorld) -> None:
    s = mail.stack
    _, person = await open_case(s)
    body: dict[str, Any] = {"personal_number": person["personal_number"]}
    for user in (WORKER, COORDINATOR, "chef", "admin"):
        r = await s.api.post(PATH, json=body, headers=await s.headers(user))
        assert r.status_code == 403, (user, r.text)
    r = await s.api.post(PATH, params=body, headers=await s.headers(AUDITOR))
    assert r.status_code == 422  # no body: the number is not read from the query string
    r = await s.api.post(PATH, json={"personal_number": "19900101-0018"}, headers=await s.headers(AUDITOR))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "personal_number"]
    assert "19900101" not in r.text


async def test_extract_of_a_person_without_cases_is_empty_and_logged(mail: MailWorld) -> None:
    s = mail.stack
    r = await s.api.post(PATH, json={"personal_number": personal_number()}, headers=await s.headers(AUDITOR))
    assert r.status_code == 200, r.text
    assert r.json()["cases"] == []
    assert any(e["case_id"] is None for e in await extract_reads(s))


async def test_the_auditors_page_posts_the_number_and_shows_the_extract(mail: MailWorld) -> None:
    s = mail.stack
    cid, person = await open_case(s)
    async with browser(s) as worker:
        await sign_in(worker, WORKER)
        assert (await worker.get("/register-extract")).status_code == 403
    async with browser(s) as auditor:
        await sign_in(auditor, AUDITOR)
        start = await auditor.get("/register-extract")
        assert start.status_code == 200 and 'method="post" action="/register-extract"' in start.text
        assert 'href="/register-extract"' in start.text  # in the auditor's menu
        token = csrf_token(start.text)
        forged = await auditor.post("/register-extract", data={"personal_number": person["personal_number"]})
        assert forged.status_code == 403 and cid not in forged.text  # no CSRF token: nothing made
        bad = await auditor.post("/register-extract", data={"personal_number": "12345", "csrf_token": token})
        assert bad.status_code == 422 and "Skriv ett giltigt personnummer" in bad.text
        assert 'href="#personal_number"' in bad.text  # the error summary links to the field
        r = await auditor.post(
            "/register-extract", data={"personal_number": person["personal_number"], "csrf_token": token}
        )
        assert r.status_code == 200, r.text
        assert str(r.url).endswith("/register-extract")  # the number never in the address
        assert cid in r.text and "Zelmira Quarnström" in r.text and "Ärendet öppnat" in r.text
        assert r.headers["cache-control"] == "no-store"
        english = await auditor.post(
            "/register-extract?lang=en",
            data={"personal_number": person["personal_number"], "csrf_token": token},
        )
        assert "Register extract" in english.text and "Case opened" in english.text
        download = await auditor.post(
            "/register-extract",
            data={"personal_number": person["personal_number"], "csrf_token": token, "format": "json"},
        )
        assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
        assert person["personal_number"] not in download.headers["content-disposition"]
        assert [c["case_id"] for c in download.json()["cases"]] == [cid]
    log = await s.api.get("/api/v1/access-log", params={"case_id": cid}, headers=await s.headers(AUDITOR))
    assert "page /register-extract" in {e["via"] for e in log.json()["items"]}
    await s.act(WORKER, cid, "close", {"reason": "prov klart"})
