"""The living mapping (kartläggning) and what is read from it: the target groups, the age
group, a track's prerequisites. Every check reads the current mapping, so a participant who
reaches SFI D can then apply to a track that needs it."""

from dataclasses import fields, replace
from datetime import date
from typing import Any

from workflows.actions import MappingChange
from workflows.domain import AgeGroup, EducationLevel, Mapping, Participant, SwedishLevel, TargetGroups
from workflows.words import N_

YOUTH_AGES = range(16, 25)  # 16–24 (000, 001)
KAA_AGES = range(16, 21)  # 16–20: the municipal activity responsibility (002, 004)
COMPLETED_UPPER_SECONDARY = frozenset({EducationLevel.UPPER_SECONDARY, EducationLevel.POST_SECONDARY})
CHANGEABLE = tuple(f.name for f in fields(MappingChange) if f.name != "note")


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_group(birth_date: date, day: date) -> AgeGroup:
    return AgeGroup.YOUTH if age_on(birth_date, day) < 25 else AgeGroup.ADULT


def target_groups(participant: Participant, mapping: Mapping, day: date) -> TargetGroups:
    """Youth and KAA from the birth date and the current mapping; the rest as recorded."""
    age = age_on(participant.birth_date, day)
    return TargetGroups(
        youth=age in YOUTH_AGES,
        kaa=age in KAA_AGES and mapping.education_level not in COMPLETED_UPPER_SECONDARY,
        newly_arrived=mapping.newly_arrived,
        social_assistance=mapping.social_assistance,
        disability=mapping.disability,
    )


def new_to_sfi(mapping: Mapping) -> bool:
    """Has not studied SFI yet: no Swedish level to speak of (002: "inte läst SFI tidigare")."""
    return mapping.swedish_level is SwedishLevel.NONE


def changes(change: MappingChange) -> dict[str, Any]:
    return {name: getattr(change, name) for name in CHANGEABLE if getattr(change, name) is not None}


def invalid_change(mapping: Mapping, change: MappingChange) -> tuple[str, str] | None:
    """(field, message) when the change would leave the mapping inconsistent."""
    after = replace(mapping, **changes(change))
    if after.establishment_start is not None and not after.newly_arrived:
        return "establishment_start", N_("the establishment programme's start is for the newly arrived only")
    return None


def changed(mapping: Mapping, change: MappingChange) -> Mapping:
    after = replace(mapping, **changes(change))
    if not after.newly_arrived:
        after = replace(after, establishment_start=None)
    return after


def describe(before: Mapping, after: Mapping) -> str:
    """The timeline's words for a change: each field that moved, old → new."""
    moved = [
        f"{name} {_word(getattr(before, name))} → {_word(getattr(after, name))}"
        for name in CHANGEABLE
        if getattr(before, name) != getattr(after, name)
    ]
    return "mapping: " + ("; ".join(moved) if moved else "unchanged")


def _word(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(x) for x in value) + "]"
    if value is None:
        return "–"
    return str(value).lower() if isinstance(value, bool) else str(value)


def unmet_prerequisites(prerequisites: dict[str, Any], mapping: Mapping) -> list[str]:
    """The track's stated prerequisites (min_swedish_level, min_education_level,
    driving_licence) that the current mapping does not meet."""
    unmet = []
    swedish, education = list(SwedishLevel), list(EducationLevel)
    need = prerequisites.get("min_swedish_level")
    if need and swedish.index(mapping.swedish_level) < swedish.index(SwedishLevel(need)):
        unmet.append("min_swedish_level")
    need = prerequisites.get("min_education_level")
    if need and education.index(mapping.education_level) < education.index(EducationLevel(need)):
        unmet.append("min_education_level")
    if prerequisites.get("driving_licence") and not mapping.driving_licence:
        unmet.append("driving_licence")
    return unmet
