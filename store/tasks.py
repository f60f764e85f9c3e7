"""Tasks (reminders and escalations) as the cases' projection writes them."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, true
from sqlmodel import Session, col, select

from store.models import CaseSummary, Task
from store.users import users_with_role
from workflows.domain import AF


def sync_case_tasks(
    session: Session, *, case_id: str, municipality: str, responsible_worker: str, open_tasks: list[dict[str, Any]]
) -> None:
    """Make the case's open tasks in the database exactly `open_tasks`; close the rest."""
    now = datetime.now(UTC)
    wanted = {t["key"]: t for t in open_tasks}
    stored = {t.key: t for t in session.exec(select(Task).where(Task.case_id == case_id))}
    for key, task in stored.items():
        if task.status == "open" and key not in wanted:
            task.status, task.closed_at = "done", now
            session.add(task)
    for key, spec in wanted.items():
        task = stored.get(key) or Task(
            key=key,
            case_id=case_id,
            created_at=now,
            kind=spec["kind"],
            about=spec["about"],
            audience=spec["audience"],
            municipality=municipality,
            due_at=spec["due_at"],
        )
        task.assignee = assignee_for(session, spec["audience"], municipality, responsible_worker)
        task.due_at, task.overdue, task.status, task.closed_at = spec["due_at"], spec["overdue"], "open", None
        session.add(task)


def assignee_for(session: Session, audience: str, municipality: str, responsible_worker: str) -> str | None:
    """Reminders go to the responsible worker; escalations to the municipality's coordinator
    (or supervisor), the first by name; with none, the task waits for anyone of that role.
    The mail of a notice goes to the same person, so inbox and mail never disagree."""
    if audience == "responsible":
        return responsible_worker
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


def open_tasks_by_assignee(session: Session) -> dict[str, list[tuple[Task, str, str]]]:
    """Every open task that someone holds, with the case's given and family name (for the
    initials a digest may show), grouped by holder, soonest due first."""
    query = (
        select(Task, CaseSummary.given_name, CaseSummary.family_name)
        .join(CaseSummary, CaseSummary.case_id == Task.case_id)  # type: ignore[arg-type]
        .where(Task.status == "open", col(Task.assignee).is_not(None))
        .order_by(col(Task.assignee), col(Task.due_at), col(Task.id))
    )
    grouped: dict[str, list[tuple[Task, str, str]]] = {}
    for task, given, family in session.exec(query):
        grouped.setdefault(str(task.assignee), []).append((task, given, family))
    return grouped
