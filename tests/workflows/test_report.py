"""The period a report covers: the quarter (half year) yesterday belongs to."""

from datetime import date

from workflows.report import ReportKind, report_period


def test_on_a_quarters_first_day_the_quarter_just_ended() -> None:
    assert report_period(ReportKind.QUARTERLY, date(2026, 1, 1)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert report_period(ReportKind.QUARTERLY, date(2026, 4, 1)) == (date(2026, 1, 1), date(2026, 3, 31))


def test_mid_quarter_the_quarter_so_far() -> None:
    assert report_period(ReportKind.QUARTERLY, date(2026, 11, 26)) == (date(2026, 10, 1), date(2026, 12, 31))


def test_the_kaa_half_year() -> None:
    assert report_period(ReportKind.KAA_HALF_YEAR, date(2026, 7, 1)) == (date(2026, 1, 1), date(2026, 6, 30))
    assert report_period(ReportKind.KAA_HALF_YEAR, date(2026, 9, 2)) == (date(2026, 7, 1), date(2026, 12, 31))
