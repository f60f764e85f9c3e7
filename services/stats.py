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

from sqlalchemy import ColumnClause, ColumnElement, Select, and_, func, literal_column, or_, text, true
from sqlmodel import Session, col, select

from store.alongside import alongside
from store.cases import TARGET_GROUP_COLUMNS
from store.cube_keys import OUTCOME_CLASS_SQL, TARGET_GROUP_BITS, TARGET_GROUPS_SQL
from store.models import CaseSummary, Task
from workflows.domain import AgeGroup, ApplicationStatus, Gender, Phase, TargetGroup, TaskStatus

MIN_GROUP = 5
SUPPRESSED: dict[str, Any] = {"suppressed": True, "reason": f"fewer than {MIN_GROUP}"}
OUTCOME_TARGET = 0.6  # in work, studies or own business 90 days after exit (003)
WOMEN_TARGET = 0.5  # share of women among track participants (003)
# Time in programme, in days from the opening to the exit (the aim: establishment in two years).
DAY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-90", 0, 90), ("91-180", 91, 180), ("181-365", 181, 365), ("366-730", 366, 730), ("731+", 731, None)
)


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
        where.append(col(TARGET_GROUP_COLUMNS[f.target_group]).is_(True))
    if f.period_to is not None:
        end = datetime.combine(f.period_to + timedelta(days=1), time(), UTC)
        where.append(col(CaseSummary.opened_at) < end)
    if f.period_from is not None:
        where.append(or_(col(CaseSummary.exited_on).is_(None), col(CaseSummary.exited_on) >= f.period_from))
    return where


# The cube's columns, in its rows' order. Plain tuples, not SQLAlchemy's rows: the collector stops
# tracking a tuple of plain values, not a row, and AF's 26 000 rows kept as rows cost its p95
# 90 ms more in collections (bench/PROFILE.md), for 10 ms less at the p50.
GENDER, AGE_GROUP, TRACK, PHASE, OUTCOME, TARGETS, CASES, DUE, ON_TIME = range(9)
Row = tuple[Any, ...]
_CUBE_MEMORY = text("SET LOCAL work_mem TO '64MB'")
OUTCOME_CLASS: ColumnClause[str] = literal_column(OUTCOME_CLASS_SQL)
TARGET_GROUPS: ColumnClause[int] = literal_column(TARGET_GROUPS_SQL)
# The target groups of each value of TARGET_GROUPS.
GROUPS_OF: tuple[tuple[TargetGroup, ...], ...] = tuple(
    tuple(g for bit, g in enumerate(TARGET_GROUP_BITS) if bits >> bit & 1)
    for bits in range(1 << len(TARGET_GROUP_BITS))
)


def cube_query(where: list[ColumnElement[bool]]) -> Select[Any]:
    """Cases counted by every column a block may select on: a few thousand cells at most."""
    keys = [CaseSummary.gender, CaseSummary.age_group, CaseSummary.track_id, CaseSummary.phase,
            OUTCOME_CLASS, TARGET_GROUPS]
    query: Select[Any] = (
        select(*keys, func.count().label("cases"),  # type: ignore[call-overload]
               func.sum(CaseSummary.follow_ups_due), func.sum(CaseSummary.follow_ups_on_time))
        .where(and_(true(), *where))
        .group_by(*keys)
    )
    return query


def days_query(where: list[ColumnElement[bool]]) -> Select[Any]:
    """Exited cases counted by gender, age group, track and days in programme."""
    keys = [CaseSummary.gender, CaseSummary.age_group, CaseSummary.track_id, CaseSummary.days_in_programme]
    query: Select[Any] = (
        select(*keys, func.count())  # type: ignore[call-overload]
        .where(and_(col(CaseSummary.days_in_programme).is_not(None), *where))
        .group_by(*keys)
    )
    return query


def _cube(session: Session, where: list[ColumnElement[bool]]) -> list[Row]:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # PostgreSQL guesses a group per case (it cannot know the columns' combinations are few)
        # and sorts the cases on disk within the default 4 MB; this much lets it hash them.
        connection.execute(_CUBE_MEMORY)
    # Core rows, not ORM ones: the ORM's loading costs more than the database's counting here.
    return [tuple(row) for row in connection.execute(cube_query(where))]


def _days(session: Session, where: list[ColumnElement[bool]]) -> list[Row]:
    return [tuple(row) for row in session.connection().execute(days_query(where))]


# The groups that show the time in programme, as keys of `Days`: the whole, a gender, an age
# group, a track.
WHOLE, BY_GENDER, BY_AGE_GROUP, BY_TRACK = range(4)
Days = dict[tuple[int, str | None], dict[int, int]]


def days_by_group(days: Iterable[Row]) -> Days:
    """Exited cases' days in programme → how many, for each group that shows them."""
    whole: dict[int, int] = {}
    by: tuple[dict[str | None, dict[int, int]], ...] = ({}, {}, {})  # gender, age group, track
    for gender, age_group, track, day, n in days:
        day = int(day)
        whole[day] = whole.get(day, 0) + n
        for histograms, value in zip(by, (gender, age_group, track)):  # noqa: B905 - a keyword costs, per row
            histogram = histograms.get(value)
            if histogram is None:
                histogram = histograms[value] = {}
            histogram[day] = histogram.get(day, 0) + n
    grouped: Days = {(WHOLE, None): whole}
    for kind, histograms in zip((BY_GENDER, BY_AGE_GROUP, BY_TRACK), by, strict=True):
        grouped |= {(kind, value): histogram for value, histogram in histograms.items()}
    return grouped


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


def time_in_programme(histogram: dict[int, int]) -> dict[str, Any]:
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


# What a group's figures read of a cell besides its counts: its phase, its outcome class, whether
# it is in a track, whether it is women in a track, whether KAA.
Kind = tuple[str, str, bool, bool, bool]


class Tally:
    """One group of cases' figures, summed from the kinds of cells in it."""

    __slots__ = ("by_phase", "cases", "days", "due", "in_tracks", "kaa", "on_time", "outcome_total", "positive",
                 "women")

    def __init__(self, days: dict[int, int] | None = None) -> None:
        self.cases = self.outcome_total = self.positive = self.in_tracks = self.women = 0
        self.due = self.on_time = self.kaa = 0
        self.by_phase: dict[str, int] = {}
        self.days = days  # days in programme → exited cases, for the groups that show the time

    def add(self, kind: Kind, n: int, due: int, on_time: int) -> None:
        phase, outcome, in_track, woman_in_track, kaa = kind
        self.cases += n
        self.by_phase[phase] = self.by_phase.get(phase, 0) + n
        if outcome != "none":
            self.outcome_total += n
            if outcome == "positive":
                self.positive += n
        if in_track:
            self.in_tracks += n
            if woman_in_track:
                self.women += n
        self.due += due
        self.on_time += on_time
        if kaa:
            self.kaa += n

    def figures(self) -> dict[str, Any]:
        outcome_total, positive, in_tracks = self.outcome_total, self.positive, self.in_tracks
        figures: dict[str, Any] = {
            "cases": count_cell(self.cases),
            "cases_by_phase": {p.value: count_cell(self.by_phase.get(p.value, 0)) for p in Phase},
            # The positive count follows its denominator: shown when the share is.
            "outcome_90d": {"total": count_cell(outcome_total),
                            "positive": positive if outcome_total >= MIN_GROUP or outcome_total == 0 else SUPPRESSED,
                            "share": share_cell(positive, outcome_total), "target": OUTCOME_TARGET},
            "women_share_in_tracks": {"in_tracks": count_cell(in_tracks), "share": share_cell(self.women, in_tracks),
                                      "target": WOMEN_TARGET},
            "follow_ups_on_time": {"due": self.due, "on_time": self.on_time,
                                   "share": share_cell(self.on_time, self.due)},
            "kaa": count_cell(self.kaa),
        }
        if self.days is not None:
            programme = time_in_programme(self.days)
            figures["median_days_in_programme"] = programme["median_days"]
            figures["time_in_programme"] = programme
        return figures


@dataclass
class Blocks:
    """Every group the overview shows, each summed in one pass over the cells: the whole, per
    gender, per age group, per track (and its genders), per target group (and its genders)."""

    whole: Tally
    gender: dict[str, Tally]
    age_group: dict[str, Tally]
    track: dict[str, Tally]
    track_gender: dict[tuple[str, str], Tally]
    target: dict[TargetGroup, Tally]
    target_gender: dict[tuple[TargetGroup, str], Tally]

    @classmethod
    def summed(cls, cells: Iterable[Row], days: Days, tracks: Iterable[str]) -> "Blocks":
        def showing_days(key: tuple[int, str | None]) -> Tally:
            return Tally(days.get(key, {}))

        b = cls(showing_days((WHOLE, None)), {g.value: showing_days((BY_GENDER, g.value)) for g in Gender},
                {a.value: showing_days((BY_AGE_GROUP, a.value)) for a in AgeGroup},
                {t: showing_days((BY_TRACK, t)) for t in tracks}, {}, {g: Tally() for g in TargetGroup},
                {(t, g.value): Tally() for t in TargetGroup for g in Gender})
        # Each cell's kind is found once and its counts added to the kind's in each group the cell
        # belongs to; the groups then sum their kinds (a few dozen each, where cells are thousands).
        kinds: dict[Tally, dict[Kind, list[int]]] = {}
        for cell in cells:
            gender, track, n = cell[GENDER], cell[TRACK], cell[CASES]
            in_track = track is not None
            groups = GROUPS_OF[cell[TARGETS]]
            kind = (cell[PHASE], cell[OUTCOME], in_track, in_track and gender == Gender.WOMAN,
                    TargetGroup.KAA in groups)
            due, on_time = cell[DUE] or 0, cell[ON_TIME] or 0
            tallies = [b.whole, b.gender.get(gender), b.age_group.get(cell[AGE_GROUP])]
            if in_track:
                tallies += (b.track[track], b.track_gender.setdefault((track, gender), Tally()))
            for group in groups:
                tallies += (b.target[group], b.target_gender.get((group, gender)))
            for tally in tallies:
                if tally is None:
                    continue
                of_tally = kinds.get(tally)
                if of_tally is None:
                    of_tally = kinds[tally] = {}
                counts = of_tally.get(kind)
                if counts is None:
                    of_tally[kind] = [n, due, on_time]
                else:
                    counts[0] += n
                    counts[1] += due
                    counts[2] += on_time
        for tally, of_tally in kinds.items():
            for kind, (n, due, on_time) in of_tally.items():
                tally.add(kind, n, due, on_time)
        return b


def overdue_query(where: list[ColumnElement[bool]], now: datetime) -> Select[Any]:
    """Open tasks past their due time by worker (assignee) and phase of the case: one join
    counted both ways, each task's case looked up once."""
    late = and_(col(Task.status) == TaskStatus.OPEN, or_(col(Task.overdue).is_(True), col(Task.due_at) < now))
    joined = and_(late, col(Task.case_id) == col(CaseSummary.case_id), *where)
    query: Select[Any] = (
        select(Task.assignee, CaseSummary.phase, func.count())  # type: ignore[assignment]
        .where(joined)
        .group_by(Task.assignee, CaseSummary.phase)
    )
    return query


def _overdue_tasks(session: Session, where: list[ColumnElement[bool]], now: datetime) -> dict[str, Any]:
    """Open tasks past their due time, per worker (assignee) and per phase of the case."""
    query = overdue_query(where, now)
    per_worker: dict[str, int] = {}  # "" for a task no one is assigned, sorted first
    per_phase: dict[str, int] = {}
    for assignee, phase, n in session.connection().execute(query):
        per_worker[assignee or ""] = per_worker.get(assignee or "", 0) + n
        per_phase[phase] = per_phase.get(phase, 0) + n
    return {
        "total": sum(per_worker.values()),
        "by_worker": {(w or "unassigned"): n for w, n in sorted(per_worker.items())},
        "by_phase": dict(sorted(per_phase.items())),
    }


def waiting_query(where: list[ColumnElement[bool]]) -> Select[Any]:
    query: Select[Any] = (
        select(CaseSummary.application_track_id, func.count())  # type: ignore[assignment]
        .where(and_(col(CaseSummary.application_status) == ApplicationStatus.WAITING, *where))
        .group_by(CaseSummary.application_track_id)
    )
    return query


def _waiting_lists(session: Session, where: list[ColumnElement[bool]]) -> dict[str, int]:
    return {t: n for t, n in session.connection().execute(waiting_query(where)) if t is not None}


def overview(session: Session, f: StatsFilter, now: datetime | None = None) -> dict[str, Any]:
    """The contract's `stats/overview`: the overall block's figures at the top, then the same
    figures per gender, age group, track and target group."""
    at = now or datetime.now(UTC)
    where = conditions(f)
    # The days and the overdue tasks are counted alongside the cube, each on a connection of its
    # own (store/alongside.py): AF's overview of 100 000 cases waited for the three in turn.
    days = alongside(session, lambda own: days_by_group(_days(own, where)))
    overdue = alongside(session, lambda own: _overdue_tasks(own, where, at))
    cells, waiting = _cube(session, where), _waiting_lists(session, where)
    tracks = sorted({c[TRACK] for c in cells if c[TRACK] is not None} | set(waiting))
    blocks = Blocks.summed(cells, days.result(), tracks)
    result = blocks.whole.figures()
    result["by_gender"] = {g.value: blocks.gender[g.value].figures() for g in Gender}
    result["by_age_group"] = {a.value: blocks.age_group[a.value].figures() for a in AgeGroup}
    result["by_track"] = {}
    for track in tracks:
        figures = blocks.track[track].figures()
        figures["seats_taken"] = count_cell(blocks.track[track].by_phase.get(Phase.TRACK.value, 0))
        figures["waiting"] = count_cell(waiting.get(track, 0))
        figures["by_gender"] = {
            g.value: blocks.track_gender.get((track, g.value), Tally()).figures() for g in Gender
        }
        result["by_track"][track] = figures
    result["by_target_group"] = {
        g.value: blocks.target[g].figures() | {
            "by_gender": {x.value: blocks.target_gender[g, x.value].figures() for x in Gender}
        }
        for g in TargetGroup
    }
    result["overdue_tasks"] = overdue.result()
    result["waiting_lists"] = {t: count_cell(n) for t, n in waiting.items()}
    result["suppression"] = {"min_group": MIN_GROUP, "note": "a group of fewer than 5 people is shown as suppressed"}
    return result
