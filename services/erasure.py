"""Erasure (gallring) of a closed case: its data key is destroyed, so its Temporal history,
its stored summary and view no longer decode anywhere; its row keeps what the figures need
(municipality, gender, age group, phases, dates, outcome), which names no one."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlmodel import Session, col, select

from core.words import N_
from services.errors import NotFound, Refused
from store.case_keys import CaseKeys
from store.models import CaseKey, CaseSummary
from workflows.domain import Status

log = structlog.get_logger()


@dataclass(frozen=True)
class Erasure:
    case_id: str
    erased_at: datetime


def erase_case(session: Session, keys: CaseKeys, case_id: str, erased_by: str) -> Erasure:
    """Refused (409) unless the case is closed; erasing twice answers the first erasure."""
    summary = session.get(CaseSummary, case_id)
    if summary is None:
        raise NotFound("no such case")
    if summary.status != Status.CLOSED:
        raise Refused(N_("only a closed case can be erased"), phase=summary.phase, allowed=[])
    erased_at = keys.erase(case_id)
    log.info("case_erased", case_id=case_id, by=erased_by)
    return Erasure(case_id, erased_at)


def due_for_erasure(session: Session, years: int, now: datetime) -> list[str]:
    """Closed cases past the retention (`years` after closing) whose key still exists."""
    cutoff = now - timedelta(days=round(365.25 * years))
    erased = select(CaseKey.case_id).where(col(CaseKey.erased_at).is_not(None))
    query = select(CaseSummary.case_id).where(
        CaseSummary.status == Status.CLOSED,
        col(CaseSummary.closed_at).is_not(None),
        col(CaseSummary.closed_at) <= cutoff,
        col(CaseSummary.case_id).not_in(erased),
    )
    return list(session.exec(query))


def erase_past_retention(session: Session, keys: CaseKeys, years: int, now: datetime | None = None) -> list[str]:
    """The retention schedule's work: erase every closed case `years` after its closing."""
    due = due_for_erasure(session, years, now or datetime.now(UTC))
    for case_id in due:
        erase_case(session, keys, case_id, "retention")
    return due
