"""Tasks (reminders and escalations) as the cases' projection writes them."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import ColumnElement, bindparam, insert, or_, true, update
from sqlmodel import Session, col, select

from store.models import CaseSummary, Task, Track
from store.users import users_with_role
from workflows.domain import AF, Audience, Role, TaskStatus
from workflows.effects import TaskSpec

# Built once: the projection asks them at every change of every case. Only the columns a
# change compares are read; a task's row changes only when one of them does.
_TASKS = Task.__table__  # type: ignore[attr-defined]
_TASKS_OF_CASE = sa.select(
    _TASKS.c.id, _TASKS.c.key, _TASKS.c.status, _TASKS.c.assignee, _TASKS.c.due_at, _TASKS.c.overdue, _TASKS.c.closed_at
).where(_TASKS.c.case_id == bindparam("case_id"))
_CHANGE_TASK = update(_TASKS).where(_TASKS.c.id == bindparam("b_id"))  # the columns: the parameters'
_NEW_TASK = insert(_TASKS)


def sync_case_tasks(
    session: Session, *, case_id: str, municipality: str, responsible_worker: str, open_tasks: list[TaskSpec]
) -> None:
    """Make the case's open tasks in the database exactly `open_tasks`; close the rest."""
    now = datetime.now(UTC)
    db = session.connection()
    wanted = {t.key: t for t in open_tasks}
    stored = {row.key: row for row in db.execute(_TASKS_OF_CASE, {"case_id": case_id})}
    for key, row in stored.items():
        if row.status == TaskStatus.OPEN and key not in wanted:
            db.execute(_CHANGE_TASK, {"b_id": row.id, "status": TaskStatus.DONE, "closed_at": now})
    for key, spec in wanted.items():
        assignee = assignee_for(
            session, spec.audience, municipality, responsible_worker, about=spec.about, organisation=spec.organisation
        )
        task = {"assignee": assignee, "due_at": spec.due_at, "overdue": spec.overdue, "status": TaskStatus.OPEN}
        known = stored.get(key)
        if known is None:
            db.execute(
                _NEW_TASK,
                task
                | {
                    "key": key,
                    "case_id": case_id,
                    "created_at": now,
                    "kind": spec.kind,
                    "about": spec.about,
                    "audience": spec.audience,
                    "municipality": municipality,
                    "closed_at": None,
                },
            )
        elif (known.assignee, known.due_at, known.overdue, known.status, known.closed_at) != (*task.values(), None):
            db.execute(_CHANGE_TASK, task | {"b_id": known.id, "closed_at": None})


def assignee_for(
    session: Session,
    audience: str,
    municipality: str,
    responsible_worker: str,
    *,
    about: str | None = None,
    organisation: str | None = None,
) -> str | None:
    """Reminders go to the responsible worker; escalations to the municipality's coordinator
    (or supervisor), the first by name; with none, the task waits for anyone of that role.
    A new applicant goes to the lead of the track it is `about`; a partner notice to the
    coordinator of the partner `organisation` (its supervisor when it has none).
    The mail of a notice goes to the same person, so inbox and mail never disagree."""
    if audience == Audience.RESPONSIBLE:
        return responsible_worker
    if audience == Audience.TRACK_LEAD:
        track = session.get(Track, about) if about else None
        return track.lead if track is not None else None
    if audience == Audience.PARTNER:
        partner = organisation or municipality
        people = users_with_role(session, Role.COORDINATOR, partner) or users_with_role(
            session, Role.SUPERVISOR, partner
        )
        return people[0].username if people else None
    # The municipality's own first; else Arbetsförmedlingen's, whose staff serve every municipality.
    people = users_with_role(session, audience, municipality) or users_with_role(session, audience, AF)
    return people[0].username if people else None


def _reaches(username: str, role: str, organisation: str) -> ColumnElement[bool]:
    """The tasks a user holds: by name, or unclaimed for their role in their scope."""
    mine = col(Task.assignee) == username
    # Escalations nobody holds by name are visible to every holder of the role in scope.
    unclaimed = (
        (col(Task.assignee).is_(None))
        & (Task.audience == role)
        & ((Task.municipality == organisation) if organisation != AF else true())
    )
    return or_(mine, unclaimed)


def holds_task_on(session: Session, *, username: str, role: str, organisation: str, case_id: str) -> bool:
    """Does the user hold (or did they hold) a task on this case?"""
    query = select(Task.id).where(Task.case_id == case_id, _reaches(username, role, organisation)).limit(1)
    return session.exec(query).first() is not None


def inbox(
    session: Session,
    *,
    username: str,
    role: str,
    organisation: str,
    status: str | None = None,
    kind: str | None = None,
    overdue: bool | None = None,
) -> list[Task]:
    query = select(Task).where(_reaches(username, role, organisation))
    if status:
        query = query.where(Task.status == status)
    if kind:
        query = query.where(Task.kind == kind)
    if overdue is not None:
        query = query.where(Task.overdue == overdue)
    return list(session.exec(query.order_by(col(Task.due_at), col(Task.id))))


def open_tasks_by_assignee(session: Session) -> dict[str, list[tuple[Task, CaseSummary]]]:
    """Every open task that someone holds, with the case's summary (for the initials a digest
    may show), grouped by holder, soonest due first."""
    query = (
        select(Task, CaseSummary)
        .join(CaseSummary, CaseSummary.case_id == Task.case_id)  # type: ignore[arg-type]
        .where(Task.status == TaskStatus.OPEN, col(Task.assignee).is_not(None))
        .order_by(col(Task.assignee), col(Task.due_at), col(Task.id))
    )
    grouped: dict[str, list[tuple[Task, CaseSummary]]] = {}
    for task, case in session.exec(query):
        grouped.setdefault(str(task.assignee), []).append((task, case))
    return grouped


def open_tasks_of_cases(session: Session, case_ids: list[str]) -> dict[str, list[Task]]:
    """The open tasks of each of these cases, soonest due first (one query for a page of cases)."""
    if not case_ids:
        return {}
    query = (
        select(Task)
        .where(col(Task.case_id).in_(case_ids), Task.status == "open")
        .order_by(col(Task.due_at), col(Task.id))
    )
    grouped: dict[str, list[Task]] = {}
    for task in session.exec(query):
        grouped.setdefault(task.case_id, []).append(task)
    return grouped
