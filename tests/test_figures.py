"""The supervisors' figures of a known cohort are exact in the JSON and the CSV; scope and
roles hold (a municipal supervisor sees only theirs, a case worker is refused)."""

import csv
import io
from collections.abc import Iterator

import pytest

from tests import cohort
from tests.stack import Stack

SUPPRESSED = {"suppressed": True, "reason": "fewer than 5"}


@pytest.fixture
def kalmar(any_stack: Stack) -> Iterator[Stack]:
    with cohort.cohort_in(any_stack.settings.resolved_database_url):
        yield any_stack


async def test_a_known_cohort_gives_exact_shares(kalmar: Stack) -> None:
    f = await kalmar.get("chef", "/api/v1/stats/overview", municipality=cohort.MUNICIPALITY)
    assert f["cases"] == 29
    assert f["cases_by_phase"]["closed"] == 20
    assert f["cases_by_phase"]["track_selection"] == 6
    assert f["cases_by_phase"]["introduction"] == SUPPRESSED  # three: shown as suppressed, not left out
    assert f["outcome_90d"] == {"total": 20, "positive": 10, "share": 0.5, "target": 0.6}
    assert f["women_share_in_tracks"] == {"in_tracks": 20, "share": 0.5, "target": 0.5}
    assert f["follow_ups_on_time"] == {"due": 40, "on_time": 30, "share": 0.75}
    assert f["median_days_in_programme"] == 105
    assert f["time_in_programme"]["distribution"] == {
        "0-90": 9, "91-180": 9, "181-365": SUPPRESSED, "366-730": 0, "731+": 0}
    tracks = f["by_track"]
    assert tracks[cohort.TRACK_A]["outcome_90d"]["share"] == 0.6
    assert tracks[cohort.TRACK_B]["outcome_90d"]["share"] == 0.4
    assert tracks[cohort.TRACK_A]["women_share_in_tracks"]["share"] == 0.5
    assert tracks[cohort.TRACK_A]["waiting"] == 6
    assert f["waiting_lists"] == {cohort.TRACK_A: 6}
    assert tracks[cohort.TRACK_A]["by_gender"]["woman"]["outcome_90d"]["share"] == 0.8
    assert tracks[cohort.TRACK_A]["by_gender"]["man"]["outcome_90d"]["share"] == 0.4
    assert f["by_gender"]["woman"]["outcome_90d"]["share"] == 0.7
    assert f["by_gender"]["man"]["outcome_90d"]["share"] == 0.3
    assert f["by_gender"]["other"]["cases"] == 0
    assert f["by_age_group"]["16-24"]["outcome_90d"]["share"] == 0.8
    assert f["by_age_group"]["25+"]["outcome_90d"]["share"] == 0.4
    assert f["by_target_group"]["youth"]["cases"] == 5
    assert f["by_target_group"]["kaa"]["cases"] == 0

    only_a = await kalmar.get("chef", "/api/v1/stats/overview", municipality=cohort.MUNICIPALITY,
                              track=cohort.TRACK_A)
    assert only_a["outcome_90d"]["share"] == 0.6
    youth = await kalmar.get("chef", "/api/v1/stats/overview", municipality=cohort.MUNICIPALITY,
                             target_group="youth")
    assert youth["outcome_90d"] == {"total": 5, "positive": 4, "share": 0.8, "target": 0.6}
    # The period: cases exited before it are not in it.
    late = await kalmar.get("chef", "/api/v1/stats/overview", municipality=cohort.MUNICIPALITY,
                            **{"from": "2026-05-01", "to": "2026-12-31"})
    assert late["outcome_90d"]["total"] == 9  # exited on day 120 … 200


async def test_the_csv_gives_the_same_tables(kalmar: Stack) -> None:
    r = await kalmar.api.get("/api/v1/stats/overview.csv", params={"municipality": cohort.MUNICIPALITY},
                             headers=await kalmar.headers("chef"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = {(row["table"], row["group"], row["figure"]): row["value"] for row in csv.DictReader(io.StringIO(r.text))}
    assert table[("overall", "all", "outcome_90d.share")] == "0.5"
    assert table[("overall", "all", "cases_by_phase.introduction")] == "<5"
    assert table[("by_track", cohort.TRACK_A, "outcome_90d.share")] == "0.6"
    assert table[("by_gender", "woman", "outcome_90d.share")] == "0.7"
    assert table[("by_age_group", "16-24", "outcome_90d.share")] == "0.8"
    assert table[("by_track.by_gender", f"{cohort.TRACK_A}/man", "outcome_90d.share")] == "0.4"
    assert "Hassan" not in r.text and "-" not in {row["value"] for row in csv.DictReader(io.StringIO(r.text))}


async def test_a_municipal_supervisor_sees_only_their_municipality(kalmar: Stack) -> None:
    mine = await kalmar.get("chef-norrkoping", "/api/v1/stats/overview")
    all_of_0581 = await kalmar.get("chef", "/api/v1/stats/overview", municipality="0581")
    assert mine["cases"] == all_of_0581["cases"]
    assert cohort.TRACK_A not in mine["by_track"] and cohort.TRACK_A not in mine["waiting_lists"]
    await kalmar.get("chef-norrkoping", "/api/v1/stats/overview", expect=403, municipality=cohort.MUNICIPALITY)


async def test_a_case_worker_may_not_see_the_figures(kalmar: Stack) -> None:
    await kalmar.get("handlaggare", "/api/v1/stats/overview", expect=403)
    await kalmar.get("handlaggare", "/api/v1/stats/overview.csv", expect=403)


async def test_a_period_ending_before_it_begins_is_refused_naming_the_field(kalmar: Stack) -> None:
    r = await kalmar.get("chef", "/api/v1/stats/overview", expect=422, **{"from": "2026-05-01", "to": "2026-01-01"})
    assert r["detail"][0]["loc"] == ["query", "to"]
