"""The steering group's reports: the overview of a period, kept as figures, printable HTML
and CSV, with who made it and when."""

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.figure_tables import tables
from services.figures_csv import overview_csv
from services.stats import StatsFilter, overview
from store.models import Municipality, Report
from workflows.domain import AF, TargetGroup
from workflows.report import ReportKind, ReportRequest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
TITLES = {
    ReportKind.QUARTERLY: "Kvartalsrapport till styrgruppen",
    ReportKind.KAA_HALF_YEAR: "Halvårssammanställning KAA (kommunala aktivitetsansvaret)",
}


def make_report(session: Session, request: ReportRequest, now: datetime) -> Report:
    """Compute and keep the report; a second call with the same key returns the first."""
    kept = session.exec(select(Report).where(Report.key == request.key)).first()
    if kept is not None:
        return kept
    f = StatsFilter(
        municipalities=None if request.scope == AF else [request.scope],
        period_from=request.period_from,
        period_to=request.period_to,
        target_group=TargetGroup.KAA if request.kind is ReportKind.KAA_HALF_YEAR else None,
    )
    figures = overview(session, f, now)
    municipality = session.get(Municipality, request.scope)
    html = _env.get_template("reports/report.html").render(
        title=TITLES[request.kind], period_from=request.period_from, period_to=request.period_to,
        scope_name="alla kommuner" if municipality is None else municipality.name,
        made_at=now.strftime("%Y-%m-%d %H:%M UTC"), made_by=request.made_by, tables=tables(figures),
    )
    report = Report(
        kind=request.kind, period_from=request.period_from, period_to=request.period_to, scope=request.scope,
        made_by=request.made_by, made_at=now, key=request.key, figures=figures, html=html, csv=overview_csv(figures),
    )
    session.add(report)
    try:
        session.commit()
    except IntegrityError:  # the same run, retried at once: keep the first
        session.rollback()
        return session.exec(select(Report).where(Report.key == request.key)).one()
    return report
