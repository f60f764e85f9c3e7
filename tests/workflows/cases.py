"""Case states for the pure rule tests: no server, no database."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from workflows.case import CaseState
from workflows.domain import (
    AF,
    Actor,
    CaseOpening,
    EducationLevel,
    Gender,
    Industry,
    Mapping,
    Participant,
    Role,
    SwedishLevel,
    TimePolicy,
)
from workflows.phases import LATEST, initial_state

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
AF_WORKER = Actor("arbetsformedlare", Role.CASE_WORKER, AF)
MUNICIPAL_WORKER = Actor("handlaggare", Role.CASE_WORKER, "0581")


def opening(born: date = date(1990, 1, 1), policy: TimePolicy | None = None, **mapping: Any) -> CaseOpening:
    base = Mapping(EducationLevel.PRIMARY, SwedishLevel.SFI_C, [Industry.RESTAURANT], True, "Mot arbete")
    return CaseOpening(
        "case-1", "0581", "handlaggare", Participant("199001010017", "Amal", "Hassan", Gender.WOMAN, born),
        replace(base, **mapping), policy or TimePolicy(), MUNICIPAL_WORKER,
    )


def new_case(revision: int = LATEST, now: datetime = NOW, **kw: Any) -> CaseState:
    return initial_state(opening(**kw), now, revision)


def later(days: float) -> datetime:
    return NOW + timedelta(days=days)
