"""The steering group's reports: made by their Schedules and on demand, kept for download."""

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import ReportId, SessionDep, SettingsDep, TemporalDep, require
from api.report_answer import report_csv, report_html
from services.kept_reports import kept_report, kept_reports, report_now
from store.models import Report, User
from workflows.domain import Role
from workflows.report import ReportKind

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


@router.get("/reports")
def list_reports(user: Supervisor, session: SessionDep, kind: ReportKind | None = None) -> list[ReportPublic]:
    """Kept reports, newest first: kind, period, scope, who made them (`schedule` for a
    Schedule) and when."""
    return [_public(r) for r in kept_reports(session, user, kind)]


@router.post("/reports", status_code=status.HTTP_201_CREATED)
async def order_report(
    body: ReportOrder, user: Supervisor, session: SessionDep, temporal: TemporalDep, settings: SettingsDep
) -> ReportPublic:
    """Make a report now (`quarterly` or `kaa_half_year`), of the current period so far, for
    the supervisor's organisation; the same workflow its Schedule starts."""
    return _public(await report_now(session, temporal, user, body.kind, settings.task_queue))


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
    report = kept_report(session, user, report_id)
    if format == "html":
        return report_html(report)
    if format == "csv":
        return report_csv(report)
    return _public(report).model_dump(mode="json") | {"figures": report.figures}
