"""The pages as a browser meets them over HTTP: signing in and out, CSRF, the headers, Swedish
and English, the worklist's filters and paging, tasks and escalations, the track pages, and
friendly errors. (tests/api/web/test_browser.py drives them in Chromium with axe.)"""

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest_asyncio

from store.db import session_scope
from store.models import CaseSummary
from tests.api.web.town import PASSWORD, Town, browser, build_town, csrf_token, open_case, sign_in, to_track_selection
from tests.stack import Stack, eventually

TOWN, PAGED = "9921", "9922"


@pytest_asyncio.fixture(scope="module")
async def town(stack: Stack) -> Town:
    return await build_town(stack, TOWN, "Sidköping")


@pytest_asyncio.fixture
async def worker(stack: Stack, town: Town) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(stack) as client:
        await sign_in(client, town.worker)
        yield client


def text_of(html: str) -> str:
    """What a reader sees: the page without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_sign_in_with_the_form_and_out_again(stack: Stack, town: Town) -> None:
    async with browser(stack) as client:
        r = await client.get("/tasks")
        assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Ftasks"
        page = await client.get(r.headers["location"])
        assert page.status_code == 200 and 'name="username"' in page.text and 'name="password"' in page.text
        cookie = page.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie

        wrong = await client.post("/login", data={
            "username": town.worker, "password": "not-it", "csrf_token": csrf_token(page.text), "next": "/tasks"})
        assert wrong.status_code == 401
        assert "Användarnamnet eller lösenordet är fel" in wrong.text
        assert f'value="{town.worker}"' in wrong.text and "not-it" not in wrong.text  # kept; never echoed
        assert 'href="#username"' in wrong.text  # the error summary links to the field

        empty = await client.post("/login", data={"username": "", "password": "", "csrf_token": csrf_token(page.text)})
        assert empty.status_code == 422
        assert "Skriv ditt användarnamn" in empty.text and "Skriv ditt lösenord" in empty.text

        ok = await client.post("/login", data={
            "username": town.worker, "password": PASSWORD, "csrf_token": csrf_token(page.text), "next": "/tasks"})
        assert ok.status_code == 303 and ok.headers["location"] == "/tasks"
        tasks = await client.get("/tasks")
        assert tasks.status_code == 200 and "Hanna Handläggare (Sidköping)" in tasks.text

        out = await client.post("/logout", data={"csrf_token": csrf_token(tasks.text)})
        assert out.status_code == 303 and out.headers["location"] == "/login?signed_out=1"
        assert "Du är utloggad" in (await client.get(out.headers["location"])).text
        assert (await client.get("/tasks")).status_code == 303


async def test_a_link_from_elsewhere_never_sends_the_user_away(stack: Stack, town: Town) -> None:
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        async with browser(stack) as client:
            page = await client.get("/login")
            r = await client.post("/login", data={
                "username": town.worker, "password": PASSWORD, "csrf_token": csrf_token(page.text), "next": elsewhere})
            assert r.headers["location"] == "/", elsewhere


async def test_a_form_without_the_sessions_token_is_refused(stack: Stack, town: Town) -> None:
    async with browser(stack) as client, browser(stack) as other:
        page = await client.get("/login")
        login = {"username": town.worker, "password": PASSWORD}
        refused = await client.post("/login", data=login)
        assert refused.status_code == 403 and "Formuläret kunde inte skickas" in refused.text
        # Another visitor's token does not fit this session.
        foreign = csrf_token((await other.get("/login")).text)
        assert (await client.post("/login", data=login | {"csrf_token": foreign})).status_code == 403
        # Signing in starts a new session: the token of the login page no longer works.
        before = csrf_token(page.text)
        assert (await client.post("/login", data=login | {"csrf_token": before})).status_code == 303
        assert (await client.post("/logout", data={"csrf_token": before})).status_code == 403
        assert (await client.get("/")).status_code == 200  # still signed in


async def test_every_form_carries_a_fresh_idempotency_key(worker: httpx.AsyncClient) -> None:
    pattern = r'name="idempotency_key" value="([0-9a-f]{32})"'
    keys = [re.findall(pattern, (await worker.get("/")).text) for _ in range(2)]
    assert keys[0] and keys[1] and not set(keys[0]) & set(keys[1])


async def test_headers_on_every_page(stack: Stack, worker: httpx.AsyncClient) -> None:
    for path in ("/", "/tasks", "/tracks", "/accessibility", "/no-such-page", "/login"):
        r = await worker.get(path)
        h = r.headers
        assert "frame-ancestors 'none'" in h["content-security-policy"], path
        csp = h["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "same-origin" and h["cache-control"] == "no-store", path
        assert "strict-transport-security" not in h  # plain HTTP here
        assert re.fullmatch(r"app;dur=\d+\.\d", h["server-timing"])
    # No inline script or style anywhere (the CSP would block it).
    html = (await worker.get("/")).text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "<style" not in html and " style=" not in html
    css = await worker.get(re.search(r'href="(/static/css/[^"]+)"', html).group(1))  # type: ignore[union-attr]
    assert css.status_code == 200 and "immutable" in css.headers["cache-control"]
    # Over HTTPS the cookie is Secure and HSTS is on.
    async with browser(stack, base_url="https://samverkan.test") as tls:
        r = await tls.get("/login")
        assert "secure" in r.headers["set-cookie"].lower()
        assert r.headers["strict-transport-security"].startswith("max-age=")


async def test_swedish_by_default_english_on_request_and_remembered(worker: httpx.AsyncClient) -> None:
    sv = await worker.get("/")
    assert '<html lang="sv">' in sv.text and "<title>Mina ärenden – Samverkan</title>" in sv.text
    assert 'href="/?lang=en" lang="en"' in sv.text
    en = await worker.get("/?lang=en")
    assert '<html lang="en">' in en.text and "My cases" in en.text and "Mina ärenden" not in en.text
    assert "samverkan_lang=en" in en.headers["set-cookie"]
    again = await worker.get("/tasks")  # no parameter: the choice is remembered
    assert "My tasks" in again.text and "Main menu" in again.text
    back = await worker.get("/tasks?lang=sv")
    assert "Mina uppgifter" in back.text
    assert "Mina uppgifter" in (await worker.get("/tasks")).text


async def test_worklist_filters_show_phase_next_step_and_overdue_in_words(
    stack: Stack, town: Town, worker: httpx.AsyncClient
) -> None:
    waiting = await open_case(stack, town, given_name="Zelmira", family_name="Quarnström")
    chosen = await open_case(stack, town, given_name="Bodil", family_name="Ekholm")
    await to_track_selection(stack, town, chosen)

    async def overdue_shown() -> str:
        page = await worker.get("/?overdue=true")
        assert waiting in page.text
        return page.text

    overdue = await eventually(overdue_shown)  # the introduction's 3 s run out
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{waiting}(?:(?!</tr>).)*</tr>", overdue, re.S)
    assert row and "Försenad" in row.group(0) and "Introduktion" in row.group(0)
    assert "Avsluta introduktionen" in row.group(0)  # the next step, from the open task
    assert chosen not in overdue

    everything = await worker.get("/")
    for name in ("Zelmira", "Quarnström", "Bodil", "Ekholm"):
        assert name not in everything.text, "a list names no participant"
    assert "Z. Q." in everything.text and "B. E." in everything.text

    selection = await worker.get("/?phase=track_selection")
    assert chosen in selection.text and waiting not in selection.text
    assert "Ansök till ett jobbspår" in selection.text and "Val av spår" in selection.text
    assert '<option value="track_selection" selected>' in selection.text  # the filter stays set

    refused = await worker.get("/?phase=nonsense")
    assert refused.status_code == 422 and 'href="#phase"' in refused.text and "Välj en fas i listan" in refused.text

    await stack.act(town.worker, chosen, "apply-to-track", {"track_id": town.track_id})
    offered = await eventually(lambda: _containing(worker, "/?phase=track_selection", "Få svar på platserbjudandet"))
    assert chosen in offered
    await stack.act(town.worker, chosen, "answer-offer", {"accept": True})
    in_track = await eventually(lambda: _containing(worker, f"/?track={town.track_id}", chosen))
    assert waiting not in in_track and "Jobbspår pågår" in in_track


async def _containing(client: httpx.AsyncClient, path: str, wanted: str) -> str:
    page = await client.get(path)
    assert wanted in page.text
    return page.text


async def test_worklist_pages_soonest_due_first_and_htmx_gets_only_the_results(stack: Stack) -> None:
    """Thirty cases written straight into the read model of a municipality of their own."""
    town = await build_town(stack, PAGED, "Bladköping")
    start = datetime.now(UTC) + timedelta(days=1)
    with session_scope(stack.settings.resolved_database_url) as db:
        for n in range(30):
            db.add(CaseSummary(
                case_id=f"blad{n:04d}", phase="preparatory", status="active", municipality=PAGED,
                responsible_worker=town.worker, given_name="Ada", family_name="Berg", gender="woman",
                birth_date=datetime(1990, 1, 1).date(), opened_at=start, next_due_at=start + timedelta(hours=30 - n),
            ))
        db.commit()
    async with browser(stack) as client:
        await sign_in(client, town.worker)
        first = (await client.get("/")).text
        assert "Ärende 1–25 av 30" in text_of(first)
        ids = list(dict.fromkeys(re.findall(r"blad\d{4}", first)))
        assert ids[0] == "blad0029" and ids[24] == "blad0005"  # soonest due first
        assert 'href="/?who=mine&amp;page=2"' in first
        second = await client.get("/?who=mine&page=2", headers={"HX-Request": "true"})
        assert "<html" not in second.text and "<title>Mina ärenden (sida 2) – Samverkan</title>" in second.text
        assert "Ärende 26–30 av 30" in text_of(second.text)
        assert re.findall(r"blad\d{4}", second.text)[0] == "blad0004"
        assert 'id="language-switch" class="language-switch" hx-swap-oob="true"' in second.text
        assert "page=2&amp;lang=en" in second.text  # the language link follows the new URL
        history = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
        restore = await client.get("/?who=mine&page=2", headers=history)
        assert "<html" in restore.text


async def test_tasks_show_reminders_and_the_coordinators_escalations(stack: Stack, town: Town) -> None:
    case_id = await open_case(stack, town, given_name="Tove", family_name="Lindqvist")
    async with browser(stack) as coordinator:
        await sign_in(coordinator, town.coordinator)

        async def escalated() -> str:
            page = (await coordinator.get("/tasks")).text
            assert case_id in page
            return page

        page = text_of(await eventually(escalated))
        assert "Eskaleringar" in page and "Avslut av introduktionen" in page and "Samordnare" in page
        assert "T. L." in page and "Tove" not in page
    async with browser(stack) as worker:
        await sign_in(worker, town.worker)
        mine = text_of((await worker.get("/tasks")).text)
        assert "Påminnelser" in mine and "Försenad" in mine and "Eskaleringar" not in mine
        worklist = (await worker.get("/")).text
        assert re.search(r"\d+ öpp(en|na) uppgift", worklist) and "försenad" in worklist


async def test_track_pages_show_seats_and_the_applicants(stack: Stack, town: Town) -> None:
    case_id = await open_case(stack, town, given_name="Rut", family_name="Nilsson")
    await to_track_selection(stack, town, case_id)
    await stack.act(town.worker, case_id, "apply-to-track", {"track_id": town.track_id})
    async with browser(stack) as lead:
        await sign_in(lead, town.lead)
        catalogue = text_of((await lead.get("/tracks")).text)
        assert f"Jobbspår restaurang {town.name}" in catalogue and "Restaurang" in catalogue
        track = await lead.get(f"/tracks/{town.track_id}")
        assert track.status_code == 200 and case_id in track.text and "R. N." in track.text
        shown = text_of(track.text)
        assert "Svenska: minst SFI kurs B" in shown and "Sven Spåransvarig (Sidköping)" in shown
        assert "Rut" not in shown
    async with browser(stack) as outsider:
        await sign_in(outsider, "handlaggare")  # Norrköping's: the track is not theirs to see
        missing = await outsider.get(f"/tracks/{town.track_id}")
        assert missing.status_code == 404 and "Sidan finns inte" in missing.text


async def test_errors_are_pages_for_people_and_json_for_the_api(stack: Stack, worker: httpx.AsyncClient) -> None:
    page = await worker.get("/no-such-page")
    assert page.status_code == 404 and "Sidan finns inte" in page.text
    assert "Hanna Handläggare" in page.text  # the header still knows who is signed in
    api = await worker.get("/api/v1/no-such-call")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    assert (await worker.get("/healthz")).json() == {"status": "ok"}


async def test_a_role_without_a_worklist_gets_a_start_page(stack: Stack) -> None:
    async with browser(stack) as client:
        await sign_in(client, "granskare")
        start = await client.get("/")
        assert start.status_code == 200 and "Som granskare har du ingen ärendelista" in text_of(start.text)


async def test_the_accessibility_statement_is_public(stack: Stack) -> None:
    async with browser(stack) as client:
        r = await client.get("/accessibility")
        shown = text_of(r.text)
        assert r.status_code == 200 and "Tillgänglighet för Samverkan" in shown
        assert "Myndigheten för digital förvaltning (DIGG)" in shown and "delvis förenlig" in shown
        assert "Accessibility for Samverkan" in text_of((await client.get("/accessibility?lang=en")).text)
