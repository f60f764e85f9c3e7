"""Tasks (reminders and escalations) as the cases' projection writes them."""

from datetime import UTC, datetime

from sqlalchemy import or_, true
from sqlmodel import Session, col, select

from store.models import CaseSummary, Task, Track
from store.users import users_with_role
from workflows.domain import AF, Audience, Role, TaskStatus
from workflows.effects import TaskSpec


def sync_case_tasks(
    session: Session, *, case_id: str, municipality: str, responsible_worker: str, open_tasks: list[TaskSpec]
) -> None:
    """Make the case's open tasks in the database exactly `open_tasks`; close the rest."""
    now = datetime.now(UTC)
    wanted = {t.key: t for t in open_tasks}
    stored = {t.key: t for t in session.exec(select(Task).where(Task.case_id == case_id))}
    for key, task in stored.items():
        if task.status == TaskStatus.OPEN and key not in wanted:
            task.status, task.closed_at = TaskStatus.DONE, now
            session.add(task)
    for key, spec in wanted.items():
        task = stored.get(key) or Task(
            key=key,
            case_id=case_id,
            created_at=now,
            kind=spec.kind,
            about=spec.about,
            audience=spec.audience,
            municipality=municipality,
            due_at=spec.due_at,
        )
        task.assignee = assignee_for(
            session, spec.audience, municipality, responsible_worker, about=spec.about, organisation=spec.organisation
        )
        task.due_at, task.overdue, task.status, task.closed_at = spec.due_at, spec.overdue, TaskStatus.OPEN, None
        session.add(task)


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
    mine = col(Task.assignee) == username
    # Escalations nobody holds by name are visible to every holder of the role in scope.
    unclaimed = (
        (col(Task.assignee).is_(None))
        & (Task.audience == role)
        & ((Task.municipality == organisation) if organisation != AF else true())
    )
    query = select(Task).where(or_(mine, unclaimed))
    if status:
        query = query.where(Task.status == status)
    if kind:
        query = query.where(Task.kind == kind)
    if overdue is not None:
        query = query.where(Task.overdue == overdue)
    return list(session.exec(query.order_by(col(Task.due_at), col(Task.id))))


def open_tasks_by_assignee(session: Session) -> dict[str, list[tuple[Task, str, str, bool]]]:
    """Every open task that someone holds, with the case's given and family name and whether
    they are protected (for the initials a digest may show), grouped by holder, soonest due first."""
    query = (
        select(Task, CaseSummary.given_name, CaseSummary.family_name, CaseSummary.protected_identity)
        .join(CaseSummary, CaseSummary.case_id == Task.case_id)  # type: ignore[arg-type]
        .where(Task.status == TaskStatus.OPEN, col(Task.assignee).is_not(None))
        .order_by(col(Task.assignee), col(Task.due_at), col(Task.id))
    )
    grouped: dict[str, list[tuple[Task, str, str, bool]]] = {}
    for task, given, family, protected in session.exec(query):
        grouped.setdefault(str(task.assignee), []).append((task, given, family, protected))
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
