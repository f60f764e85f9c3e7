"""The steering group's reports on the pages: those kept (who made them and when), their
printable HTML and CSV, and a form to make one now. The same functions as the JSON API."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import ReportId, SessionDep, SettingsDep, TemporalDep
from api.report_answer import report_csv, report_html
from api.web.deps import CheckedForm, PagesDep, page_for
from api.web.forms import FormErrors, text_field
from core.words import N_
from services.kept_reports import kept_report, kept_reports, report_now
from store.models import User
from store.users import display_names
from workflows.domain import Role
from workflows.report import SCHEDULED, ReportKind

router = APIRouter(include_in_schema=False)
Supervisor = Annotated[User, Depends(page_for(Role.SUPERVISOR))]
def _render(request: Request, pages: PagesDep, user: User, session: SessionDep, errors: FormErrors,
            status_code: int = 200) -> Response:
    reports = kept_reports(session, user)
    makers = display_names(session, {r.made_by for r in reports if r.made_by != SCHEDULED})
    return pages.render(request, "reports.html", status_code=status_code, reports=reports, makers=makers,
                        kinds=list(ReportKind), errors=errors, made=request.query_params.get("made"))


@router.get("/reports")
def reports_page(request: Request, pages: PagesDep, user: Supervisor, session: SessionDep) -> Response:
    return _render(request, pages, user, session, FormErrors())


@router.post("/reports")
async def make_report(
    request: Request, pages: PagesDep, user: Supervisor, session: SessionDep, temporal: TemporalDep,
    settings: SettingsDep, form: CheckedForm,
) -> Response:
    kind = text_field(form, "kind")
    if kind not in set(ReportKind):
        errors = FormErrors()
        errors.add("kind", N_("Choose which report to make"))
        return _render(request, pages, user, session, errors, status_code=422)
    report = await report_now(session, temporal, user, ReportKind(kind), settings.task_queue)
    return RedirectResponse(f"/reports?made={report.id}", status_code=303)


@router.get("/reports/{report_id}.html")
def report_page(report_id: ReportId, user: Supervisor, session: SessionDep) -> Response:
    return report_html(kept_report(session, user, report_id))


@router.get("/reports/{report_id}.csv")
def report_download(report_id: ReportId, user: Supervisor, session: SessionDep) -> Response:
    return report_csv(kept_report(session, user, report_id))
