"""The steering group's reports: made by their Schedules and on demand, kept for download."""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel
from sqlmodel import col, select

from api.deps import ReportId, SessionDep, SettingsDep, TemporalDep, require
from api.web.security import REPORT_POLICY
from services.scope import sees_report
from store.models import Report, User
from workflows.domain import AF, Role
from workflows.report import ReportInput, ReportKind, ReportWorkflow

router = APIRouter(tags=["reports"])
Supervisor = Annotated[User, Depends(require(Role.SUPERVISOR))]


class ReportOrder(BaseModel):
    model_config = {"extra": "forbid"}
    kind: ReportKind


class ReportPublic(BaseModel):
    id: int
    kind: str
    period_from: date
    period_to: date
    scope: str
    made_by: str
    made_at: datetime
    html_url: str
    csv_url: str


def _public(r: Report) -> ReportPublic:
    return ReportPublic(
        id=r.id or 0, kind=r.kind, period_from=r.period_from, period_to=r.period_to, scope=r.scope,
        made_by=r.made_by, made_at=r.made_at, html_url=f"/api/v1/reports/{r.id}?format=html",
        csv_url=f"/api/v1/reports/{r.id}?format=csv",
    )


def _visible(user: User, r: Report) -> bool:
    return sees_report(user, r.scope)


@router.get("/reports")
def list_reports(user: Supervisor, session: SessionDep, kind: ReportKind | None = None) -> list[ReportPublic]:
    """Kept reports, newest first: kind, period, scope, who made them (`schedule` for a
    Schedule) and when."""
    query = select(Report).order_by(col(Report.made_at).desc(), col(Report.id).desc())
    if kind is not None:
        query = query.where(Report.kind == kind)
    if user.organisation != AF:
        query = query.where(col(Report.scope).in_([user.organisation, AF]))
    return [_public(r) for r in session.exec(query)]


@router.post("/reports", status_code=status.HTTP_201_CREATED)
async def order_report(
    body: ReportOrder, user: Supervisor, session: SessionDep, temporal: TemporalDep, settings: SettingsDep
) -> ReportPublic:
    """Make a report now (`quarterly` or `kaa_half_year`), of the current period so far, for
    the supervisor's organisation; the same workflow its Schedule starts."""
    report_id = await temporal.execute_workflow(
        ReportWorkflow.run, ReportInput(body.kind, user.username, user.organisation),
        id=f"report-{body.kind.value}-{uuid.uuid4().hex}", task_queue=settings.task_queue,
    )
    report = session.get(Report, report_id)
    assert report is not None
    return _public(report)


@router.get(
    "/reports/{report_id}",
    response_model=None,
    responses={
        200: {
            "description": "the report in the format asked for",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/html": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
def get_report(
    report_id: ReportId, user: Supervisor, session: SessionDep,
    format: Annotated[Literal["json", "html", "csv"], Query(description="json (the figures), html or csv")] = "json",
) -> Response | dict[str, object]:
    """One report: its figures (JSON), its printable HTML or its CSV."""
    report = session.get(Report, report_id)
    if report is None or not _visible(user, report):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no report {report_id}")
    if format == "html":
        return HTMLResponse(report.html, headers={"Content-Security-Policy": REPORT_POLICY})
    if format == "csv":
        name = f"{report.kind}-{report.period_from}-{report.period_to}.csv"
        return PlainTextResponse(report.csv, media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return _public(report).model_dump(mode="json") | {"figures": report.figures}
