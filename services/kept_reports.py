"""The steering group's kept reports, as a supervisor may see them (their organisation's and
AF's; AF's supervisors every one), and one made now: for the JSON API and the pages alike."""

import uuid

from sqlmodel import Session, col, select
from temporalio.client import Client

from services.errors import NotFound
from services.scope import sees_report
from store.models import Report, User
from workflows.domain import AF
from workflows.report import ReportInput, ReportKind, ReportWorkflow


def kept_reports(session: Session, user: User, kind: ReportKind | None = None) -> list[Report]:
    """Newest first."""
    query = select(Report).order_by(col(Report.made_at).desc(), col(Report.id).desc())
    if kind is not None:
        query = query.where(Report.kind == kind)
    if user.organisation != AF:
        query = query.where(col(Report.scope).in_([user.organisation, AF]))
    return list(session.exec(query))


def kept_report(session: Session, user: User, report_id: int) -> Report:
    """NotFound alike for a report that does not exist and one the user may not see."""
    report = session.get(Report, report_id)
    if report is None or not sees_report(user, report.scope):
        raise NotFound(f"no report {report_id}")
    return report


async def report_now(session: Session, client: Client, user: User, kind: ReportKind, task_queue: str) -> Report:
    """The report of the current period so far, for the user's organisation: made by the same
    workflow its Schedule starts, and kept."""
    report_id = await client.execute_workflow(
        ReportWorkflow.run, ReportInput(kind, user.username, user.organisation),
        id=f"report-{kind.value}-{uuid.uuid4().hex}", task_queue=task_queue,
    )
    report = session.get(Report, report_id)
    assert report is not None
    return report
