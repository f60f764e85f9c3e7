"""Who may see and do what: the one place for the contract's Scope, its route table and its
decision rights on tracks. Every face (JSON API, pages) asks here; tests/test_roles.py checks
each route for each role against it.

- Case lists (`GET /api/v1/cases`, the worklist of everyone's cases): case workers and
  supervisors, for the municipalities in their scope (every one for Arbetsförmedlingen).
- One case (`GET /api/v1/cases/{case_id}`, its page): the same, and a coordinator for a case
  they are responsible for or hold a task on (an escalation, a partner notice). The contract's
  route table gives reads to case workers and supervisors only; a coordinator receives
  escalations whose mail links to the case page and may act on the case ("coordinator too"),
  and acting needs the case in front of them: so they read what they were asked to act on,
  not every case of their organisation.
- Opening a case: case workers, in the municipalities of their scope.
- Actions: case workers and coordinators, on the cases of the municipalities in their scope
  (decision rights between AF and the municipalities are the workflow's, workflows/refusals.py).
- A track lead reads no case: they see the track's applicants by initials and rank on the
  track's page, decide on the applicants of the tracks they lead (no one else does, an admin
  neither) and open its admission rounds; the track's lead or an admin changes its terms.
- The access log: a supervisor reviews the reads of their organisation's cases (every case for
  Arbetsförmedlingen's) and the reads naming no case made by their organisation's people; an
  auditor everything.
"""

from dataclasses import dataclass
from typing import Protocol

from sqlmodel import Session

from store.models import Track, User
from store.tasks import holds_task_on
from workflows.domain import AF, Actor, Role

CASE_LISTERS = frozenset({Role.CASE_WORKER, Role.SUPERVISOR})
# Who reads a single case at all; a coordinator only some (`reads_case`).
CASE_READERS = CASE_LISTERS | {Role.COORDINATOR}
CASE_ACTORS = frozenset({Role.CASE_WORKER, Role.COORDINATOR})
CASE_OPENERS = frozenset({Role.CASE_WORKER})
ACCESS_LOG_REVIEWERS = frozenset({Role.SUPERVISOR, Role.AUDITOR})


class CaseRef(Protocol):
    case_id: str
    municipality: str
    responsible_worker: str


def sees_municipality(user: User, municipality: str) -> bool:
    return user.organisation in (AF, municipality)


def municipalities_in_scope(user: User) -> list[str] | None:
    """None means every municipality (AF's people)."""
    return None if user.organisation == AF else [user.organisation]


def reads_case(session: Session, user: User, case: CaseRef) -> bool:
    """May `user` read this one case (its live state, its page)?"""
    if not sees_municipality(user, case.municipality):
        return False
    if user.role in CASE_LISTERS:
        return True
    if user.role == Role.COORDINATOR:
        return case.responsible_worker == user.username or holds_task_on(
            session, username=user.username, role=user.role, organisation=user.organisation, case_id=case.case_id
        )
    return False


def acts_on(user: User, case: CaseRef) -> bool:
    return user.role in CASE_ACTORS and sees_municipality(user, case.municipality)


def sees_track(user: User, track: Track) -> bool:
    return track.lead == user.username or any(sees_municipality(user, m) for m in track.municipalities)


def decides_on_track(user: User, track: Track) -> bool:
    """Admit or decline its applicants, open its admission rounds: its lead alone (contract)."""
    return user.role == Role.TRACK_LEAD and track.lead == user.username


def changes_track(user: User, track: Track) -> bool:
    """Name, seats, prerequisites: the track's lead or an admin (contract: PATCH)."""
    return decides_on_track(user, track) or user.role == Role.ADMIN


def sees_applicant(session: Session, user: User, track: Track, case: CaseRef) -> bool:
    """Whose initials a track's page shows: its lead's applicants, and what the reader may read."""
    return (decides_on_track(user, track) and case.municipality in track.municipalities) or reads_case(
        session, user, case
    )


@dataclass(frozen=True)
class LogReach:
    """The part of the access log a reviewer sees."""

    municipalities: list[str] | None  # the reads of these municipalities' cases; None: of every case
    unnamed_by: str | None  # the reads naming no case by this organisation's people; None: all of them


def access_log_reach(reviewer: User) -> LogReach:
    if reviewer.role == Role.AUDITOR:
        return LogReach(None, None)
    return LogReach(municipalities_in_scope(reviewer), reviewer.organisation)


def sees_report(user: User, report_scope: str) -> bool:
    """A municipal supervisor sees the reports of their municipality and the programme's (AF's)."""
    return user.organisation == AF or report_scope in (user.organisation, AF)


def actor_of(user: User) -> Actor:
    return Actor(user.username, Role(user.role), user.organisation)
