"""The README's walkthrough in a real browser, by forms only: a case worker opens a case, ends
the introduction, plans an effort, records a follow-up; Arbetsförmedlingen's worker records the
joint standpoint; the case applies to a track and its lead admits it; the case worker records
the exit and the outcome. Each page passes axe and is saved under test-artefacts/pages/."""

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from tests.api.web.test_browser import AXE, Visit, chromium, pytestmark, serving  # noqa: F401
from tests.api.web.town import build_town
from tests.stack import Stack, personal_number, today


@pytest_asyncio.fixture(scope="module")
async def site(stack: Stack) -> AsyncIterator[str]:
    async with serving(stack) as base:
        yield base


async def _visit(browser: Any, base: str) -> Visit:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    await context.add_init_script(path=str(AXE))
    return Visit(context, await context.new_page(), base)


async def _act(visit: Visit, action: str, fields: dict[str, str], selects: dict[str, str] | None = None) -> None:
    page = visit.page
    details = page.locator(f"#action-{action}")
    if not await details.evaluate("d => d.open"):
        await page.click(f"#action-{action} > summary")
    for name, value in fields.items():
        await page.fill(f"#{action}-{name}", value)
    for name, value in (selects or {}).items():
        await page.select_option(f"#{action}-{name}", value)
    async with page.expect_navigation():
        await page.click(f"#action-{action} button[type=submit]")
    assert "done=" in page.url, await page.inner_text("main")


async def test_the_walkthrough_by_forms(stack: Stack, chromium: Any, site: str) -> None:  # noqa: F811
    town = await build_town(stack, "9951", "Gångby")
    worker = await _visit(chromium, site)
    page = worker.page
    await worker.sign_in(town.worker)
    await worker.go("/cases/new")
    await worker.check("case-new-sv")
    await page.fill("#personal_number", "19900101-0000")
    await page.wait_for_selector("#personal_number-check .error-message")  # checked as typed
    await page.fill("#personal_number", personal_number())
    await page.wait_for_selector("#personal_number-check .valid")
    await page.fill("#given_name", "Lina")
    await page.fill("#family_name", "Sund")
    await page.select_option("#gender", "woman")
    await page.select_option("#municipality", town.code)
    await page.select_option("#education_level", "upper_secondary")
    await page.select_option("#swedish_level", "sfi_c")
    await page.check("input[name=experience][value=restaurant]")
    await page.fill("#referral_purpose", "Stöd mot arbete i restaurang")
    await page.check("#consent_to_share")
    async with page.expect_navigation():
        await page.click("form.card button[type=submit]")
    case_id = page.url.rstrip("/").split("/")[-1]
    assert "Lina Sund" in await page.inner_text("h1")
    await worker.check("case-introduction-sv")

    await _act(worker, "complete-introduction", {"note": "Introduktionen klar"})
    await _act(worker, "plan-effort", {"provider": "Komvux Gångby", "starts_on": today().isoformat()}, {"kind": "sfi"})
    await _act(worker, "record-follow-up", {
        "held_on": today().isoformat(), "attendees": "Lina Sund\nHanna Handläggare",
        "progress": "Går bra på SFI", "next_steps": "Ställningstagande med Arbetsförmedlingen"})
    await worker.check("case-preparatory-sv")

    af = await _visit(chromium, site)
    await af.sign_in("arbetsformedlare")
    await af.go(f"/cases/{case_id}")
    await _act(af, "joint-standpoint", {}, {"decision": "track"})
    await af.context.close()

    await worker.go(f"/cases/{case_id}")
    await _act(worker, "apply-to-track", {"motivation": "Erfarenhet av kök"}, {"track_id": town.track_id})

    lead = await _visit(chromium, site)
    await lead.sign_in(town.lead)
    await lead.go(f"/tracks/{town.track_id}")
    await lead.check("track-lead-sv")
    await lead.page.fill(f"#reason-{case_id}", "Uppfyller förkunskaperna och har erfarenhet av kök")
    async with lead.page.expect_navigation():
        await lead.page.click(f"form.decision:has(input[value='{case_id}']) button[value=admit]")
    assert "done=admit" in lead.page.url
    await lead.context.close()

    await worker.go(f"/cases/{case_id}")
    assert "Jobbspår" in await page.inner_text(".answers")
    await worker.check("case-track-sv")
    await _act(worker, "record-exit", {"exited_on": today().isoformat()}, {"reason": "work"})
    await _act(worker, "record-outcome", {}, {"status": "work"})
    assert "Avslutat" in await page.inner_text(".answers")
    await worker.check("case-closed-sv")
    await worker.go(f"/cases/{case_id}?lang=en")
    await worker.check("case-closed-en")
    await worker.context.close()
