"""The track's seat rules on their own (workflows/seating.py): no server, no database."""

from datetime import UTC, datetime, timedelta

import pytest

from workflows import seating
from workflows.domain import Actor, Role
from workflows.seat_messages import AdmissionRound, ApplicantRef, LeadDecision, SeatApplication, ToJourney, TrackTerms

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LEAD = Actor("sparansvarig", Role.TRACK_LEAD, "0581")


def track(seats: int) -> seating.TrackState:
    return seating.TrackState(TrackTerms("t", "industry", seats))


def ask(state: seating.TrackState, case_id: str, minute: int, experienced: bool = False, application: int = 1
        ) -> tuple[seating.SeatStatus, list]:
    request = SeatApplication(
        state.terms, case_id, application, ["industry"] if experienced else [], T0 + timedelta(minutes=minute)
    )
    return seating.apply(state, request, T0 + timedelta(minutes=minute))


def test_free_seats_are_offered_then_the_line_is_ranked() -> None:
    state = track(2)
    assert ask(state, "a", 1)[0] is seating.SeatStatus.OFFERED
    assert ask(state, "b", 2)[0] is seating.SeatStatus.OFFERED
    assert ask(state, "c", 3)[0] is seating.SeatStatus.WAITING
    assert ask(state, "d", 4, experienced=True)[0] is seating.SeatStatus.WAITING
    view = seating.view(state)
    assert view.waiting_list == ["d", "c"]
    # The reasons the lead is shown, in the same order: the experienced first, then by time.
    waiting = [r for r in view.ranks if r.case_id in view.waiting_list]
    assert [(r.case_id, r.experienced, r.applied_at) for r in waiting] == [
        ("d", True, T0 + timedelta(minutes=4)), ("c", False, T0 + timedelta(minutes=3))
    ]
    notices = seating.leave(state, ApplicantRef("a", 1), T0)
    assert [(n.case_id, n.signal) for n in notices] == [("d", ToJourney.SEAT_OFFERED)]
    assert seating.seats_taken(state) == 2


def test_stale_and_repeated_messages_change_nothing() -> None:
    state = track(1)
    ask(state, "a", 1)
    assert ask(state, "a", 1)[0] is seating.SeatStatus.OFFERED  # a retried request
    assert seating.leave(state, ApplicantRef("a", 0), T0) == []  # an earlier application's message
    assert seating.view(state).offered == ["a"]
    with pytest.raises(seating.NotAllowed):
        ask(state, "a", 2, application=0)
    assert ask(state, "a", 3, application=2)[0] is seating.SeatStatus.OFFERED  # a newer one replaces it
    assert len(state.applicants) == 1


def test_accept_only_an_open_offer() -> None:
    state = track(1)
    ask(state, "a", 1)
    ask(state, "b", 2)
    assert not seating.accept(state, ApplicantRef("b", 1))
    assert seating.accept(state, ApplicantRef("a", 1))
    assert seating.view(state).participants == ["a"]


def test_lead_needs_a_free_seat_or_the_applicants_offer() -> None:
    state = track(1)
    ask(state, "a", 1)
    ask(state, "b", 2)
    with pytest.raises(seating.NotAllowed, match="no free seat"):
        seating.decide(state, LeadDecision("b", True, "bra", LEAD), T0)
    with pytest.raises(seating.NotAllowed) as unknown:
        seating.decide(state, LeadDecision("x", True, "bra", LEAD), T0)
    assert unknown.value.field == "case_id"
    notices = seating.decide(state, LeadDecision("a", False, "saknar körkort", LEAD), T0)
    told = [(n.case_id, n.signal) for n in notices]
    assert told == [("a", ToJourney.DECLINED_BY_LEAD), ("b", ToJourney.SEAT_OFFERED)]
    assert notices[0].reason == "saknar körkort" and notices[0].decided_by == "sparansvarig"


def test_an_admission_round_holds_offers_until_it_closes() -> None:
    state = track(2)
    seating.open_round(state, AdmissionRound(T0 + timedelta(hours=1), LEAD))
    for i, experienced in enumerate([False, False, True]):
        assert ask(state, f"c{i}", i, experienced)[0] is seating.SeatStatus.WAITING
    assert seating.fill_seats(state, T0 + timedelta(minutes=59)) == []
    offered = seating.fill_seats(state, T0 + timedelta(hours=1))
    assert [n.case_id for n in offered] == ["c2", "c0"] and state.round is None


def test_no_decision_on_an_admitted_participant() -> None:
    state = track(1)
    ask(state, "a", 1)
    assert seating.accept(state, ApplicantRef("a", 1))
    for admit in (False, True):
        with pytest.raises(seating.NotAllowed) as refused:
            seating.decide(state, LeadDecision("a", admit, "ändrat mig", LEAD), T0)
        assert refused.value.field == "case_id"
    assert seating.view(state).participants == ["a"] and seating.seats_taken(state) == 1
