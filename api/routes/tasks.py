"""The user's inbox of reminders and escalations."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import CurrentUser, SessionDep
from store.tasks import inbox
from workflows.domain import TaskKind, TaskStatus

router = APIRouter(tags=["tasks"])


class TaskPublic(BaseModel):
    id: int
    case_id: str
    kind: str
    about: str  # the clock the task is about; for an escalation, what was missed
    audience: str  # responsible, coordinator, supervisor, partner or track_lead
    due_at: datetime
    assignee: str | None
    overdue: bool
    status: str
    created_at: datetime
    closed_at: datetime | None


@router.get("/tasks")
def my_tasks(
    user: CurrentUser,
    session: SessionDep,
    status: TaskStatus | None = None,
    kind: TaskKind | None = None,
    overdue: bool | None = None,
) -> list[TaskPublic]:
    """Reminders and escalations for the user, soonest due first; filter by `status`
    (`open`, `done`), `kind` and `overdue`. Escalations no one holds by name show to every
    coordinator or supervisor in scope."""
    rows = inbox(
        session,
        username=user.username,
        role=user.role,
        organisation=user.organisation,
        status=status,
        kind=kind,
        overdue=overdue,
    )
    return [TaskPublic.model_validate(t, from_attributes=True) for t in rows]
