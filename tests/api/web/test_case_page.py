"""The case page over HTTP: answers at the top, the participant, the access log written with the
page as its purpose, one form per allowed action; an action by form done once for a repeated
key, a refusal saying why and what is allowed, invalid input next to its field with what was
typed kept."""

import re
from datetime import UTC, datetime, timedelta

import pytest_asyncio
from sqlmodel import select

from store.db import session_scope
from store.models import AccessLog
from tests.api.web.test_pages import text_of
from tests.api.web.town import Town, browser, build_town, csrf_token, open_case, sign_in, to_track_selection
from tests.stack import Stack, eventually, personal_number, today


@pytest_asyncio.fixture(scope="module")
async def town(stack: Stack) -> Town:
    return await build_town(stack, "9945", "Fallby")  # 9941 is the audit pages' town


def key_of(html: str, action: str) -> str:
    form = html[html.index('action="/cases/') :]
    form = form[form.index(f"/actions/{action}"):]
    found = re.search(r'name="idempotency_key" value="([^"]+)"', form)
    assert found
    return found.group(1)


async def test_the_case_page_answers_first_and_is_logged_as_a_page_read(stack: Stack, town: Town) -> None:
    case_id = await open_case(stack, town, given_name="Ida", family_name="Lind")
    async with browser(stack) as client:
        await sign_in(client, town.worker)
        page = await client.get(f"/cases/{case_id}")
        assert page.status_code == 200
        html = page.text
        assert "Ida Lind" in html and "Introduktion" in html
        assert html.index("Var ärendet är") < html.index("Tidslinje")
        # The most likely action first and open; each form posts to its own path with its guards.
        first = html.index("<details")
        assert 'open id="action-complete-introduction"' in html[first : first + 200]
        assert f'action="/cases/{case_id}/actions/plan-effort"' in html
    with session_scope(stack.settings.resolved_database_url) as db:
        rows = db.exec(select(AccessLog).where(AccessLog.case_id == case_id)).all()
    assert any(r.via == "GET /cases/{case_id}" and r.purpose == "case page" for r in rows)


async def test_an_action_by_form_is_done_once_and_refusals_and_errors_say_why(stack: Stack, town: Town) -> None:
    case_id = await open_case(stack, town, given_name="Jon", family_name="Berg")
    async with browser(stack) as client:
        await sign_in(client, town.worker)
        page = (await client.get(f"/cases/{case_id}")).text
        key = key_of(page, "complete-introduction")
        form = {"csrf_token": csrf_token(page), "idempotency_key": key, "note": "klart"}
        first = await client.post(f"/cases/{case_id}/actions/complete-introduction", data=form)
        assert first.status_code == 303 and first.headers["location"].startswith(f"/cases/{case_id}?done=")
        again = await client.post(f"/cases/{case_id}/actions/complete-introduction", data=form)
        assert again.status_code == 303  # the same key: done once, not refused
        view = (await stack.api.get(f"/api/v1/cases/{case_id}", headers=await stack.headers(town.worker))).json()
        assert view["phase"] == "preparatory"
        assert sum(1 for e in view["timeline"] if e["action"] == "complete-introduction") == 1
        # The page after it shows at least the version the action answered, whichever web process serves it.
        assert f"&seen={view['version']}#" in first.headers["location"]

        page = (await client.get(first.headers["location"])).text
        assert "Klart: Avsluta introduktionen" in page or "Avsluta introduktionen" in page
        # Refused: another key, a phase that does not allow it: why, and what is allowed.
        form["idempotency_key"] = "another"
        refused = await client.post(f"/cases/{case_id}/actions/complete-introduction", data=form)
        assert refused.status_code == 409
        assert 'href="#action-plan-effort"' in refused.text
        # Why, in the page's language: the process's reason said in Swedish, not marked English.
        assert "<p>Avsluta introduktionen går inte i fasen Förberedande insatser</p>" in refused.text
        assert '<span lang="en">' not in refused.text

        # Invalid: the error next to the field, in the summary linked to it, what was typed kept.
        bad = {"csrf_token": csrf_token(page), "idempotency_key": "k3", "kind": "sfi", "provider": "Komvux Fallby",
               "starts_on": "inte ett datum"}
        invalid = await client.post(f"/cases/{case_id}/actions/plan-effort", data=bad)
        assert invalid.status_code == 422
        assert 'href="#plan-effort-starts_on"' in invalid.text and 'id="plan-effort-starts_on-error"' in invalid.text
        assert 'value="Komvux Fallby"' in invalid.text

        good = bad | {"idempotency_key": "k4", "starts_on": today().isoformat()}
        assert (await client.post(f"/cases/{case_id}/actions/plan-effort", data=good)).status_code == 303
        assert "Komvux Fallby" in (await client.get(f"/cases/{case_id}")).text


async def test_another_organisations_decision_is_refused_naming_its_rule_in_swedish(stack: Stack, town: Town) -> None:
    case_id = await open_case(stack, town)
    async with browser(stack) as client:
        await sign_in(client, town.worker)  # the municipality's case worker
        page = (await client.get(f"/cases/{case_id}")).text
        form = {"csrf_token": csrf_token(page), "idempotency_key": "k1", "decision": "track"}
        refused = await client.post(f"/cases/{case_id}/actions/joint-standpoint", data=form)
    assert refused.status_code == 403
    said = text_of(refused.text)
    assert "Gemensamt ställningstagande är inte ditt beslut: det gemensamma ställningstagandet tas av" in said
    assert "Regel: Arbetsförmedlingen tar det gemensamma ställningstagandet (003) joint_standpoint_by_af" in said


async def test_a_reason_that_repeats_what_was_typed_shows_it_as_text(stack: Stack, town: Town) -> None:
    # The reason names the worker typed; markup and a per cent sign in it are shown as typed
    # (they were taken for the page's own markup and a placeholder: a 500).
    case_id = await open_case(stack, town)
    async with browser(stack) as client:
        await sign_in(client, town.worker)
        page = (await client.get(f"/cases/{case_id}")).text
        form = {"csrf_token": csrf_token(page), "idempotency_key": "k1", "responsible_worker": "<i>100%</i>"}
        invalid = await client.post(f"/cases/{case_id}/actions/reassign", data=form)
    assert invalid.status_code == 422
    assert f"&lt;i&gt;100%&lt;/i&gt; är inte handläggare i kommun {town.code}" in invalid.text
    assert "<i>100%</i>" not in invalid.text


async def test_a_case_outside_scope_is_not_found(stack: Stack, town: Town) -> None:
    other = await build_town(stack, "9942", "Annanby")
    case_id = await open_case(stack, other)
    async with browser(stack) as client:
        await sign_in(client, town.worker)
        assert (await client.get(f"/cases/{case_id}")).status_code == 404


async def test_open_a_case_by_form_with_the_number_checked_as_typed(stack: Stack, town: Town) -> None:
    async with browser(stack) as client:
        await sign_in(client, town.worker)
        page = (await client.get("/cases/new")).text
        token = csrf_token(page)
        typed = {"csrf_token": token, "personal_number": "19900101-0000"}
        hint = await client.post("/cases/new/personal-number", data=typed)
        assert hint.status_code == 200 and "giltigt personnummer" in hint.text
        form = {"csrf_token": token, "personal_number": "19900101-0000", "given_name": "Maja", "family_name": "Ek",
                "gender": "woman", "municipality": town.code, "education_level": "primary", "swedish_level": "sfi_c",
                "referral_purpose": "Stöd mot arbete"}
        invalid = await client.post("/cases/new", data=form)
        assert invalid.status_code == 422
        assert 'href="#personal_number"' in invalid.text and 'href="#consent_to_share"' in invalid.text
        assert 'value="Maja"' in invalid.text and "19900101-0000" not in str(invalid.url)
        valid = form | {"personal_number": personal_number(), "consent_to_share": "true"}
        ok = await client.post("/cases/new", data=valid)
        assert ok.status_code == 303 and ok.headers["location"].startswith("/cases/")
        assert "Maja Ek" in (await client.get(ok.headers["location"])).text


async def test_the_track_lead_admits_by_form_with_a_reason(stack: Stack, town: Town) -> None:
    case_id = await open_case(stack, town, given_name="Nils", family_name="Ros")
    await to_track_selection(stack, town, case_id)
    await stack.act(town.worker, case_id, "apply-to-track", {"track_id": town.track_id})
    async with browser(stack) as lead:
        await sign_in(lead, town.lead)
        page = (await lead.get(f"/tracks/{town.track_id}")).text
        form = {"csrf_token": csrf_token(page), "case_id": case_id, "decision": "admit", "reason": ""}
        empty = await lead.post(f"/tracks/{town.track_id}/decisions", data=form)
        assert empty.status_code == 422 and f'href="#reason-{case_id}"' in empty.text
        ok = await lead.post(f"/tracks/{town.track_id}/decisions", data=form | {"reason": "Erfarenhet av kök"})
        assert ok.status_code == 303
        view = (await stack.api.get(f"/api/v1/cases/{case_id}", headers=await stack.headers(town.worker))).json()
        assert view["phase"] == "track"
    async with browser(stack) as worker:
        await sign_in(worker, town.worker)
        page = (await worker.get(f"/tracks/{town.track_id}")).text
        seats = {"csrf_token": csrf_token(page), "seats": "5"}
        refused = await worker.post(f"/tracks/{town.track_id}/seats", data=seats)
        assert refused.status_code == 403  # only the track's lead


async def test_the_track_page_gives_each_applicants_reason_for_their_rank(stack: Stack) -> None:
    # A town per database: the track's workflow lives on in the Temporal server both share.
    sqlite = stack.settings.resolved_database_url.startswith("sqlite")
    town = await build_town(stack, "9943" if sqlite else "9944", "Rangby")
    # A round holds everyone on the waiting list, ranked, until it closes.
    closes = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    r = await stack.api.post(f"/api/v1/tracks/{town.track_id}/round", json={"closes_at": closes},
                             headers=await stack.headers(town.lead))
    assert r.status_code == 200, r.text
    novice = await open_case(stack, town, given_name="Ola", family_name="Ny", experience=[])
    expert = await open_case(stack, town, given_name="Kim", family_name="Kock", experience=["restaurant"])
    for case_id in (novice, expert):  # the novice applies first, the expert still goes first
        await to_track_selection(stack, town, case_id)
        await stack.act(town.worker, case_id, "apply-to-track", {"track_id": town.track_id})
    async with browser(stack) as lead:
        await sign_in(lead, town.lead)

        async def both_waiting() -> str:
            # The track hears of each application from the journey's activity, a moment later.
            page = (await lead.get(f"/tracks/{town.track_id}")).text
            waiting = page[page.index('id="waiting-heading"'):]
            assert novice in waiting and expert in waiting
            return waiting

        waiting = await eventually(both_waiting)
    first = waiting.index("Plats 1: erfarenhet av branschen (restaurang); ansökte ")
    second = waiting.index("Plats 2: ingen erfarenhet av branschen; ansökte ")
    assert waiting.index(expert) < first < waiting.index(novice) < second


async def test_the_case_page_offers_what_the_users_organisation_may_decide_most_likely_first(stack: Stack) -> None:
    case_id = str((await stack.open_case("handlaggare"))["case_id"])
    await stack.act("handlaggare", case_id, "complete-introduction")  # now preparatory
    standpoint_form = f'action="/cases/{case_id}/actions/joint-standpoint"'
    async with browser(stack) as municipal:
        await sign_in(municipal, "handlaggare")
        html = (await municipal.get(f"/cases/{case_id}")).text
    # The municipal case worker: no form for Arbetsförmedlingen's decisions, said in words why,
    # and the first thing they can do open first.
    assert standpoint_form not in html and f'/cases/{case_id}/actions/withdraw"' not in html
    assert "Gemensamt ställningstagande: beslutas av Arbetsförmedlingen, inte av dig." in html
    first = html.index("<details")
    assert 'open id="action-plan-effort"' in html[first : first + 200]
    async with browser(stack) as af:
        await sign_in(af, "arbetsformedlare")
        html = (await af.get(f"/cases/{case_id}")).text
    # Arbetsförmedlingen: the standpoint is the preparatory phase's next step, and first.
    first = html.index("<details")
    assert 'open id="action-joint-standpoint"' in html[first : first + 200] and standpoint_form in html
    assert "Beslutas av en annan organisation" not in html
