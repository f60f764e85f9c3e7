"""A cohort with known figures, written straight into the read model of Kalmar (0880), where
no other test opens cases. Two tracks of ten exited cases each, five women and five men in
each; three new cases in the introduction; six waiting for a seat on the first track.

Known: outcome share 10/20 = 0.5 (track A 6/10 = 0.6, track B 4/10 = 0.4; women 7/10 = 0.7,
men 3/10 = 0.3; 16-24 4/5 = 0.8, 25+ 6/15 = 0.4); women in tracks 10/20 = 0.5 (each track
0.5); follow-ups on time 30/40 = 0.75; days in programme 10, 20, …, 200: median 105;
introduction 3 (fewer than 5: suppressed); waiting on track A: 6."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, delete

from store.db import session_scope
from store.models import CaseSummary

MUNICIPALITY = "0880"
TRACK_A, TRACK_B = "kalmar-a", "kalmar-b"
OPENED = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _row(n: int, **values: object) -> CaseSummary:
    base: dict[str, object] = dict(
        case_id=f"cohort-{n:03d}", version=1, phase="closed", status="closed", municipality=MUNICIPALITY,
        responsible_worker="kalmar-worker", given_name="-", family_name="-", gender="woman",
        birth_date=date(1990, 1, 1), opened_at=OPENED, age_group="25+", view={},
    )
    return CaseSummary(**(base | values))


def cohort() -> list[CaseSummary]:
    rows: list[CaseSummary] = []
    n = 0
    # track, gender, outcomes (positive ones first), age group, on-time follow-ups of two
    plan = [
        (TRACK_A, "woman", ["work", "work", "studies", "own_business", "seeking_work"], "16-24", 1),
        (TRACK_A, "man", ["subsidised_work", "work", "seeking_work", "sick", "not_reached"], "25+", 1),
        (TRACK_B, "woman", ["work", "studies", "work", "seeking_work", "moved"], "25+", 2),
        (TRACK_B, "man", ["work", "seeking_work", "other", "sick", "parental_leave"], "25+", 2),
    ]
    for track, gender, outcomes, age_group, on_time in plan:
        for outcome in outcomes:
            n += 1
            rows.append(_row(
                n, track_id=track, gender=gender, outcome=outcome, age_group=age_group,
                youth=age_group == "16-24", exited_on=(OPENED + timedelta(days=10 * n)).date(),
                exit_reason="work", days_in_programme=10 * n, follow_ups_due=2, follow_ups_on_time=on_time,
            ))
    for _ in range(3):
        n += 1
        rows.append(_row(n, phase="introduction", status="active"))
    for _ in range(6):
        n += 1
        rows.append(_row(n, phase="track_selection", status="active", gender="man",
                         application_track_id=TRACK_A, application_status="waiting"))
    return rows


def write_cohort(session: Session) -> None:
    remove_cohort(session)
    session.add_all(cohort())
    session.commit()


def remove_cohort(session: Session) -> None:
    session.exec(delete(CaseSummary).where(col(CaseSummary.municipality) == MUNICIPALITY))  # type: ignore[call-overload]
    session.commit()


@contextmanager
def cohort_in(database_url: str) -> Iterator[None]:
    """The cohort in the read model for the duration of a test, then gone."""
    with session_scope(database_url) as session:
        write_cohort(session)
    try:
        yield
    finally:
        with session_scope(database_url) as session:
            remove_cohort(session)
