"""The user's tasks ("Mina uppgifter"): reminders of their cases' clocks and, for coordinators
and managers, the escalations of what others missed."""

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import CaseKeysDep, SessionDep
from api.web.deps import PagesDep, PageUser
from core.words import N_
from services.access_log import record_list_read
from services.protected_identity import shown_initials
from store.cases import summaries_of
from store.tasks import inbox
from workflows.domain import TaskKind

router = APIRouter(include_in_schema=False)
SHOWN_DONE = 100  # the most recent closed tasks; older ones are in the case's timeline


@dataclass(frozen=True)
class TaskRow:
    case_id: str
    initials: str
    kind: str
    about: str
    audience: str
    due_at: datetime
    overdue: bool
    closed_at: datetime | None


@router.get("/tasks")
def tasks_page(request: Request, pages: PagesDep, user: PageUser, session: SessionDep, keys: CaseKeysDep) -> Response:
    done = request.query_params.get("status") == "done"
    status = "done" if done else "open"
    tasks = inbox(session, username=user.username, role=user.role, organisation=user.organisation, status=status)
    if done:
        tasks = sorted(tasks, key=lambda t: t.closed_at or t.due_at, reverse=True)[:SHOWN_DONE]
    cases = summaries_of(session, sorted({t.case_id for t in tasks}))
    # Each case shown by its initials is read: the holder of a task on it sees who it is about.
    record_list_read(session, user, cases.values(), via="GET /tasks", purpose=N_("task list"))
    rows = [
        TaskRow(
            case_id=t.case_id,
            initials=shown_initials(keys, cases.get(t.case_id), user.username),
            kind=t.kind,
            about=t.about,
            audience=t.audience,
            due_at=t.due_at,
            overdue=t.overdue and not done,
            closed_at=t.closed_at,
        )
        for t in tasks
    ]
    return pages.render(
        request,
        "tasks.html",
        done=done,
        reminders=[r for r in rows if r.kind != TaskKind.ESCALATION],
        escalations=[r for r in rows if r.kind == TaskKind.ESCALATION],
    )
