"""The supervisors' figures as a CSV download: the same answer from the API and the dashboard."""

from typing import Any

from fastapi.responses import PlainTextResponse

from services.figures_csv import overview_csv


def overview_csv_answer(figures: dict[str, Any]) -> PlainTextResponse:
    return PlainTextResponse(
        overview_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="overview.csv"'},
    )
