"""The figures' pure rules: suppression under five, the median of a histogram."""

from services.stats import SUPPRESSED, count_cell, median_of, share_cell


def test_a_group_under_five_is_suppressed_not_hidden() -> None:
    assert count_cell(0) == 0 and count_cell(4) == SUPPRESSED and count_cell(5) == 5
    assert share_cell(3, 4) == SUPPRESSED and share_cell(3, 5) == 0.6 and share_cell(0, 0) is None


def test_the_median_of_a_histogram() -> None:
    assert median_of({}) is None
    assert median_of({10: 1, 20: 1, 30: 1}) == 20
    assert median_of({10: 2, 40: 2}) == 25
    assert median_of({5: 3, 100: 1}) == 5
