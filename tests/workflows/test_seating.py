"""A track's seats when its lead changes them: more are offered at once, fewer never evict."""

from datetime import UTC, datetime, timedelta

from workflows import seating
from workflows.seat_messages import SeatApplication, ToJourney, TrackTerms

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def track_with(seats: int, applicants: int) -> seating.TrackState:
    state = seating.TrackState(TrackTerms("t", "retail", seats))
    for i in range(applicants):
        request = SeatApplication(state.terms, f"case-{i}", 1, [], NOW + timedelta(seconds=i))
        seating.apply(state, request, NOW)
    return state


def test_more_seats_are_offered_to_the_waiting_list_at_once() -> None:
    state = track_with(seats=1, applicants=3)
    notices = seating.change_terms(state, TrackTerms("t", "retail", 3), NOW)
    assert [(n.case_id, n.signal) for n in notices] == [("case-1", ToJourney.SEAT_OFFERED),
                                                        ("case-2", ToJourney.SEAT_OFFERED)]
    assert seating.view(state).offered == ["case-0", "case-1", "case-2"]


def test_fewer_seats_never_evict() -> None:
    state = track_with(seats=3, applicants=4)
    assert seating.change_terms(state, TrackTerms("t", "retail", 1), NOW) == []
    view = seating.view(state)
    assert view.offered == ["case-0", "case-1", "case-2"] and view.waiting_list == ["case-3"]
    seating.leave(state, seating.ApplicantRef("case-0", 1), NOW)
    assert seating.view(state).waiting_list == ["case-3"]  # still over the new number: no offer
