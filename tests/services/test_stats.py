"""The figures' pure rules: suppression under five, the median of a histogram, the one pass
that sums each cell into every group it belongs to."""

from services.stats import SUPPRESSED, Blocks, count_cell, days_by_group, median_of, share_cell
from store.cube_keys import TARGET_GROUP_BITS
from workflows.domain import TargetGroup


def test_a_group_under_five_is_suppressed_not_hidden() -> None:
    assert count_cell(0) == 0 and count_cell(4) == SUPPRESSED and count_cell(5) == 5
    assert share_cell(3, 4) == SUPPRESSED and share_cell(3, 5) == 0.6 and share_cell(0, 0) is None


def test_the_median_of_a_histogram() -> None:
    assert median_of({}) is None
    assert median_of({10: 1, 20: 1, 30: 1}) == 20
    assert median_of({10: 2, 40: 2}) == 25
    assert median_of({5: 3, 100: 1}) == 5


def test_each_cell_is_summed_into_every_group_it_belongs_to() -> None:
    def cell(gender: str, age: str, track: str | None, phase: str, outcome: str, groups: set[TargetGroup],
             cases: int) -> tuple[object, ...]:
        targets = sum(1 << bit for bit, g in enumerate(TARGET_GROUP_BITS) if g in groups)  # as cube_query's
        return (gender, age, track, phase, outcome, targets, cases, 0, 0)

    cells = [
        cell("woman", "16-24", "t1", "closed", "positive", {TargetGroup.YOUTH, TargetGroup.KAA}, 3),
        cell("man", "25+", "t1", "track", "none", set(), 2),
        cell("woman", "25+", None, "mapping", "none", {TargetGroup.DISABILITY}, 4),
    ]
    days = [("woman", "16-24", "t1", 100, 3)]
    b = Blocks.summed(cells, days_by_group(days), ["t1", "t2"])  # t2 only has a waiting list: an empty group
    assert b.whole.cases == 9 and b.whole.in_tracks == 5 and b.whole.women == 3 and b.whole.kaa == 3
    assert b.gender["woman"].cases == 7 and b.gender["man"].cases == 2
    assert b.age_group["16-24"].cases == 3 and b.age_group["25+"].cases == 6
    assert b.track["t1"].cases == 5 and b.track["t1"].by_phase == {"closed": 3, "track": 2}
    assert b.track["t2"].cases == 0 and ("t1", "man") in b.track_gender and ("t2", "woman") not in b.track_gender
    assert b.target[TargetGroup.YOUTH].cases == 3 and b.target[TargetGroup.KAA].positive == 3
    assert b.target_gender[TargetGroup.DISABILITY, "woman"].cases == 4
    assert b.target_gender[TargetGroup.DISABILITY, "man"].cases == 0
    assert b.whole.days == {100: 3} and b.track["t1"].days == {100: 3} and b.gender["man"].days == {}
    assert b.target[TargetGroup.YOUTH].days is None  # target groups show no time in programme
