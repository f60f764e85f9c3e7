"""What is read from the living mapping: age group, target groups, track prerequisites."""

from dataclasses import replace
from datetime import date

import pytest

from tests.workflows.cases import opening
from workflows import mapping
from workflows.actions import UpdateMapping
from workflows.domain import AgeGroup, EducationLevel, Obstacle, SwedishLevel

DAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("born", "group", "youth"),
    [
        (date(2010, 11, 23), AgeGroup.YOUTH, True),  # 16 today
        (date(2010, 11, 24), AgeGroup.YOUTH, False),  # 15: not yet in the youth group
        (date(2001, 11, 24), AgeGroup.YOUTH, True),  # 24 until tomorrow
        (date(2001, 11, 23), AgeGroup.ADULT, False),  # 25 today
    ],
)
def test_age_group_and_youth_from_the_birth_date(born: date, group: AgeGroup, youth: bool) -> None:
    o = opening(born=born)
    assert mapping.age_group(born, DAY) is group
    assert mapping.target_groups(o.participant, o.mapping, DAY).youth is youth


def test_kaa_is_16_to_20_without_completed_upper_secondary() -> None:
    o = opening(born=date(2007, 6, 1))  # 19
    assert mapping.target_groups(o.participant, o.mapping, DAY).kaa is True
    done = replace(o.mapping, education_level=EducationLevel.UPPER_SECONDARY)
    assert mapping.target_groups(o.participant, done, DAY).kaa is False
    older = opening(born=date(2005, 6, 1))  # 21
    assert mapping.target_groups(older.participant, older.mapping, DAY).kaa is False


def test_recorded_groups_are_as_recorded() -> None:
    o = opening(newly_arrived=True, social_assistance=True, disability=True)
    groups = mapping.target_groups(o.participant, o.mapping, DAY)
    assert (groups.newly_arrived, groups.social_assistance, groups.disability) == (True, True, True)


def test_prerequisites_read_the_current_mapping() -> None:
    m = opening(swedish_level=SwedishLevel.SFI_C).mapping
    needs = {"min_swedish_level": "sfi_d", "min_education_level": "primary", "driving_licence": True}
    assert mapping.unmet_prerequisites(needs, m) == ["min_swedish_level", "driving_licence"]
    reached = mapping.changed(m, UpdateMapping(swedish_level=SwedishLevel.SFI_D, driving_licence=True))
    assert mapping.unmet_prerequisites(needs, reached) == []


def test_a_change_is_described_field_by_field() -> None:
    m = opening().mapping
    after = mapping.changed(m, UpdateMapping(obstacles=[Obstacle.HOUSING], driving_licence=True))
    assert mapping.describe(m, after) == "mapping: driving_licence false → true; obstacles [] → [housing]"
    assert after.swedish_level is m.swedish_level  # left out: kept


def test_no_establishment_start_without_being_newly_arrived() -> None:
    m = opening(newly_arrived=True, establishment_start=DAY).mapping
    assert mapping.invalid_change(m, UpdateMapping(swedish_level=SwedishLevel.SFI_D)) is None
    assert mapping.changed(m, UpdateMapping(newly_arrived=False)).establishment_start is None
    bad = mapping.invalid_change(opening().mapping, UpdateMapping(establishment_start=DAY))
    assert bad is not None and bad[0] == "establishment_start"


def test_new_to_sfi_is_having_no_swedish_level_yet() -> None:
    assert mapping.new_to_sfi(opening(swedish_level=SwedishLevel.NONE).mapping)
    assert not mapping.new_to_sfi(opening(swedish_level=SwedishLevel.SFI_A).mapping)
