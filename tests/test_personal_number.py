"""Personal numbers: the forms people type, the check digit, the date, the age group."""

from datetime import date

import pytest

from workflows.personal_number import InvalidPersonalNumber, age_group, parse_personal_number

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("raw", "normalised", "born"),
    [
        ("19900101-0017", "199001010017", date(1990, 1, 1)),
        ("199001010017", "199001010017", date(1990, 1, 1)),
        ("900101-0017", "199001010017", date(1990, 1, 1)),
        ("9001010017", "199001010017", date(1990, 1, 1)),
        ("000101-0016", "200001010016", date(2000, 1, 1)),
        ("19900161-0014", "199001610014", date(1990, 1, 1)),  # samordningsnummer: day + 60
    ],
)
def test_accepted_forms(raw: str, normalised: str, born: date) -> None:
    parsed = parse_personal_number(raw, TODAY)
    assert parsed.normalised == normalised and parsed.birth_date == born


def test_plus_means_a_hundred_years_or_more() -> None:
    assert parse_personal_number("201212+1212", TODAY).birth_date == date(1920, 12, 12)
    assert parse_personal_number("201212-1212", TODAY).birth_date == date(2020, 12, 12)


@pytest.mark.parametrize("raw", ["19900101-0018", "19900230-0017", "1990-01-01", "x", "20301010-0010"])
def test_refused(raw: str) -> None:
    with pytest.raises(InvalidPersonalNumber):
        parse_personal_number(raw, TODAY)


def test_age_group_from_birth_date() -> None:
    assert age_group(date(2002, 11, 24), TODAY) == "16-24"  # 23 today
    assert age_group(date(2001, 11, 23), TODAY) == "25+"  # 25 today
