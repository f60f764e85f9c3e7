"""A kept report's printable HTML and its CSV as downloads: the same answers from the API and
the pages."""

from fastapi.responses import HTMLResponse, PlainTextResponse

from api.web.security import REPORT_POLICY
from store.models import Report


def report_html(report: Report) -> HTMLResponse:
    # The report is our own HTML with its print styles inline: it may style itself, nothing more.
    return HTMLResponse(report.html, headers={"Content-Security-Policy": REPORT_POLICY})


def report_csv(report: Report) -> PlainTextResponse:
    name = f"{report.kind}-{report.period_from}-{report.period_to}.csv"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    return PlainTextResponse(report.csv, media_type="text/csv; charset=utf-8", headers=disposition)
