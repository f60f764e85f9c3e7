"""Protected identity (skyddade personuppgifter): the participant is named to the responsible case
worker only. The coordinator, the supervisor and the track lead read "Skyddad" where the name
or initials would be, in the API, the pages and the mails; on the real stack with real SMTP."""

import base64
import secrets
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.api.web.town import PASSWORD, browser, sign_in
from tests.mail import COORDINATOR, SUPERVISOR, TOWN, WORKER, MailWorld, Received, open_case
from tests.stack import Stack, eventually

# The protected participant's names, found in no other test's case: the lists hold those too.
GIVEN, FAMILY = "Xenia", "Yrjölä"
NAMES = (GIVEN, FAMILY, "X. Y.")


def assert_nameless(text: str) -> None:
    for name in NAMES:
        assert name not in text, f"{name!r} shown to someone the identity is protected from"


def decoded_payloads(value: Any) -> list[str]:
    """Every payload's data in an export, decoded from base64 (the export keeps them so)."""
    if isinstance(value, dict):
        if isinstance(value.get("data"), str) and "metadata" in value:
            return [base64.b64decode(value["data"]).decode("utf-8", "replace")]
        return [text for v in value.values() for text in decoded_payloads(v)]
    if isinstance(value, list):
        return [text for v in value for text in decoded_payloads(v)]
    return []


async def track_with_lead(s: Stack) -> tuple[str, str]:
    admin = await s.headers("admin")
    lead, track_id = f"spar.skydd.{secrets.token_hex(3)}", f"skydd-{secrets.token_hex(3)}"
    user = {"username": lead, "password": PASSWORD, "role": "track_lead", "organisation": TOWN,
            "display_name": "Spåransvarig Prov", "email": f"{lead}@prov.example.se"}
    r = await s.api.post("/api/v1/users", json=user, headers=admin)
    assert r.status_code == 201, r.text
    track = {"track_id": track_id, "name": "Jobbspår skyddad", "municipalities": [TOWN], "industry": "restaurant",
             "seats": 1, "lead": lead}
    r = await s.api.post("/api/v1/tracks", json=track, headers=admin)
    assert r.status_code == 201, r.text
    return lead, track_id


async def page(s: Stack, user: str, path: str) -> str:
    async with browser(s) as client:
        await sign_in(client, user)
        r = await client.get(path)
        assert r.status_code == 200, r.text
        return r.text


async def mails_about(mail: MailWorld, user: str, case_id: str) -> list[Received]:
    found = mail.box.to(user, case_id)
    assert found, f"no mail to {user} yet"
    return found


async def test_a_protected_participant_is_named_to_the_responsible_worker_only(mail: MailWorld) -> None:
    s = mail.stack
    lead, track_id = await track_with_lead(s)
    cid, _ = await open_case(s, given_name=GIVEN, family_name=FAMILY, protected_identity=True)
    plain, _ = await open_case(s)

    # Mails leave the service: "Skyddad" for everyone, the responsible worker too.
    for user in (WORKER, COORDINATOR, SUPERVISOR):
        sent = await eventually(lambda user=user: mails_about(mail, user, cid))
        for m in sent:
            assert "(Skyddad)" in m.subject
            assert_nameless(m.everything)
    plain_reminder = await eventually(lambda: mails_about(mail, WORKER, plain))
    assert "(Z. Q.)" in plain_reminder[0].subject  # the mask is the protected case's only

    await s.act(WORKER, cid, "complete-introduction")
    await s.act("arbetsformedlare", cid, "joint-standpoint", {"decision": "track"})
    applied = await s.act(WORKER, cid, "apply-to-track", {"track_id": track_id})
    assert applied["given_name"] == GIVEN  # the action's answer, to the responsible worker

    # The API: the case and the list, as each reader may read them.
    mine = await s.get(WORKER, f"/api/v1/cases/{cid}")
    assert (mine["given_name"], mine["family_name"], mine["protected_identity"]) == (GIVEN, FAMILY, True)
    # The coordinator reads the case (the escalation made them hold a task on it) but lists none.
    for reader in (COORDINATOR, SUPERVISOR, "arbetsformedlare"):
        theirs = await s.get(reader, f"/api/v1/cases/{cid}")
        assert (theirs["given_name"], theirs["family_name"], theirs["protected_identity"]) == ("protected", "", True)
    for reader in (SUPERVISOR, "arbetsformedlare"):
        listed: list[dict[str, Any]] = (await s.get(reader, "/api/v1/cases", municipality=TOWN, limit=500))["items"]
        [row] = [c for c in listed if c["case_id"] == cid]
        assert (row["given_name"], row["family_name"]) == ("protected", "")
        [other] = [c for c in listed if c["case_id"] == plain]
        assert other["given_name"] == "Zelmira"  # an unprotected case in the same list keeps its name
    answer = await s.act(COORDINATOR, cid, "record-follow-up", {
        "held_on": "2026-01-05", "attendees": ["AF"], "progress": "god", "next_steps": "vidare"})
    assert_nameless(str(answer))

    # The pages: worklist, the case, tasks, the track's applicants.
    for user, path in [
        (SUPERVISOR, "/?who=all&phase=track_selection"),
        (COORDINATOR, f"/cases/{cid}"),
        (COORDINATOR, "/tasks?status=done"),
        (SUPERVISOR, f"/cases/{cid}"),
        (SUPERVISOR, "/tasks?status=done"),
        (lead, f"/tracks/{track_id}"),
    ]:
        html = await page(s, user, path)
        assert cid in html and "Skyddad" in html, (user, path)
        assert_nameless(html)
    worker_case = await page(s, WORKER, f"/cases/{cid}")
    assert f"{GIVEN} {FAMILY}" in worker_case and "Skyddade personuppgifter" in worker_case
    # Only who may name the participant may lift the protection: the form is theirs alone.
    form = f"/cases/{cid}/actions/set-protected-identity"
    assert form in worker_case and form not in await page(s, COORDINATOR, f"/cases/{cid}")
    worker_list = await page(s, WORKER, "/?who=mine&phase=track_selection")
    assert "X. Y." in worker_list
    for case_id in (cid, plain):
        await s.act(WORKER, case_id, "close", {"reason": "prov klart"})


async def test_an_english_page_says_protected(mail: MailWorld) -> None:
    s = mail.stack
    cid, _ = await open_case(s, given_name=GIVEN, family_name=FAMILY, protected_identity=True)
    async with browser(s) as client:
        await sign_in(client, SUPERVISOR)
        r: httpx.Response = await client.get(f"/cases/{cid}", params={"lang": "en"})
        assert r.status_code == 200
        assert "Protected" in r.text
        assert_nameless(r.text)
    await s.act(WORKER, cid, "close", {"reason": "prov klart"})


async def test_an_auditors_export_and_past_state_do_not_name_a_protected_participant(mail: MailWorld) -> None:
    s = mail.stack
    cid, _ = await open_case(s, given_name=GIVEN, family_name=FAMILY, protected_identity=True)
    await s.act(WORKER, cid, "complete-introduction")
    auditor = await s.headers("granskare")
    r = await s.api.get(f"/api/v1/cases/{cid}/history/export", headers=auditor)
    assert r.status_code == 200, r.text
    payloads = "\n".join(decoded_payloads(r.json()))
    assert '"given_name":"protected"' in payloads  # the opening's participant, masked
    assert_nameless(payloads)
    # The masked record still reproduces: no command of the journey depends on the name.
    verdict = await s.api.post("/api/v1/history/verify", json=r.json(), headers=auditor)
    assert verdict.status_code == 200 and verdict.json()["reproduces"] is True, verdict.text
    then = await s.api.get(f"/api/v1/cases/{cid}/history/state", params={"at": datetime.now(UTC).isoformat()},
                           headers=auditor)
    assert then.status_code == 200, then.text
    assert then.json()["state"]["given_name"] == "protected"
    assert_nameless(then.text)
    await s.act(WORKER, cid, "close", {"reason": "prov klart"})
