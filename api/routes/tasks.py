"""The user's inbox of reminders and escalations."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import CurrentUser, SessionDep
from store.tasks import inbox

router = APIRouter(tags=["tasks"])


class TaskPublic(BaseModel):
    id: int
    case_id: str
    kind: str
    about: str
    due_at: datetime
    assignee: str | None
    overdue: bool
    status: str
    created_at: datetime
    closed_at: datetime | None


@router.get("/tasks")
def my_tasks(user: CurrentUser, session: SessionDep, status: str | None = None, kind: str | None = None) -> list[TaskPublic]:
    """Reminders and escalations for the user, soonest due first."""
    rows = inbox(session, username=user.username, role=user.role, organisation=user.organisation, status=status, kind=kind)
    return [TaskPublic.model_validate(t, from_attributes=True) for t in rows]
