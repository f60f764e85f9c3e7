"""The supervisors' dashboard and reports pages: a known cohort shows on the page the same exact
shares as in the JSON and the CSV, in Swedish format; scope and roles hold; a report is made
with the CSRF-protected form and downloaded."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from core.i18n import Formats, Language
from tests import cohort
from tests.api.web.test_pages import text_of
from tests.api.web.town import browser, csrf_token, sign_in
from tests.stack import Stack

SV = Formats(Language.SWEDISH)


@pytest_asyncio.fixture
async def chef(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    with cohort.cohort_in(stack.settings.resolved_database_url):
        async with browser(stack) as client:
            await sign_in(client, "chef")
            yield client


def row(html: str, caption: str, name: str) -> list[str]:
    """The cells of the row headed `name` in the table captioned `caption`, as read."""
    table = html.split(f">{caption}</caption>", 1)[1].split("</table>", 1)[0]
    found = re.search(rf'<th scope="row">{re.escape(name)}</th>(.*?)</tr>', table, re.S)
    assert found, f"no row {name!r} in {caption!r}"
    return [text_of(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)]


async def test_the_page_shows_the_cohorts_exact_shares_as_the_json_and_csv(stack: Stack,
                                                                          chef: httpx.AsyncClient) -> None:
    figures = await stack.get("chef", "/api/v1/stats/overview", municipality=cohort.MUNICIPALITY)
    page = await chef.get("/dashboard", params={"municipality": cohort.MUNICIPALITY})
    assert page.status_code == 200
    html = page.text
    share = figures["outcome_90d"]["share"]
    assert share == 0.5 and SV.percent(share) == "50,0 %"
    # The outcome table: all tracks, then each track; women's and men's shares beside.
    assert row(html, "Utfall 90 dagar efter avslut, per jobbspår och kön", "Alla spår") == [
        "20", "10", "50,0 %", "70,0 %", "30,0 %"]
    track_a = figures["by_track"][cohort.TRACK_A]
    assert row(html, "Utfall 90 dagar efter avslut, per jobbspår och kön", cohort.TRACK_A) == [
        "10", "6", SV.percent(track_a["outcome_90d"]["share"]),
        SV.percent(track_a["by_gender"]["woman"]["outcome_90d"]["share"]),
        SV.percent(track_a["by_gender"]["man"]["outcome_90d"]["share"])] == ["10", "6", "60,0 %", "80,0 %",
                                                                             "40,0 %"]
    assert row(html, "Kvinnors andel i jobbspåren", "Alla spår") == ["20", "50,0 %"]
    # Three in the introduction: said to be fewer than 5, not left out.
    assert row(html, "Deltagare per fas", "Introduktion") == ["färre än 5"]
    assert row(html, "Deltagare per fas", "Avslutat") == ["20"]
    assert row(html, "Tid i programmet (dagar från start till avslut)", "Median") == ["105"]
    assert row(html, "Tid i programmet (dagar från start till avslut)", "181–365") == ["färre än 5"]
    # The charts are pictures with a name, drawn on the server; the 60 % line is on the outcome chart.
    assert html.count('<svg class="chart" role="img"') == 4 and "Mål 60,0 %" in html
    # The CSV link gives the API's CSV for the same filter.
    api_csv = await stack.api.get("/api/v1/stats/overview.csv", params={"municipality": cohort.MUNICIPALITY},
                                  headers=await stack.headers("chef"))
    link = re.search(r'href="(/dashboard\.csv[^"]*)"', html)
    assert link
    page_csv = await chef.get(link.group(1).replace("&amp;", "&"))
    assert page_csv.text == api_csv.text and "overall,all,outcome_90d.share,0.5" in page_csv.text
    # A filter in the URL narrows the page as it narrows the API.
    youth = await chef.get("/dashboard", params={"municipality": cohort.MUNICIPALITY, "target_group": "youth"})
    assert row(youth.text, "Utfall 90 dagar efter avslut, per jobbspår och kön", "Alla spår")[2] == "80,0 %"
    english = await chef.get("/dashboard", params={"municipality": cohort.MUNICIPALITY, "lang": "en"})
    assert row(english.text, "Outcome 90 days after leaving, per job track and gender", "All tracks")[2] == "50.0 %"


async def test_a_bad_filter_is_named_and_another_municipality_refused(stack: Stack) -> None:
    async with browser(stack) as client:
        await sign_in(client, "chef-norrkoping")
        page = await client.get("/dashboard")
        assert page.status_code == 200 and cohort.TRACK_A not in page.text
        elsewhere = await client.get("/dashboard", params={"municipality": cohort.MUNICIPALITY})
        assert elsewhere.status_code == 422 and 'href="#municipality"' in elsewhere.text
        backwards = await client.get("/dashboard", params={"from": "2026-05-01", "to": "2026-01-01"})
        assert backwards.status_code == 422 and 'href="#to"' in backwards.text
        assert (await client.get("/dashboard.csv", params={"municipality": cohort.MUNICIPALITY})).status_code == 422


async def test_a_case_worker_gets_403_and_no_menu_item(stack: Stack) -> None:
    async with browser(stack) as client:
        await sign_in(client, "handlaggare")
        for path in ("/dashboard", "/dashboard.csv", "/reports"):
            assert (await client.get(path)).status_code == 403, path
        start = await client.get("/tasks")
        assert 'href="/dashboard"' not in start.text and 'href="/reports"' not in start.text


async def test_a_supervisor_makes_a_report_and_downloads_it(stack: Stack, chef: httpx.AsyncClient) -> None:
    page = await chef.get("/reports")
    assert page.status_code == 200 and 'href="/dashboard"' in page.text and 'aria-current="page"' in page.text
    refused = await chef.post("/reports", data={"kind": "quarterly", "csrf_token": "not-the-token"})
    assert refused.status_code == 403
    nothing = await chef.post("/reports", data={"csrf_token": csrf_token(page.text)})
    assert nothing.status_code == 422 and 'href="#kind"' in nothing.text
    made = await chef.post("/reports", data={"kind": "quarterly", "csrf_token": csrf_token(page.text)})
    assert made.status_code == 303
    report_id = made.headers["location"].split("made=")[1]
    listed = await chef.get(made.headers["location"])
    assert f'href="/reports/{report_id}.html"' in listed.text and "Cecilia Chef (AF)" in listed.text
    html = await chef.get(f"/reports/{report_id}.html")
    assert html.status_code == 200 and "Kvartalsrapport till styrgruppen" in html.text
    assert "style-src 'unsafe-inline'" in html.headers["content-security-policy"]
    csv = await chef.get(f"/reports/{report_id}.csv")
    assert csv.text.startswith("table,group,figure,value")
    missing = await chef.get("/reports/2147483647.html")  # none such: the error page, in words
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "2147483647" in missing.text
