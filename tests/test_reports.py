"""Steering-group reports: made on demand and by their Schedule, kept for download (HTML and
CSV) with who made them and when; the figures are the overview's for the period."""

import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests import cohort
from tests.stack import Stack, eventually
from worker.schedules import ensure_report_schedules, report_schedule_id
from workflows.report import ReportKind

KALMAR_CHEF = "chef-kalmar"
PASSWORD = "kalmar-chef-password"


@pytest.fixture
def kalmar(stack: Stack) -> Iterator[Stack]:
    with cohort.cohort_in(stack.settings.resolved_database_url):
        yield stack


async def _kalmar_chef(s: Stack) -> dict[str, str]:
    r = await s.api.post("/api/v1/users", headers=await s.headers("admin"), json={
        "username": KALMAR_CHEF, "password": PASSWORD, "role": "supervisor", "organisation": cohort.MUNICIPALITY,
        "display_name": "Karin Enhetschef (Kalmar)"})
    assert r.status_code in (201, 409), r.text
    return await s.headers(KALMAR_CHEF, PASSWORD)


async def test_a_report_on_demand_is_kept_with_its_maker(kalmar: Stack) -> None:
    h = await _kalmar_chef(kalmar)
    r = await kalmar.api.post("/api/v1/reports", json={"kind": "quarterly"}, headers=h)
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["kind"], made["made_by"], made["scope"]) == ("quarterly", KALMAR_CHEF, cohort.MUNICIPALITY)
    listed = (await kalmar.api.get("/api/v1/reports", headers=h)).json()
    assert made["id"] in [x["id"] for x in listed]
    full = (await kalmar.api.get(f"/api/v1/reports/{made['id']}", headers=h)).json()
    live = (await kalmar.api.get("/api/v1/stats/overview", headers=h, params={
        "from": made["period_from"], "to": made["period_to"]})).json()
    assert full["figures"]["cases"] == live["cases"] and full["figures"]["cases_by_phase"] == live["cases_by_phase"]
    html = await kalmar.api.get(made["html_url"], headers=h)
    assert html.headers["content-type"].startswith("text/html")
    assert "Kvartalsrapport till styrgruppen" in html.text and KALMAR_CHEF in html.text and "Kalmar" in html.text
    csv = await kalmar.api.get(made["csv_url"], headers=h)
    assert csv.text.startswith("table,group,figure,value") and "overall,all,cases," in csv.text
    # Another municipality's supervisor neither lists nor opens it; a case worker may not order one.
    others = (await kalmar.api.get("/api/v1/reports", headers=await kalmar.headers("chef-norrkoping"))).json()
    assert made["id"] not in [x["id"] for x in others]
    await kalmar.get("chef-norrkoping", f"/api/v1/reports/{made['id']}", expect=404)
    worker = await kalmar.headers("handlaggare")
    r = await kalmar.api.post("/api/v1/reports", json={"kind": "quarterly"}, headers=worker)
    assert r.status_code == 403


async def test_an_unknown_kind_is_refused_naming_the_field(stack: Stack) -> None:
    r = await stack.api.post("/api/v1/reports", json={"kind": "weekly"}, headers=await stack.headers("chef"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "kind"]


async def test_the_quarterly_report_is_made_by_its_schedule(stack: Stack) -> None:
    settings = stack.settings.model_copy(update={
        "report_interval": timedelta(seconds=2), "report_schedule_prefix": f"report-test-{secrets.token_hex(3)}"})
    before = {x["id"] for x in await stack.get("chef", "/api/v1/reports", kind="quarterly")}
    await ensure_report_schedules(stack.temporal, settings)
    try:
        async def scheduled() -> dict[str, Any]:
            made = [x for x in await stack.get("chef", "/api/v1/reports", kind="quarterly") if x["id"] not in before]
            assert made
            return dict(made[0])

        report = await eventually(scheduled, timeout=30)
        assert (report["made_by"], report["scope"]) == ("schedule", "af")
        html = await stack.api.get(report["html_url"], headers=await stack.headers("chef"))
        assert "Kvartalsrapport till styrgruppen" in html.text
    finally:
        for kind in ReportKind:
            await stack.temporal.get_schedule_handle(report_schedule_id(settings, kind)).delete()
