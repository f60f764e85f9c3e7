"""The supervisors' figures (contract: "Supervisor figures"; programme.md, "What supervisors
measure"), computed by SQL aggregates over the read model.

The database does the counting: one GROUP BY gives a small cube of cells (gender × age group ×
track × phase × outcome class × target groups), one more the days in programme per gender, age
group, track and day. Every block of the overview (overall, per gender, per age group, per
track, per target group) is summed from those cells, never from the case rows, so the cost
does not grow with the cases beyond the two scans.

No figure carries a name or a personal number. A group of fewer than `MIN_GROUP` people is
shown as suppressed, never left out: a count of 1–4 and a share whose denominator is 1–4."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, true
from sqlmodel import Session, col, select

from store.models import CaseSummary, Task
from workflows.domain import POSITIVE_OUTCOMES, AgeGroup, ApplicationStatus, Gender, Phase, TargetGroup, TaskStatus

MIN_GROUP = 5
SUPPRESSED: dict[str, Any] = {"suppressed": True, "reason": f"fewer than {MIN_GROUP}"}
OUTCOME_TARGET = 0.6  # in work, studies or own business 90 days after exit (003)
WOMEN_TARGET = 0.5  # share of women among track participants (003)
# Time in programme, in days from the opening to the exit (the aim: establishment in two years).
DAY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-90", 0, 90), ("91-180", 91, 180), ("181-365", 181, 365), ("366-730", 366, 730), ("731+", 731, None)
)
GROUP_COLUMNS = {
    TargetGroup.YOUTH: CaseSummary.youth,
    TargetGroup.KAA: CaseSummary.kaa,
    TargetGroup.NEWLY_ARRIVED: CaseSummary.newly_arrived,
    TargetGroup.SOCIAL_ASSISTANCE: CaseSummary.social_assistance,
    TargetGroup.DISABILITY: CaseSummary.disability,
}
Cell = dict[str, Any]


@dataclass
class StatsFilter:
    municipalities: list[str] | None = None  # the reader's scope; None: every municipality (AF)
    municipality: str | None = None
    track: str | None = None
    period_from: date | None = None  # cases in the programme at some time in the period
    period_to: date | None = None
    target_group: TargetGroup | None = None


def count_cell(n: int) -> int | dict[str, Any]:
    return n if n == 0 or n >= MIN_GROUP else SUPPRESSED


def share_cell(part: int, whole: int) -> float | dict[str, Any] | None:
    if whole == 0:
        return None
    return round(part / whole, 4) if whole >= MIN_GROUP else SUPPRESSED


def conditions(f: StatsFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.municipalities is not None:
        where.append(col(CaseSummary.municipality).in_(f.municipalities))
    if f.municipality:
        where.append(col(CaseSummary.municipality) == f.municipality)
    if f.track:
        where.append(col(CaseSummary.track_id) == f.track)
    if f.target_group is not None:
        where.append(col(GROUP_COLUMNS[f.target_group]).is_(True))
    if f.period_to is not None:
        end = datetime.combine(f.period_to + timedelta(days=1), time(), UTC)
        where.append(col(CaseSummary.opened_at) < end)
    if f.period_from is not None:
        where.append(or_(col(CaseSummary.exited_on).is_(None), col(CaseSummary.exited_on) >= f.period_from))
    return where


def _flag(condition: ColumnElement[bool]) -> Any:
    return case((condition, 1), else_=0)


def _cube(session: Session, where: list[ColumnElement[bool]]) -> list[Cell]:
    """Cases counted by every column a block may select on: a few hundred cells at most."""
    positive = col(CaseSummary.outcome).in_([o.value for o in POSITIVE_OUTCOMES])
    outcome_class = case((col(CaseSummary.outcome).is_(None), literal("none")), (positive, literal("positive")),
                         else_=literal("other"))
    keys = [CaseSummary.gender, CaseSummary.age_group, CaseSummary.track_id, CaseSummary.phase,
            outcome_class.label("outcome"), *GROUP_COLUMNS.values()]
    query = (
        select(*keys, func.count().label("cases"),  # type: ignore[call-overload]
               func.sum(CaseSummary.follow_ups_due), func.sum(CaseSummary.follow_ups_on_time))
        .where(and_(true(), *where))
        .group_by(*keys)
    )
    names = ["gender", "age_group", "track_id", "phase", "outcome", *(g.value for g in GROUP_COLUMNS),
             "cases", "follow_ups_due", "follow_ups_on_time"]
    # Core rows, not ORM ones: the ORM's loading costs more than the database's counting here.
    return [dict(zip(names, row, strict=True)) for row in session.connection().execute(query)]


def _days(session: Session, where: list[ColumnElement[bool]]) -> list[Cell]:
    """Exited cases counted by days in programme (and gender, age group, track)."""
    keys = [CaseSummary.gender, CaseSummary.age_group, CaseSummary.track_id, CaseSummary.days_in_programme]
    query = (
        select(*keys, func.count())  # type: ignore[call-overload]
        .where(and_(col(CaseSummary.days_in_programme).is_not(None), *where))
        .group_by(*keys)
    )
    names = ["gender", "age_group", "track_id", "days", "cases"]
    return [dict(zip(names, r, strict=True)) for r in session.connection().execute(query)]


def median_of(histogram: dict[int, int]) -> float | None:
    """The median of values given as value → how many."""
    n = sum(histogram.values())
    if n == 0:
        return None
    ordered = sorted(histogram.items())

    def nth(k: int) -> int:  # the k-th smallest, from 0
        seen = 0
        for value, count in ordered:
            seen += count
            if k < seen:
                return value
        raise IndexError(k)

    return float(nth(n // 2)) if n % 2 else (nth(n // 2 - 1) + nth(n // 2)) / 2


def time_in_programme(days: Iterable[Cell]) -> dict[str, Any]:
    histogram: dict[int, int] = {}
    for c in days:
        histogram[int(c["days"])] = histogram.get(int(c["days"]), 0) + int(c["cases"])
    n = sum(histogram.values())
    buckets = {
        name: count_cell(sum(k for d, k in histogram.items() if d >= low and (high is None or d <= high)))
        for name, low, high in DAY_BUCKETS
    }
    median = median_of(histogram)
    return {
        "exited": count_cell(n),
        "median_days": median if n >= MIN_GROUP or n == 0 else SUPPRESSED,
        "distribution": buckets,
    }


def block(cells: Iterable[Cell], days: Iterable[Cell] | None) -> dict[str, Any]:
    """Every figure of one group of cases, summed from its cells."""
    # One pass over the cells (a block is summed some two hundred times per overview).
    cases = outcome_total = positive = in_tracks = women = due = on_time = kaa = 0
    by_phase: dict[str, int] = {}
    for c in cells:
        n = int(c["cases"])
        cases += n
        by_phase[c["phase"]] = by_phase.get(c["phase"], 0) + n
        if c["outcome"] != "none":
            outcome_total += n
            positive += n if c["outcome"] == "positive" else 0
        if c["track_id"] is not None:
            in_tracks += n
            women += n if c["gender"] == Gender.WOMAN else 0
        due += int(c["follow_ups_due"] or 0)
        on_time += int(c["follow_ups_on_time"] or 0)
        kaa += n if c["kaa"] else 0
    phases = {p.value: count_cell(by_phase.get(p.value, 0)) for p in Phase}
    figures: dict[str, Any] = {
        "cases": count_cell(cases),
        "cases_by_phase": phases,
        # The positive count follows its denominator: shown when the share is.
        "outcome_90d": {"total": count_cell(outcome_total),
                        "positive": positive if outcome_total >= MIN_GROUP or outcome_total == 0 else SUPPRESSED,
                        "share": share_cell(positive, outcome_total), "target": OUTCOME_TARGET},
        "women_share_in_tracks": {"in_tracks": count_cell(in_tracks), "share": share_cell(women, in_tracks),
                                  "target": WOMEN_TARGET},
        "follow_ups_on_time": {"due": due, "on_time": on_time, "share": share_cell(on_time, due)},
        "kaa": count_cell(kaa),
    }
    if days is not None:
        programme = time_in_programme(days)
        figures["median_days_in_programme"] = programme["median_days"]
        figures["time_in_programme"] = programme
    return figures


def _overdue_tasks(session: Session, where: list[ColumnElement[bool]], now: datetime) -> dict[str, Any]:
    """Open tasks past their due time, per worker (assignee) and per phase of the case."""
    late = and_(col(Task.status) == TaskStatus.OPEN, or_(col(Task.overdue).is_(True), col(Task.due_at) < now))
    joined = and_(late, col(Task.case_id) == col(CaseSummary.case_id), *where)
    per_worker = session.exec(
        select(Task.assignee, func.count()).where(joined).group_by(Task.assignee)
    ).all()
    per_phase = session.exec(
        select(CaseSummary.phase, func.count()).where(joined).group_by(CaseSummary.phase)
    ).all()
    return {
        "total": sum(n for _, n in per_worker),
        "by_worker": {(w or "unassigned"): n for w, n in sorted(per_worker, key=lambda r: r[0] or "")},
        "by_phase": {p: n for p, n in sorted(per_phase)},
    }


def _waiting_lists(session: Session, where: list[ColumnElement[bool]]) -> dict[str, int]:
    query = (
        select(CaseSummary.application_track_id, func.count())
        .where(and_(col(CaseSummary.application_status) == ApplicationStatus.WAITING, *where))
        .group_by(CaseSummary.application_track_id)
    )
    return {t: n for t, n in session.exec(query).all() if t is not None}


def overview(session: Session, f: StatsFilter, now: datetime | None = None) -> dict[str, Any]:
    """The contract's `stats/overview`: the overall block's figures at the top, then the same
    figures per gender, age group, track and target group."""
    now = now or datetime.now(UTC)
    where = conditions(f)
    cells, days = _cube(session, where), _days(session, where)
    result = block(cells, days)
    result["by_gender"] = {
        g.value: block([c for c in cells if c["gender"] == g], [d for d in days if d["gender"] == g]) for g in Gender
    }
    result["by_age_group"] = {
        a.value: block([c for c in cells if c["age_group"] == a], [d for d in days if d["age_group"] == a])
        for a in AgeGroup
    }
    waiting = _waiting_lists(session, where)
    tracks = sorted({c["track_id"] for c in cells if c["track_id"] is not None} | set(waiting))
    result["by_track"] = {}
    for track in tracks:
        mine = [c for c in cells if c["track_id"] == track]
        figures = block(mine, [d for d in days if d["track_id"] == track])
        figures["seats_taken"] = count_cell(sum(int(c["cases"]) for c in mine if c["phase"] == Phase.TRACK))
        figures["waiting"] = count_cell(waiting.get(track, 0))
        figures["by_gender"] = {g.value: block([c for c in mine if c["gender"] == g], None) for g in Gender}
        result["by_track"][track] = figures
    result["by_target_group"] = {
        g.value: block([c for c in cells if c[g.value]], None) | {
            "by_gender": {x.value: block([c for c in cells if c[g.value] and c["gender"] == x], None) for x in Gender}
        }
        for g in TargetGroup
    }
    result["overdue_tasks"] = _overdue_tasks(session, where, now)
    result["waiting_lists"] = {t: count_cell(n) for t, n in waiting.items()}
    result["suppression"] = {"min_group": MIN_GROUP, "note": "a group of fewer than 5 people is shown as suppressed"}
    return result

