"""Job tracks: the track's workflow owns the seats. Many applications at once, offers passed on
when declined, expired or freed, the lead's decisions and admission rounds, prerequisites; and
the recordings `make histories` keeps of them (replayed in tests/test_replay.py).
"""

import asyncio
import secrets
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest_asyncio
from temporalio.api.enums.v1 import EventType

from tests.stack import Stack, eventually, record_history, withdrawal

AF = "arbetsformedlare"  # a case worker of AF: sees every municipality
LEAD = "sparansvarig"  # the demo track lead, of Norrköping
NORRKOPING = "0581"  # default policy: offers stay open five working days
QUICK = "9911"  # offers must be answered within seconds
QUICK_ANSWER = 2  # seconds
T = TypeVar("T")


@pytest_asyncio.fixture(scope="module")
async def tracks(stack: Stack) -> Stack:
    """The shared stack, on each database, with a municipality whose offers last seconds."""
    admin = await stack.headers("admin")
    r = await stack.api.post("/api/v1/municipalities", json={"code": QUICK, "name": "Spårköping"}, headers=admin)
    assert r.status_code in (200, 201, 409), r.text
    await stack.set_policy(QUICK, offer_answer_time=f"PT{QUICK_ANSWER}S")
    return stack


async def new_track(s: Stack, seats: int, industry: str = "industry", municipalities: tuple[str, ...] = (NORRKOPING,),
                    **extra: Any) -> str:
    track_id = f"test-{industry.replace('_', '-')}-{secrets.token_hex(4)}"
    body = {"track_id": track_id, "name": f"Testspår {track_id}", "municipalities": list(municipalities),
            "industry": industry, "seats": seats, "lead": LEAD} | extra
    r = await s.api.post("/api/v1/tracks", json=body, headers=await s.headers("admin"))
    assert r.status_code == 201, r.text
    return track_id


async def choosing(s: Stack, municipality: str = NORRKOPING, **mapping: Any) -> str:
    """A case in track selection (val av spår)."""
    cid = (await s.open_case(AF, municipality=municipality, **mapping))["case_id"]
    await s.act(AF, cid, "complete-introduction")
    await s.act(AF, cid, "joint-standpoint", {"decision": "track"})
    return str(cid)


async def apply(s: Stack, cid: str, track_id: str, expect: int = 200) -> dict[str, Any]:
    return await s.act(AF, cid, "apply-to-track", {"track_id": track_id}, expect=expect)


async def case(s: Stack, cid: str) -> dict[str, Any]:
    return dict(await s.get(AF, f"/api/v1/cases/{cid}"))


async def track(s: Stack, track_id: str) -> dict[str, Any]:
    return dict(await s.get(AF, f"/api/v1/tracks/{track_id}"))


async def at_most(n: int, calls: list[Coroutine[Any, Any, T]]) -> list[T]:
    """Runs `calls`, no more than `n` at a time, and answers their results in order."""
    slots = asyncio.Semaphore(n)

    async def one(call: Coroutine[Any, Any, T]) -> T:
        async with slots:
            return await call

    return list(await asyncio.gather(*(one(c) for c in calls)))


async def until_status(s: Stack, cid: str, wanted: str, timeout: float = 15.0) -> dict[str, Any]:
    async def check() -> dict[str, Any]:
        state = await case(s, cid)
        assert state["application"]["status"] == wanted, (cid, state["application"])
        return state

    return await eventually(check, timeout=timeout)


async def until_track(s: Stack, track_id: str, **wanted: Any) -> dict[str, Any]:
    """The track hears of a journey's change by a signal, a moment after the action answered."""

    async def check() -> dict[str, Any]:
        view = await track(s, track_id)
        assert {k: view[k] for k in wanted} == wanted, view
        return view

    return await eventually(check)


def one_place_each(*views: dict[str, Any]) -> None:
    """A participant holds at most one seat, one offer or one place in line, over all tracks."""
    places = [c for v in views for c in v["participants"] + v["offered"] + v["waiting_list"]]
    assert len(places) == len(set(places)), places


async def test_fifty_applications_at_once_on_ten_seats(tracks: Stack) -> None:
    s = tracks
    track_id = await new_track(s, seats=10, industry="industry")
    experience = [["industry"] if i % 3 == 0 else ["restaurant"] for i in range(50)]
    # The fifty cases are brought to track selection ten at a time: their opening is not what
    # is tested, and fifty at once would only load the worker. Then all fifty apply at once.
    cids = await at_most(10, [choosing(s, experience=e) for e in experience])
    answers = await asyncio.gather(*(apply(s, cid, track_id) for cid in cids))

    statuses = [a["application"]["status"] for a in answers]
    assert statuses.count("offered") == 10 and statuses.count("waiting") == 40
    view = await track(s, track_id)
    offered = {cid for cid, st in zip(cids, statuses, strict=True) if st == "offered"}
    assert view["seats_taken"] == 10 and set(view["offered"]) == offered and view["participants"] == []
    assert set(view["waiting_list"]) == set(cids) - offered
    one_place_each(view)

    # The waiting list is in priority order: industry experience first, then application time.
    apps = {a["case_id"]: a["application"] for a in answers}
    experienced = {cid for cid, e in zip(cids, experience, strict=True) if "industry" in e}
    expected = sorted(view["waiting_list"], key=lambda c: (c not in experienced, apps[c]["applied_at"], c))
    assert view["waiting_list"] == expected
    assert (await s.get(AF, "/api/v1/tracks/" + track_id))["seats"] == 10
    await record_history(s, f"track-{track_id}", "track-fifty-at-once")


async def test_declined_offer_and_exit_pass_the_seat_on_by_priority(tracks: Stack) -> None:
    s = tracks
    track_id = await new_track(s, seats=2, industry="restaurant")
    first, second = await choosing(s), await choosing(s)
    late_novice = await choosing(s, experience=[])
    later_expert = await choosing(s, experience=["restaurant"])
    assert (await apply(s, first, track_id))["application"]["status"] == "offered"
    assert (await apply(s, second, track_id))["application"]["status"] == "offered"
    assert (await apply(s, late_novice, track_id))["application"]["status"] == "waiting"
    assert (await apply(s, later_expert, track_id))["application"]["status"] == "waiting"
    assert (await track(s, track_id))["waiting_list"] == [later_expert, late_novice]

    declined = await s.act(AF, first, "answer-offer", {"accept": False})
    assert declined["application"]["status"] == "declined" and "apply-to-track" in declined["allowed_actions"]
    offered = await until_status(s, later_expert, "offered")
    assert "offer_answer" in offered["due"] and "answer-offer" in offered["allowed_actions"]
    assert offered["timeline"][-1]["action"] == "seat-offered"

    admitted = await s.act(AF, second, "answer-offer", {"accept": True})
    assert admitted["phase"] == "track" and admitted["application"]["status"] == "admitted"
    await until_track(s, track_id, participants=[second], offered=[later_expert], waiting_list=[late_novice])

    await s.act(AF, second, "record-exit", {"reason": "work"})
    await until_status(s, late_novice, "offered")
    view = await until_track(s, track_id, participants=[], offered=[later_expert, late_novice], seats_taken=2)
    one_place_each(view)
    await record_history(s, f"track-{track_id}", "track-declined-and-exit")
    await record_history(s, f"journey-{later_expert}", "journey-seat-offered-later")


async def test_unanswered_offer_expires_and_passes_on(tracks: Stack) -> None:
    s = tracks
    # Offers to Spårköping's case last seconds, to Norrköping's days: only the one meant to
    # expire can, and it is offered the seat only once both others are in place, so no step
    # of the test races its clock.
    track_id = await new_track(s, seats=1, industry="care", municipalities=(QUICK, NORRKOPING))
    holder, quick, patient = await choosing(s), await choosing(s, QUICK), await choosing(s)
    assert (await apply(s, holder, track_id))["application"]["status"] == "offered"
    assert (await apply(s, quick, track_id))["application"]["status"] == "waiting"
    assert (await apply(s, patient, track_id))["application"]["status"] == "waiting"
    await s.act(AF, holder, "answer-offer", {"accept": False})  # the seat goes to `quick`, for seconds

    expired = await until_status(s, quick, "expired", timeout=QUICK_ANSWER + 15)
    assert [e["action"] for e in expired["timeline"][-2:]] == ["seat-offered", "offer-expired"]
    assert "answer-offer" not in expired["allowed_actions"]
    await until_status(s, patient, "offered")
    accepted = await s.act(AF, patient, "answer-offer", {"accept": True})
    assert accepted["phase"] == "track"
    await until_track(s, track_id, participants=[patient], offered=[], waiting_list=[])
    # The expired case may apply again: it goes to the back of the line.
    assert (await apply(s, quick, track_id))["application"]["status"] == "waiting"
    assert (await track(s, track_id))["waiting_list"] == [quick]
    await record_history(s, f"track-{track_id}", "track-offer-expiry")


async def test_withdrawal_and_close_free_seats_and_places(tracks: Stack) -> None:
    s = tracks
    track_id = await new_track(s, seats=1, industry="cleaning")
    holder, next_in_line, last = await choosing(s), await choosing(s), await choosing(s)
    for cid in (holder, next_in_line, last):
        await apply(s, cid, track_id)
    await s.act(AF, holder, "withdraw", withdrawal(reason="sjukskriven", conditions="frisk"))
    await until_status(s, next_in_line, "offered")

    await s.act(AF, last, "close", {"reason": "flyttat"})  # leaves the waiting list
    await s.act(AF, next_in_line, "answer-offer", {"accept": True})
    await until_track(s, track_id, participants=[next_in_line], waiting_list=[], seats_taken=1)

    await s.act(AF, next_in_line, "close", {"reason": "flyttat"})  # from the track: frees the seat
    await until_track(s, track_id, participants=[], seats_taken=0)
    assert (await case(s, holder))["application"]["status"] == "withdrawn"


async def test_unmet_prerequisites_are_refused_naming_each(tracks: Stack) -> None:
    s = tracks
    track_id = await new_track(s, seats=10, prerequisites={
        "min_swedish_level": "sfi_d", "min_education_level": "upper_secondary", "driving_licence": True})
    short = await choosing(s, swedish_level="sfi_b", education_level="primary")
    refused = await apply(s, short, track_id, expect=422)
    named = {e["prerequisite"] for e in refused["detail"]}
    assert named == {"min_swedish_level", "min_education_level", "driving_licence"}
    assert all(e["loc"] == ["body", "track_id"] for e in refused["detail"])
    state = await case(s, short)
    assert state["application"] is None and "apply-to-track" in state["allowed_actions"]
    assert (await track(s, track_id))["waiting_list"] == []

    ready = await choosing(s, swedish_level="fluent", education_level="post_secondary", driving_licence=True)
    assert (await apply(s, ready, track_id))["application"]["status"] == "offered"

    bad = await s.api.post("/api/v1/tracks", json={
        "name": "X", "municipalities": [NORRKOPING], "industry": "industry", "prerequisites": {"height": 180}},
        headers=await s.headers("admin"))
    assert bad.status_code == 422


async def test_participant_never_holds_two_places(tracks: Stack) -> None:
    s = tracks
    one, other = await new_track(s, seats=5), await new_track(s, seats=5)
    cid = await choosing(s)
    h = await s.headers(AF)
    path = f"/api/v1/cases/{cid}/actions/apply-to-track"
    both = await asyncio.gather(*(s.api.post(path, json={"track_id": t}, headers=h) for t in (one, other)))
    assert sorted(r.status_code for r in both) == [200, 409], [r.text for r in both]
    views = [await track(s, one), await track(s, other)]
    assert sum(cid in v["offered"] for v in views) == 1
    one_place_each(*views)

    # With an open offer the case cannot apply anywhere else.
    held = next(t for t, v in zip((one, other), views, strict=True) if cid in v["offered"])
    elsewhere = other if held == one else one
    refused = await apply(s, cid, elsewhere, expect=409)
    assert "apply-to-track" not in refused["detail"]["allowed_actions"]

    # The same application twice (a retried request) holds one place.
    again = await choosing(s)
    first = await s.act(AF, again, "apply-to-track", {"track_id": one}, **{"Idempotency-Key": "apply-1"})
    second = await s.act(AF, again, "apply-to-track", {"track_id": one}, **{"Idempotency-Key": "apply-1"})
    assert first["version"] == second["version"]
    one_place_each(await track(s, one), await track(s, other))


async def test_lead_admits_and_declines_with_a_reason(tracks: Stack) -> None:
    s = tracks
    track_id = await new_track(s, seats=1)
    holder, waiting, other = await choosing(s), await choosing(s), await choosing(s)
    for cid in (holder, waiting, other):
        await apply(s, cid, track_id)
    path = f"/api/v1/tracks/{track_id}/decisions"

    async def decide(user: str, body: dict[str, Any], expect: int) -> Any:
        r = await s.api.post(path, json=body, headers=await s.headers(user))
        assert r.status_code == expect, r.text
        return r.json()

    admit = {"case_id": holder, "decision": "admit", "reason": "uppfyller kraven"}
    await decide("handlaggare", admit, 403)  # a case worker is not the lead
    r = await s.api.post("/api/v1/tracks/no-such-track/decisions", json=admit, headers=await s.headers(LEAD))
    assert r.status_code == 404
    bad = await decide(LEAD, {"case_id": holder, "decision": "maybe", "reason": "x"}, 422)
    assert bad["detail"][0]["loc"] == ["body", "decision"]
    bad = await decide(LEAD, {"case_id": holder, "decision": "admit"}, 422)
    assert bad["detail"][0]["loc"] == ["body", "reason"]
    unknown = await decide(LEAD, {"case_id": "no-such-case", "decision": "admit", "reason": "x"}, 422)
    assert unknown["detail"][0]["loc"] == ["body", "case_id"]
    full = await decide(LEAD, {"case_id": waiting, "decision": "admit", "reason": "bra"}, 409)
    assert "no free seat" in full["detail"]["message"]

    view = await decide(LEAD, admit, 200)
    assert view["participants"] == [holder] and view["offered"] == []

    async def admitted() -> None:
        state = await case(s, holder)
        assert state["phase"] == "track" and state["application"]["status"] == "admitted"
        assert state["timeline"][-1]["actor"] == LEAD and "uppfyller kraven" in state["timeline"][-1]["summary"]

    await eventually(admitted)

    decline = {"case_id": waiting, "decision": "decline", "reason": "saknar körkort"}
    refused = await decide("admin", decline, 403)  # an admin keeps the catalogue, the lead decides
    assert "lead" in refused["detail"]
    view = await decide(LEAD, decline, 200)
    assert view["waiting_list"] == [other]
    declined = await until_status(s, waiting, "declined")
    assert declined["application"]["reason"] == "saknar körkort"
    assert "apply-to-track" in declined["allowed_actions"]
    await record_history(s, f"journey-{waiting}", "journey-declined-by-lead")
    await record_history(s, f"track-{track_id}", "track-lead-decisions")


async def test_the_lead_cannot_undo_an_admission(tracks: Stack) -> None:
    """A participant admitted to the track (here by accepting the offer) keeps the seat: the
    lead's decline, or admit, of them is refused and changes nothing."""
    s = tracks
    track_id = await new_track(s, seats=2)
    cid, other = await choosing(s), await choosing(s)
    await apply(s, cid, track_id)
    await apply(s, other, track_id)
    admitted = await s.act(AF, cid, "answer-offer", {"accept": True})
    assert admitted["phase"] == "track"
    await until_track(s, track_id, participants=[cid], offered=[other])
    for decision in ("decline", "admit"):
        r = await s.api.post(f"/api/v1/tracks/{track_id}/decisions", headers=await s.headers(LEAD),
                             json={"case_id": cid, "decision": decision, "reason": "ändrat mig"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "case_id"], r.text
    view = await track(s, track_id)
    assert view["participants"] == [cid] and view["offered"] == [other] and view["seats_taken"] == 2
    state = await case(s, cid)
    assert state["phase"] == "track" and state["application"]["status"] == "admitted"
    assert state["version"] == admitted["version"]


async def test_admission_round_ranks_applications_at_close(tracks: Stack) -> None:
    s = tracks
    track_id = await new_track(s, seats=3, industry="construction")
    h = await s.headers(LEAD)
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    r = await s.api.post(f"/api/v1/tracks/{track_id}/round", json={"closes_at": past}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "closes_at"]
    r = await s.api.post(f"/api/v1/tracks/{track_id}/round", json={"closes_at": past},
                         headers=await s.headers("handlaggare"))
    assert r.status_code == 403

    novices = [await choosing(s, experience=[]) for _ in range(3)]
    experts = [await choosing(s, experience=["construction"]) for _ in range(2)]
    # A round long enough for any machine to apply five times in; once all are in, the lead
    # moves its close to a moment from now.
    closes = datetime.now(UTC) + timedelta(minutes=10)
    r = await s.api.post(f"/api/v1/tracks/{track_id}/round", json={"closes_at": closes.isoformat()}, headers=h)
    assert r.status_code == 200, r.text
    assert datetime.fromisoformat(r.json()["round_closes_at"]) == closes
    for cid in novices + experts:
        assert (await apply(s, cid, track_id))["application"]["status"] == "waiting"
    assert (await track(s, track_id))["waiting_list"] == experts + novices
    soon = datetime.now(UTC) + timedelta(seconds=3)  # the margin for the lead's call to arrive
    r = await s.api.post(f"/api/v1/tracks/{track_id}/round", json={"closes_at": soon.isoformat()}, headers=h)
    assert r.status_code == 200, r.text

    async def ranked() -> dict[str, Any]:
        v = await track(s, track_id)
        assert v["round_closes_at"] is None and v["seats_taken"] == 3, v
        return v

    view = await eventually(ranked, timeout=20)
    assert view["offered"] == [*experts, novices[0]] and view["waiting_list"] == novices[1:]
    for cid in [*experts, novices[0]]:
        await until_status(s, cid, "offered")
    await record_history(s, f"track-{track_id}", "track-admission-round")


async def test_catalogue_lists_tracks_with_live_seats(tracks: Stack) -> None:
    s = tracks
    demo = {t["track_id"] for t in await s.get("handlaggare", "/api/v1/tracks")}
    assert {"norrkoping-industri", "norrkoping-restaurang", "norrkoping-eget-foretag",
            "norrkoping-kortutbildade"} <= demo
    elsewhere = await new_track(s, seats=3, municipalities=("0662",))  # Gislaved, led by Norrköping's lead
    lead_sees = {t["track_id"] for t in await s.get(LEAD, "/api/v1/tracks")}
    assert elsewhere in lead_sees and "norrkoping-industri" in lead_sees
    await s.get("handlaggare", f"/api/v1/tracks/{elsewhere}", expect=404)
    fresh = await s.get(LEAD, f"/api/v1/tracks/{elsewhere}")
    assert fresh["seats"] == 3 and fresh["seats_taken"] == 0 and fresh["waiting_list"] == []
    r = await s.api.post("/api/v1/tracks", json={"name": "X", "municipalities": ["0662"], "industry": "care"},
                         headers=await s.headers(LEAD))
    assert r.status_code == 403


async def test_busy_track_continues_as_new_with_its_seats(short_history_stack: Stack) -> None:
    s = short_history_stack
    track_id = await new_track(s, seats=4, industry="retail")
    handle = s.temporal.get_workflow_handle(f"track-{track_id}")
    cids = [await choosing(s, experience=["retail"] if i % 2 else []) for i in range(16)]
    for cid in cids[:4]:
        await apply(s, cid, track_id)
    first_run = (await handle.describe()).run_id
    for cid in cids[4:]:
        await apply(s, cid, track_id)
    await s.act(AF, cids[0], "answer-offer", {"accept": False})  # a signal after the new run began
    await until_status(s, cids[5], "offered")  # the first experienced in line

    async def continued() -> None:
        assert (await handle.describe()).run_id != first_run

    await eventually(continued)
    first_handle = s.temporal.get_workflow_handle(f"track-{track_id}", run_id=first_run)
    first = [e async for e in first_handle.fetch_history_events()]
    assert first[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    view = await until_track(s, track_id, seats_taken=4)
    assert set(view["offered"]) == {cids[1], cids[2], cids[3], cids[5]}
    assert view["waiting_list"] == [cids[i] for i in (7, 9, 11, 13, 15, 4, 6, 8, 10, 12, 14)]
    one_place_each(view)
