"""Tasks (reminders and escalations) as the cases' projection writes them."""

from datetime import UTC, datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from store.models import Task
from store.users import users_with_role


def sync_case_tasks(
    session: Session, *, case_id: str, municipality: str, responsible_worker: str, open_tasks: list[dict]
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
            key=key, case_id=case_id, created_at=now, kind=spec["kind"], about=spec["about"],
            audience=spec["audience"], municipality=municipality, due_at=spec["due_at"],
        )
        task.assignee = _assignee(session, spec["audience"], municipality, responsible_worker)
        task.due_at, task.overdue, task.status, task.closed_at = spec["due_at"], spec["overdue"], "open", None
        session.add(task)


def _assignee(session: Session, audience: str, municipality: str, responsible_worker: str) -> str | None:
    """Reminders go to the responsible worker; escalations to the municipality's coordinator
    (or supervisor), the first by name; with none, the task waits for anyone of that role."""
    if audience == "responsible":
        return responsible_worker
    people = users_with_role(session, audience, municipality)
    return people[0].username if people else None


def inbox(
    session: Session, *, username: str, role: str, organisation: str,
    status: str | None = None, kind: str | None = None,
) -> list[Task]:
    mine = Task.assignee == username
    # Escalations nobody holds by name are visible to every holder of the role in scope.
    unclaimed = (col(Task.assignee).is_(None)) & (Task.audience == role) & (
        (Task.municipality == organisation) if organisation != "af" else True  # type: ignore[arg-type]
    )
    query = select(Task).where(or_(mine, unclaimed))
    if status:
        query = query.where(Task.status == status)
    if kind:
        query = query.where(Task.kind == kind)
    return list(session.exec(query.order_by(col(Task.due_at), col(Task.id))))
