"""Every page in a real browser: Debian's Chromium driven by Playwright against the app served by
uvicorn on a real stack. Each page passes axe-core (WCAG 2.1 A and AA, no serious or critical
violation), runs under the CSP without an error, and is saved as a screenshot under
test-artefacts/pages/ (look at them). Skipped, saying why, where Chromium, Playwright or
axe-core is missing (`make test` installs them where it can)."""

import asyncio
import importlib.util
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import uvicorn

from api.main import create_app
from tests.api.web.town import PASSWORD, Town, build_town, open_case, to_track_selection
from tests.stack import Stack, eventually, personal_number

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = ROOT / "test-artefacts" / "pages"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return "Debian's Chromium is not installed (/usr/bin/chromium); `make test` installs it with apt-get as root"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed: pip install -e '.[dev]'"
    if not AXE.exists():
        return "axe-core is not installed (node_modules/axe-core): `make test` runs npm ci"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=f"browser tests skipped: {_missing()}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class World:
    base: str
    town: Town
    cases: dict[str, str] = field(default_factory=dict)


@asynccontextmanager
async def serving(stack: Stack) -> AsyncIterator[str]:
    """The app served by uvicorn on a port of its own; yields its base URL."""
    port = free_port()
    app = create_app(stack.settings, temporal=stack.temporal)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest_asyncio.fixture(scope="module")
async def world(stack: Stack) -> AsyncIterator[World]:
    """The app on a port of its own, and a municipality whose cases stand in different phases."""
    town = await build_town(stack, "9931", "Webbköping")
    cases = {"late": await open_case(stack, town, given_name="Amal", family_name="Hassan")}
    for name, given in (("first", "Bodil"), ("second", "Cyrus"), ("third", "Dana")):
        cases[name] = await open_case(stack, town, given_name=given, family_name="Ekholm")
        await to_track_selection(stack, town, cases[name])
        # Two seats: the first two are offered one, the third waits.
        await stack.act(town.worker, cases[name], "apply-to-track", {"track_id": town.track_id})
    cases["preparatory"] = await open_case(stack, town, given_name="Filip", family_name="Gran")
    await stack.act(town.worker, cases["preparatory"], "complete-introduction")

    async with serving(stack) as base:
        yield World(base, town, cases)


@pytest_asyncio.fixture(scope="module")
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


class Visit:
    """One browser context (a person at their screen): axe is loaded into every page before the
    page's own scripts, without lifting the CSP; script errors and CSP reports are collected."""

    def __init__(self, context: Any, page: Any, base: str) -> None:
        self.context, self.page, self.base = context, page, base
        self.errors: list[str] = []
        page.on("pageerror", lambda err: self.errors.append(str(err)))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # A page answered with 403 or 404 is logged by the browser; its resources are checked below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.errors.append(f"{response.status} {response.url}")

    async def go(self, path: str) -> Any:
        return await self.page.goto(self.base + path)

    async def sign_in(self, username: str, password: str = PASSWORD) -> None:
        await self.go("/login")
        await self.page.fill("#username", username)
        await self.page.fill("#password", password)
        async with self.page.expect_navigation():
            await self.page.click("form.card button[type=submit]")

    async def check(self, name: str) -> None:
        """axe on the page as it stands, then a screenshot; a page with a serious or critical
        violation, a script error or a blocked resource fails, with what was found."""
        await self.page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
        result = await self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
        )
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{name}: " + "; ".join(bad)
        assert not [v for v in result["violations"]], f"{name}: " + "; ".join(
            f"{v['id']} ({v['impact']})" for v in result["violations"]
        )
        assert not self.errors, f"{name}: {self.errors}"


@pytest_asyncio.fixture
async def visit(chromium: Any, world: World) -> AsyncIterator[Visit]:
    context = await chromium.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    await context.add_init_script(path=str(AXE))
    try:
        yield Visit(context, await context.new_page(), world.base)
    finally:
        await context.close()


async def test_sign_in_page_and_its_errors(visit: Visit, world: World) -> None:
    page = visit.page
    await visit.go("/")  # not signed in: to the login form
    assert page.url.endswith("/login")
    assert await page.title() == "Logga in – Samverkan"
    await visit.check("login-sv")
    await page.fill("#username", world.town.worker)
    await page.fill("#password", "not-the-password")
    async with page.expect_navigation():
        await page.click("form.card button[type=submit]")
    # The error summary has the focus, names the problem and links to the field.
    assert await page.evaluate("document.activeElement.id") == "error-summary"
    assert "Användarnamnet eller lösenordet är fel" in await page.inner_text("#error-summary")
    assert await page.input_value("#username") == world.town.worker
    assert await page.input_value("#password") == ""
    await visit.check("login-error-sv")
    await page.click("#error-summary a")
    assert await page.evaluate("document.activeElement.id") == "username"


async def test_worklist_by_keyboard_and_htmx(visit: Visit, world: World) -> None:
    page = visit.page
    await visit.sign_in(world.town.worker)
    assert await page.title() == "Mina ärenden – Samverkan"
    await visit.check("worklist-sv")

    # The first Tab reaches the skip link, which shows itself and jumps to the content.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.className") == "skip-link"
    box = await page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 10, "the focused skip link is on screen"
    await visit.check("worklist-skip-link-focused")
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"

    # A filter swaps the results in place (htmx, under the CSP) and keeps itself in the URL.
    await page.evaluate("window.notReloaded = true")
    await page.select_option("#phase", "track_selection")
    await page.wait_for_url("**/?*phase=track_selection*")
    await page.wait_for_function("!document.querySelector('#worklist-results').innerText.includes('Introduktion')")
    assert await page.evaluate("window.notReloaded === true"), "the page was swapped, not reloaded"
    results = await page.inner_text("#worklist-results")
    assert world.cases["first"] in results and world.cases["late"] not in results
    assert "Ärende 1–3 av 3" in await page.inner_text("#worklist-announcer")
    await visit.check("worklist-filtered-sv")
    # The language link follows the new URL, so English keeps the filter.
    async with page.expect_navigation():
        await page.click("#language-switch a")
    assert "phase=track_selection" in page.url and await page.title() == "My cases – Samverkan"
    await visit.check("worklist-filtered-en")


async def test_every_page_in_swedish_and_english(visit: Visit, world: World) -> None:
    page = visit.page
    await visit.sign_in(world.town.worker)

    async def overdue_shown() -> None:
        await visit.go("/?overdue=true")
        assert world.cases["late"] in await page.inner_text("#worklist-results")

    await eventually(overdue_shown)  # the introduction's three seconds run out
    await visit.check("worklist-overdue-sv")
    for path, name in [
        ("/tasks", "tasks"),
        ("/tasks?status=done", "tasks-done"),
        ("/tracks", "tracks"),
        (f"/tracks/{world.town.track_id}", "track"),
        ("/accessibility", "accessibility"),
        ("/no-such-page", "not-found"),
        ("/logout", "sign-out"),  # the confirmation; the header's button signs out at once
    ]:
        for language in ("sv", "en"):
            await visit.go(f"{path}{'&' if '?' in path else '?'}lang={language}")
            assert await page.evaluate("document.documentElement.lang") == language
            await visit.check(f"{name}-{language}")
    await page.set_viewport_size({"width": 375, "height": 740})
    await visit.go("/?who=all&lang=sv")
    await visit.check("worklist-narrow-sv")


async def test_the_coordinator_sees_escalations(visit: Visit, world: World) -> None:
    page = visit.page
    await visit.sign_in(world.town.coordinator)

    async def escalated() -> None:
        await visit.go("/tasks")
        assert world.cases["late"] in await page.inner_text("main")

    await eventually(escalated)
    assert "Eskaleringar" in await page.inner_text("main")
    await visit.check("tasks-coordinator-sv")
    await visit.go("/?who=all")
    await visit.check("worklist-coordinator-sv")


async def test_a_form_from_an_old_session_gets_a_page_that_says_so(visit: Visit, world: World) -> None:
    page = visit.page
    await visit.sign_in(world.town.lead)
    await visit.go(f"/tracks/{world.town.track_id}")
    await page.evaluate("document.querySelector('.sign-out input[name=csrf_token]').value = 'stale'")
    async with page.expect_navigation():
        await page.click(".sign-out button")
    assert await page.title() == "Formuläret kunde inte skickas – Samverkan"
    await visit.check("form-expired-sv")


async def test_a_role_without_a_worklist(visit: Visit) -> None:
    await visit.sign_in("granskare")
    assert "ingen ärendelista" in await visit.page.inner_text("main")
    await visit.check("start-auditor-sv")
    async with visit.page.expect_navigation():
        await visit.page.click(".sign-out button")
    assert "Du är utloggad" in await visit.page.inner_text("main")
    await visit.check("signed-out-sv")


async def test_the_auditor_reads_a_case_history_by_keyboard(visit: Visit, world: World, tmp_path: Path) -> None:
    page = visit.page
    case_id = world.cases["first"]
    await visit.sign_in("granskare")
    await visit.go("/audit")
    await visit.check("audit-start-sv")
    await page.fill("#case", "no-such-case")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "error-summary"
    await visit.check("audit-start-error-sv")
    await page.fill("#case", case_id)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url.endswith(f"/cases/{case_id}/history")
    main = await page.inner_text("main")
    assert "Hanna Handläggare (Webbköping)" in main and "Ansökan till jobbspår" in main
    await visit.check("history-sv")

    # The case as it was: a moment now shows the phase it stands in.
    moment = await page.evaluate(
        "new Date().toLocaleString('sv-SE', {timeZone: 'Europe/Stockholm'}).replace(' ', 'T')"
    )
    await page.fill("#at", moment)
    async with page.expect_navigation():
        await page.click("#asof-heading ~ form button[type=submit]")
    assert await page.inner_text("#as-of-phase") == "Val av spår"
    await visit.check("history-as-of-sv")

    async with page.expect_navigation():
        await page.click("#verify-heading ~ form button[type=submit]")
    assert "Ja: historiken återskapas." in await page.inner_text("#verdict")
    await visit.check("history-verified-sv")

    async with page.expect_navigation():
        await page.click("#export-heading ~ form button[type=submit]")
    sha256 = await page.inner_text("#export-sha256")
    async with page.expect_download() as downloading:
        await page.click("#export-download")
    saved = tmp_path / "export.json"
    await (await downloading.value).save_as(saved)
    assert sha256 in saved.read_text()
    await visit.check("history-exported-sv")

    await page.set_input_files("#export_file", str(saved))
    async with page.expect_navigation():
        await page.click("#check-heading ~ form button[type=submit]")
    assert "Ja: historiken återskapas." in await page.inner_text("#verdict")
    await visit.check("history-check-sv")

    await visit.go(f"/cases/{case_id}/history?lang=en")
    assert "Applied to a job track" in await page.inner_text("main")
    await visit.check("history-en")


async def test_the_access_log_page(visit: Visit, world: World) -> None:
    page = visit.page
    await visit.sign_in("granskare")
    await visit.go(f"/cases/{world.cases['second']}/history")
    for path, name in [
        ("/access-log", "access-log"),
        (f"/access-log?case={world.cases['second']}&flag=outside_caseload", "access-log-flagged"),
        ("/access-log?from=not-a-date", "access-log-error"),
    ]:
        for language in ("sv", "en"):
            await visit.go(f"{path}{'&' if '?' in path else '?'}lang={language}")
            await visit.check(f"{name}-{language}")
    await visit.go(f"/access-log?case={world.cases['second']}&flag=outside_caseload&lang=sv")
    assert "Utanför läsarens ärenden" in await page.inner_text("main")
    async with page.expect_navigation():
        await page.click(".sign-out button")
    await visit.sign_in("chef")
    await visit.go("/access-log")
    await visit.check("access-log-manager-sv")


async def test_the_supervisors_figures_and_reports(visit: Visit, stack: Stack) -> None:
    from tests import cohort

    page = visit.page
    with cohort.cohort_in(stack.settings.resolved_database_url):
        await visit.sign_in("chef")
        for language in ("sv", "en"):
            await visit.go(f"/dashboard?municipality={cohort.MUNICIPALITY}&lang={language}")
            assert await page.locator("svg.chart[role=img]").count() == 4
            await visit.check(f"dashboard-{language}")
        await visit.go("/reports?lang=sv")
        await page.check("input[name=kind][value=quarterly]")
        async with page.expect_navigation():
            await page.click("form.make-report button[type=submit]")
        assert "Rapporten är framtagen" in await page.inner_text("main")
        await visit.check("reports-sv")
        await visit.go("/reports?lang=en")
        await visit.check("reports-en")
        await page.set_viewport_size({"width": 375, "height": 740})
        await visit.go(f"/dashboard?municipality={cohort.MUNICIPALITY}&lang=sv")
        await visit.check("dashboard-narrow-sv")


async def test_the_auditor_makes_a_register_extract_by_keyboard(visit: Visit, world: World, stack: Stack) -> None:
    page = visit.page
    number = personal_number()
    case_id = await open_case(stack, world.town, personal_number=number, given_name="Gun", family_name="Holm")
    await visit.sign_in("granskare")
    await visit.go("/register-extract")
    await visit.check("register-extract-sv")
    await page.fill("#personal_number", "12345")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "error-summary"
    await visit.check("register-extract-error-sv")
    await page.fill("#personal_number", number)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url.endswith("/register-extract")  # the number travelled in the body
    main = await page.inner_text("main")
    assert case_id in main and "Gun Holm" in main and "Ärendet öppnat" in main
    await visit.check("register-extract-result-sv")
    await stack.act(world.town.worker, case_id, "close", {"reason": "prov klart"})
